"""Seeds in forked processes give the same numbers as one after the other."""
from __future__ import annotations

import pytest

import mmviz
from mmviz import fit_seeds, over_seeds
from mmviz.seeds import workers


def test_forked_seeds_give_the_same_numbers_as_sequential_ones():
    task = mmviz.make_task("locate", n_train=64, n_test=16, seed=0)
    options = dict(model_options=dict(dim=16, depth=1, heads=2), steps=4, batch_size=16, eval_every=2,
                   progress=False)
    one = fit_seeds("early_concatenation", task, seeds=[0, 1, 2], **options)
    forked = fit_seeds("early_concatenation", task, seeds=[0, 1, 2], processes=2, **options)
    assert forked.values["accuracy"] == one.values["accuracy"]
    assert forked.curves["train_loss"] == one.curves["train_loss"]
    assert forked.seeds == one.seeds == [0, 1, 2]


def test_worker_count_and_bad_processes():
    assert workers(1, 3) == 0                      # the default: in this process
    assert workers(4, 1) == 0                      # one seed: no pool worth forking
    assert workers(2, 3) in (0, 2)                 # 2 where fork is safe and 2 cores are ours
    for bad in (0, -1, 1.5, True, "2"):
        with pytest.raises(ValueError, match="processes must be an int >= 1"):
            over_seeds(lambda s: {"x": s}, seeds=[0, 1], processes=bad)


def test_a_failing_run_in_a_worker_raises_in_the_caller():
    def run(seed):
        if seed == 1:
            raise ValueError("seed 1 broke")
        return {"x": seed}
    with pytest.raises(ValueError, match="seed 1 broke"):
        over_seeds(run, seeds=[0, 1], processes=2, progress=False)


WORKERS_AFTER_THREADS = """
import torch, mmviz
from mmviz.seeds import parallel_map, workers
torch.set_num_threads(2)                       # the caller's count: mmviz no longer sets one at import
x = torch.randn(600, 600)
for _ in range(3):
    x = (x @ x).tanh()                         # the parent's own parallel (OpenMP) team, used before forking
def run(n):
    y = torch.randn(n, 300, 300)
    return y @ y, torch.get_num_threads()      # a tensor to send back: its copy must not go parallel
out = list(parallel_map(run, [2, 3], processes=2))
print(workers(2, 2), [threads for _, threads in out], torch.get_num_threads())
"""


def test_forked_workers_finish_after_the_parent_used_two_threads():
    """A worker is one thread for its whole life (sending its tensors back included): before, the
    result's parallel copy waited forever for OpenMP threads that a fork does not copy."""
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", WORKERS_AFTER_THREADS], capture_output=True, text=True,
                         timeout=240, check=True).stdout.split()
    assert out[1:] == ["[1,", "1]", "2"] or out[0] == "0", out     # 0: no fork here, ran in the process
