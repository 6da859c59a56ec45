"""The generated worlds: shapes, determinism, and labels that agree with what the modalities show."""
import numpy as np
import pytest
import torch

from mmviz import TASKS, make_task
from mmviz.data.world import FRAME, LEVELS, STEPS, VOCAB


def small(name, **kw):
    return make_task(name, n_train=40, n_test=60, **kw)


def decode_steps(signal):
    """(n, 5, T) → (n, STEPS) channel-0 frames, the time code's step index (n, STEPS)."""
    frames = signal[:, 0].reshape(len(signal), STEPS, FRAME)
    code = signal[:, 1:3, ::FRAME]                         # sin, cos of 2π t / STEPS at each step
    times = (torch.atan2(code[:, 0], code[:, 1]) / (2 * np.pi) * STEPS).round().long() % STEPS
    return frames, times


def tones(sound):
    frames, times = decode_steps(sound)
    n = torch.arange(FRAME)
    basis = torch.stack([torch.cos(2 * np.pi * (k + 1) * n / FRAME) for k in range(LEVELS)])
    return (frames @ basis.T).argmax(-1), times


def levels(sensor):
    frames, times = decode_steps(sensor)
    return (frames.mean(-1) * (LEVELS - 1)).round().long(), times


@pytest.mark.parametrize("name", TASKS)
def test_shapes_labels_and_token_labels_agree_with_the_specs(name):
    task = small(name)
    for split in (task.train, task.test):
        assert len(split.inputs) == task.num_modalities
        for x, spec in zip(split.inputs, task.modalities):
            assert len(x) == len(split)
            if spec.kind == "image":
                assert x.shape[1:] == (spec.channels, spec.image_size, spec.image_size)
                tokens = (spec.image_size // spec.patch_size) ** 2
            elif spec.kind == "symbols":
                assert x.dtype == torch.long and x.shape[1] == spec.length
                assert 0 <= x.min() and x.max() < spec.vocab_size
                tokens = spec.length
            else:
                assert x.shape[1:] == (spec.channels, spec.length)
                tokens = spec.length // spec.frame
            assert tokens == spec.num_tokens
            assert torch.isfinite(x.float()).all()
        assert 0 <= split.labels.min() and split.labels.max() < task.num_classes
        for (a, b), mask in split.alignment.items():
            assert mask.shape == (len(split), task.modalities[a].num_tokens, task.modalities[b].num_tokens)
    labels = task.token_labels(0, "test")
    assert [len(x) for x in labels] == [m.num_tokens for m in task.modalities]
    assert all(isinstance(s, str) for x in labels for s in x)
    assert len(task.class_names) == task.num_classes and task.description


@pytest.mark.parametrize("name", TASKS)
def test_same_seed_same_data_and_test_split_independent_of_train_size(name):
    a, b = small(name, seed=3), small(name, seed=3)
    c = make_task(name, n_train=7, n_test=60, seed=3)
    d = small(name, seed=4)
    for x, y, z in zip(a.test.inputs, b.test.inputs, c.test.inputs):
        assert torch.equal(x, y) and torch.equal(x, z)
    assert torch.equal(a.train.labels, b.train.labels)
    assert any(not torch.equal(x, y) for x, y in zip(a.test.inputs, d.test.inputs))


def test_locate_answer_is_the_patch_aligned_with_both_words_and_distractors_share_one():
    task = small("locate")
    for split in (task.train, task.test):
        align = split.alignment[(1, 0)]                   # caption word → image patches
        both = align[:, 0] & align[:, 1]
        assert (both.sum(-1) == 1).all()                  # exactly one object has colour AND shape
        assert (both.float().argmax(-1) == split.labels).all()
        assert (align[:, 0].sum(-1) >= 2).all() and (align[:, 1].sum(-1) >= 2).all()
    img, cell = task.image(0), int(task.test.labels[0])
    r, c = divmod(cell, 4)
    colour = task.token_labels(0)[1][0]
    patch = img[r * 6:(r + 1) * 6, c * 6:(c + 1) * 6]
    assert img.shape == (24, 24, 3) and 0 <= img.min() and img.max() <= 1
    assert np.argmax(patch.reshape(-1, 3).max(0)) == {"red": 0, "green": 1, "blue": 2, "yellow": 0}[colour]


def test_match_is_yes_exactly_when_one_object_has_both_words_and_both_words_always_occur():
    task = small("match")
    align = task.test.alignment[(1, 0)]
    assert torch.equal((align[:, 0] & align[:, 1]).any(-1).long(), task.test.labels)
    assert align.any(-1).all()                           # neither word alone decides
    assert 0 < task.test.labels.float().mean() < 1


@pytest.mark.parametrize("aligned", [True, False])
def test_streams_label_says_whether_tone_and_level_differ_at_the_same_true_time(aligned):
    task = small("streams", aligned=aligned)
    sound, sensor = task.test.inputs
    tone, t_sound = tones(sound)
    level, t_sensor = levels(sensor)
    assert torch.equal(t_sound, torch.arange(STEPS).expand_as(t_sound))
    in_time = torch.gather(level, 1, t_sensor.argsort(-1))   # sensor put back in time order
    assert torch.equal((tone != in_time).any(-1).long(), task.test.labels)
    align = task.test.alignment[(0, 1)]
    assert (align.sum(-1) == 1).all() and (align.sum(-2) == 1).all()       # a permutation per sample
    identity = torch.eye(STEPS, dtype=torch.bool)
    assert (align == identity).all(-1).all(-1).all() == aligned
    assert [int(s[2:]) for s in task.token_labels(0)[1]] == t_sensor[0].tolist()


@pytest.mark.parametrize("m", [1, 2, 3, 4])
def test_tally_label_counts_the_modalities_that_carry_the_signal(m):
    task = small("tally", num_modalities=m)
    assert task.num_modalities == m and task.num_classes == m + 1
    x, n = task.test.inputs, len(task.test)
    red = np.array([[1.0, 0.15, 0.1]])
    pixels = x[0].permute(0, 2, 3, 1).reshape(n, -1, 3).numpy()
    says = [torch.from_numpy((np.abs(pixels - red) < 0.2).all(-1).any(-1))]
    if m > 1:
        says.append((x[1] == VOCAB.index("red")).any(-1))
    if m > 2:
        says.append((tones(x[2])[0] == LEVELS - 1).any(-1))
    if m > 3:
        says.append((levels(x[3])[0] == LEVELS - 1).any(-1))
    assert torch.equal(torch.stack(says).sum(0), task.test.labels)
    assert len(set(task.train.labels.tolist())) == m + 1      # every count occurs


def test_bad_input_says_what_to_use():
    with pytest.raises(ValueError, match="match, locate, streams, tally"):
        make_task("colours")
    with pytest.raises(ValueError, match="tally"):
        make_task("locate", num_modalities=3)
    with pytest.raises(ValueError, match="1 to 4"):
        make_task("tally", num_modalities=5)
    with pytest.raises(ValueError, match="aligned"):
        make_task("streams", shuffled=True)
    with pytest.raises(ValueError, match="objects"):
        make_task("match", objects=1)
    with pytest.raises(ValueError, match="objects"):
        make_task("locate", objects=2.5)
    with pytest.raises(ValueError, match="aligned"):
        make_task("streams", aligned="no")
    with pytest.raises(ValueError, match="mismatches"):
        make_task("streams", mismatches=(3, 2))
    with pytest.raises(ValueError, match="n_train"):
        make_task("match", n_train=0)
    with pytest.raises(ValueError, match="split"):
        small("match").image(0, split="valid")
    with pytest.raises(ValueError, match="no image"):
        small("streams").image(0)


def test_generated_data_does_not_depend_on_pythonhashseed():
    """Every task is the same in two processes with different string hashing (set order differs)."""
    import os
    import subprocess
    import sys

    code = ("import hashlib, mmviz\n"
            "h = hashlib.sha1()\n"
            "for name in sorted(mmviz.TASKS):\n"
            "    t = mmviz.make_task(name, n_train=200, n_test=50, seed=3)\n"
            "    for split in (t.train, t.test):\n"
            "        for x in split.inputs: h.update(x.numpy().tobytes())\n"
            "        h.update(split.labels.numpy().tobytes())\n"
            "        h.update(repr([getattr(w, 'tolist', lambda: w)() for w in split.words]).encode())\n"
            "print(h.hexdigest())\n")
    digests = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                              env={**os.environ, "PYTHONHASHSEED": hs}).stdout.strip()
               for hs in ("1", "2", "3")}
    assert len(digests) == 1 and len(next(iter(digests))) == 40, digests
