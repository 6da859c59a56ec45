"""The 'sync' task: 1-4 time-aligned streams of equal length, so early summation runs at every M."""
import numpy as np
import pytest
import torch

import mmviz
from mmviz.data import modality_range
from mmviz.data.world import FRAME, LEVELS, STEPS


def peaks(split):
    """(n, M, STEPS) bool: where each stream is at its top level, decoded from its signal channel."""
    found = []
    for name, x in zip(("sound", "sensor", "video", "motion"), split.inputs):
        frames = x[:, 0].reshape(len(x), STEPS, FRAME)
        if name == "sound":        # tone k is a cosine of k + 1 cycles per step
            n = torch.arange(FRAME)
            basis = torch.stack([torch.cos(2 * np.pi * (k + 1) * n / FRAME) for k in range(LEVELS)])
            level = (frames @ basis.T).argmax(-1)
        elif name == "sensor":
            level = (frames.mean(-1) * (LEVELS - 1)).round().long()
        elif name == "video":      # 2·level pixels lit
            level = ((frames > 0.5).sum(-1) / 2).round().long()
        else:                      # shaking with amplitude level / (LEVELS - 1), alternating signs
            sign = torch.tensor([(-1.0) ** k for k in range(FRAME)])
            level = ((frames * sign).mean(-1) * (LEVELS - 1)).round().long()
        found.append(level == LEVELS - 1)
    return torch.stack(found, 1)


def test_sync_takes_one_to_four_streams_all_of_one_length():
    assert modality_range("sync") == (1, 4)
    for m in range(1, 5):
        task = mmviz.make_task("sync", num_modalities=m, n_train=20, n_test=20)
        assert [s.name for s in task.modalities] == ["sound", "sensor", "video", "motion"][:m]
        assert {s.num_tokens for s in task.modalities} == {STEPS}
        assert all(mask.equal(torch.eye(STEPS, dtype=torch.bool).expand(20, -1, -1))
                   for mask in task.test.alignment.values())
        assert len(task.test.alignment) == m * (m - 1) // 2
    with pytest.raises(ValueError, match="num_modalities from 1 to 4"):
        mmviz.make_task("sync", num_modalities=5)


@pytest.mark.parametrize("m", [1, 2, 4])
def test_sync_label_is_yes_exactly_when_every_stream_peaks_at_one_step(m):
    task = mmviz.make_task("sync", num_modalities=m, n_train=20, n_test=200, seed=3)
    found = peaks(task.test)
    assert torch.equal(found.all(1).any(-1).long(), task.test.labels)
    assert 0.35 < task.test.labels.float().mean() < 0.65
    if m > 1:                          # a "no" has a near miss: all streams but one peak at some step
        no = task.test.labels == 0
        assert bool((found[no].sum(1) == m - 1).any(-1).all())


def test_early_summation_runs_on_sync_at_every_number_of_streams():
    for m in range(1, 5):
        task = mmviz.make_task("sync", num_modalities=m, n_train=8, n_test=8)
        model = mmviz.FusionClassifier("early_summation", task, dim=16, depth=1, heads=2)
        out = model.run(task, 4)
        assert out.tokens.shape == (4, STEPS, 16) and model.fusion.alpha.shape == (m,)


def test_fusion_explorer_on_sync_runs_summation_at_every_m_and_alpha_of_stream_3_moves_the_map():
    explorer = mmviz.fusion_explorer(task="sync", variant="early_summation", num_modalities=1, depth=1,
                                     n_train=32, n_test=8)
    assert not explorer.controls["num_modalities"].disabled
    for m in range(1, 5):
        explorer.controls["num_modalities"].value = m
        assert explorer.model is not None, explorer.message.value
        assert len(explorer.controls["alpha"]) == m and explorer.model.fusion.alpha.shape == (m,)
    before = explorer.output.attention[0].weights.clone()
    explorer.controls["alpha"][2].value = 0.0                 # α of stream 3 (video)
    assert explorer.model.fusion.alpha[2].item() == 0.0
    assert not torch.allclose(before, explorer.output.attention[0].weights)
