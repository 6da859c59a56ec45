"""A task that needs context inside one modality: "at which time step does the sound repeat its tone?"

The sound has exactly one step t ≥ 1 whose tone equals the tone at t − 1; the answer is t (a
pointer over the sound's 8 tokens). A sensor is recorded alongside but is independent noise, so the
other modality holds no clue: a sound token can only answer by comparing itself with its own
neighbours. One cross-attention layer cannot (its queries see only the other modality); a joint
layer can. Built from the same drawing functions as ``mmviz.data``, seeded, nothing downloaded.
"""
from __future__ import annotations

import numpy as np
import torch

from .data import LEVELS, STEPS, Split, Task, draw_sensor, draw_sound, modality
from .validate import positive_int


def repeated_tones(rng):
    """(STEPS,) tones in [0, LEVELS) with exactly one step t ≥ 1 equal to step t − 1; returns (tones, t)."""
    t = int(rng.integers(1, STEPS))
    tones = [int(rng.integers(LEVELS))]
    for step in range(1, STEPS):
        if step == t:
            tones.append(tones[-1])
        else:                                  # any tone but the previous one
            tones.append(int((tones[-1] + rng.integers(1, LEVELS)) % LEVELS))
    return np.array(tones), t


def repeat_split(n, rng):
    sounds, sensors, labels = [], [], []
    for _ in range(n):
        tones, t = repeated_tones(rng)
        sounds.append(draw_sound(tones, rng))
        sensors.append(draw_sensor(rng.integers(LEVELS, size=STEPS), rng))   # unrelated to the sound
        labels.append(t)
    inputs = [torch.from_numpy(np.stack(sounds)), torch.from_numpy(np.stack(sensors))]
    return Split(inputs, torch.tensor(labels), alignment={})


def make_repeat_task(n_train=1000, n_test=300, seed=0):
    """The "repeat" task: sound + independent sensor; label = the sound step that repeats its tone.

    Same arguments, same data. Readout "pointer" over the sound's tokens (classes "t=0" … "t=7";
    "t=0" never occurs, so chance is 1/7).
    """
    positive_int(n_train, "n_train")
    positive_int(n_test, "n_test")
    train_seq, test_seq = np.random.SeedSequence(seed).spawn(2)
    specs = [modality("sound"), modality("sensor")]
    return Task("repeat", "At which time step does the sound repeat the tone of the step before? "
                "The sensor is independent: the clue is inside the sound.", specs, STEPS,
                list(specs[0].token_labels), repeat_split(n_train, np.random.default_rng(train_seq)),
                repeat_split(n_test, np.random.default_rng(test_seq)), readout="pointer",
                pointer_modality=0, options={})
