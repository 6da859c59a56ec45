"""Attention drawn on the picture (issue 14 "Overlays"): the picture in grey underneath, one colour scale
for the maps compared, and the uniform level 1/N_k marked on the colour bar."""
import numpy as np
import pytest

import mmviz
from mmviz import FusionClassifier, make_task


@pytest.fixture(scope="module")
def words_to_patches():
    task = make_task("match", n_train=8, n_test=4)
    model = FusionClassifier("cross_attention", task, dim=16, depth=1, heads=2)
    record = next(r for r in model.run(task, 4).attention if (r.key_modality == 0).all())
    return task, record


def test_the_picture_is_grey_under_the_attention(words_to_patches):
    task, record = words_to_patches
    fig = mmviz.plot_attention_on_image(task.image(0), record, query=0)
    photo, overlay = fig.axes[0].images
    assert photo.get_array().ndim == 2 and photo.get_cmap().name == "gray"
    assert np.allclose(overlay.get_array(), fig.patch_weights)


def test_the_queries_of_one_record_share_one_colour_scale(words_to_patches):
    task, record = words_to_patches
    figs = [mmviz.plot_attention_on_image(task.image(1), record, query=q, sample=1) for q in (0, 1)]
    weights = mmviz.measure.select_weights(record, None, 1)
    assert figs[0].vmax == figs[1].vmax == pytest.approx(weights.max())
    own = mmviz.plot_attention_on_image(task.image(1), figs[0].patch_weights.ravel(), vmax=0.5)
    assert own.vmax == 0.5 and own.uniform is None                      # raw weights: the caller's scale


def test_the_uniform_level_is_marked_on_the_colour_bar(words_to_patches):
    task, record = words_to_patches
    fig = mmviz.plot_attention_on_image(task.image(0), record, query=1)
    assert fig.uniform == pytest.approx(1 / 16)                        # a word's keys: the 16 patches
    bar = fig.axes[1]
    assert any(np.allclose(line.get_ydata(), 1 / 16) for line in bar.lines)
    assert "uniform" in bar.get_ylabel()
