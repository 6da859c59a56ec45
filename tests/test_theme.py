"""mmviz's seaborn theme applies to mmviz's own figures only: a reader's matplotlib settings never change."""
from __future__ import annotations

import subprocess
import sys

SCRIPT = r'''
import matplotlib as mpl
import torch

before = {k: str(v) for k, v in mpl.rcParams.items()}
import mmviz
from mmviz.plot import GradNormPicture, plot_attention, plot_cost, plot_grad_norms
from mmviz.plot.base import theme

fusion = mmviz.build_fusion("early_concatenation", 2, 16, depth=1)
out = fusion([torch.randn(2, 3, 16), torch.randn(2, 2, 16)])
figures = [plot_grad_norms(pre=[1.0, 2.0], post=[2.0, 1.0]), plot_cost(), plot_attention(out.attention[0])]
figures[0]._repr_png_()
picture = GradNormPicture()
picture.draw({"pre": [1.0, 3.0], "post": [2.0, 1.0]})
changed = sorted(k for k, v in mpl.rcParams.items() if str(v) != before[k])
assert not changed, f"rcParams changed: {changed}"
edge = mpl.colors.to_rgba(theme()["axes.edgecolor"])
assert edge != mpl.colors.to_rgba(mpl.rcParams["axes.edgecolor"])      # the theme differs from the default
for fig in figures[:2]:
    assert mpl.colors.to_rgba(fig.axes[0].spines["left"].get_edgecolor()) == edge   # mmviz uses it
print("ok")
'''


def test_import_and_plots_leave_rcparams_alone_but_mmviz_figures_are_themed():
    result = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "ok"
