"""The tasks, each with known alignment: which token of one modality belongs with which of another.

``split.alignment[(a, b)]`` is a bool tensor (n, N_a, N_b), True where token i of modality a and
token j of modality b describe the same thing. Everything is seeded: the same call gives the same data.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch

from .._validate import MAX_SAMPLES, flag, int_in, positive_int
from .._validate import seed as check_seed
from .world import (
    FRAME,
    GRID,
    LEVELS,
    MODALITY_ORDER,
    SHAPES,
    STEPS,
    VOCAB,
    Modality,
    Split,
    Task,
    draw_image,
    draw_sensor,
    draw_sound,
    modality,
    random_objects,
    time_code,
    word_patch_alignment,
)

# ---------------------------------------------------------------- the tasks, one sample at a time

def sample_locate(rng: np.random.Generator, objects: int = 3) -> dict:
    """The caption names one object; the answer is its cell. Distractors share its colour or its shape."""
    while True:
        scene = random_objects(rng, objects)
        colour, shape, cell = scene[0]
        if any(c == colour for c, _, _ in scene[1:]) and any(s == shape for _, s, _ in scene[1:]):
            break                                  # both words are needed, and must be bound
    words = [colour, shape]
    return dict(image=draw_image(scene, rng), caption=words, label=cell,
                align={("caption", "image"): word_patch_alignment(words, scene)})


def sample_match(rng: np.random.Generator, objects: int = 3) -> dict:
    """Does some object have the caption's colour AND shape? Both words always occur in the picture."""
    label = int(rng.integers(2))
    while True:
        scene = random_objects(rng, objects)
        present = {(c, s) for c, s, _ in scene}
        if label:
            words = list(scene[rng.integers(objects)][:2])
            break
        colours, shapes = dict.fromkeys(c for c, _, _ in scene), dict.fromkeys(s for _, s, _ in scene)
        absent = [(c, s) for c in colours for s in shapes if (c, s) not in present]   # scene order, not
        #                                                             a set's (PYTHONHASHSEED) order
        if absent:
            words = list(absent[rng.integers(len(absent))])
            break
    return dict(image=draw_image(scene, rng), caption=words, label=label,
                align={("caption", "image"): word_patch_alignment(words, scene)})


def sample_streams(rng: np.random.Generator, aligned: bool = True,
                   mismatches: tuple[int, int] = (2, 4)) -> dict:
    """A sound and a sensor recorded in sync: label 0 if the sensor level equals the tone at every
    time step, 1 if they differ at a few steps. Both carry a time code. ``aligned=False`` shuffles
    the sensor's steps; each keeps its time stamp: the pairing is still in the data, not in the order."""
    tones = rng.integers(LEVELS, size=STEPS)
    levels, label = tones.copy(), int(rng.integers(2))
    if label:
        where = rng.choice(STEPS, rng.integers(mismatches[0], mismatches[1] + 1), replace=False)
        levels[where] = (tones[where] + rng.integers(1, LEVELS, size=len(where))) % LEVELS
    times = np.arange(STEPS) if aligned else rng.permutation(STEPS)
    return dict(sound=draw_sound(tones, rng), sensor=draw_sensor(levels[times], rng, times), label=label,
                times=times, align={("sound", "sensor"): np.arange(STEPS)[:, None] == times[None, :]})


def sample_tally(rng: np.random.Generator, num_modalities: int = 4) -> dict:
    """How many modalities carry the signal? A red object, the word "red", the highest tone, the top
    sensor level. The label is uniform in 0..M and each modality adds 0 or 1, so all are needed."""
    label = int(rng.integers(num_modalities + 1))
    says = np.zeros(4, bool)
    says[rng.choice(num_modalities, label, replace=False)] = True
    count = int(rng.integers(1, 4))
    colours = rng.choice(["green", "blue", "yellow"], count)
    if says[0]:
        colours[0] = "red"
    scene = list(zip(colours, rng.choice(list(SHAPES), count), rng.choice(GRID * GRID, count, replace=False)))
    words = list(rng.choice([w for w in VOCAB if w != "red"], 3))
    if says[1]:
        words[rng.integers(3)] = "red"
    tones, levels = rng.integers(LEVELS - 1, size=STEPS), rng.integers(LEVELS - 1, size=STEPS)
    for says_it, steps in ((says[2], tones), (says[3], levels)):
        if says_it:                                # the top tone / level at one or two steps
            steps[rng.choice(STEPS, rng.integers(1, 3), replace=False)] = LEVELS - 1
    marks = [np.isin(np.arange(GRID * GRID), [cell for colour, _, cell in scene if colour == "red"]),
             np.array([w == "red" for w in words]), tones == LEVELS - 1, levels == LEVELS - 1]
    align = {(MODALITY_ORDER[a], MODALITY_ORDER[b]): marks[a][:, None] & marks[b][None, :]
             for a in range(num_modalities) for b in range(a + 1, num_modalities)}
    return dict(image=draw_image(scene, rng), caption=words, sound=draw_sound(tones, rng),
                sensor=draw_sensor(levels, rng), label=label, align=align)


def repeated_tones(rng: np.random.Generator) -> tuple[np.ndarray, int]:
    """(STEPS,) tones in [0, LEVELS) with exactly one step t ≥ 1 equal to step t − 1; returns (tones, t)."""
    t = int(rng.integers(1, STEPS))
    tones = [int(rng.integers(LEVELS))]
    for step in range(1, STEPS):
        if step == t:
            tones.append(tones[-1])
        else:                                  # any tone but the previous one
            tones.append(int((tones[-1] + rng.integers(1, LEVELS)) % LEVELS))
    return np.array(tones), t


def sample_repeat(rng: np.random.Generator) -> dict:
    """Context inside one modality: at which step t does the sound repeat the tone of step t − 1? A
    sensor is recorded alongside but is independent noise, so the clue is only inside the sound."""
    tones, t = repeated_tones(rng)
    sound = draw_sound(tones, rng)
    return dict(sound=sound, sensor=draw_sensor(rng.integers(LEVELS, size=STEPS), rng), label=t, align={})


# ---------------------------------------------------------------- four time-aligned streams

STREAMS = ("sound", "sensor", "video", "motion")   # one token per time step in each: N_m = STEPS for all


def draw_video(levels: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """levels: (STEPS,) ints → (5, STEPS*FRAME): channel 0 one 8-pixel video frame per step, its
    first 2·level pixels lit (a bar that grows with the level), channels 1-4 the time code."""
    lit = (np.arange(FRAME)[None, :] < 2 * np.asarray(levels)[:, None]).astype(float).reshape(-1)
    return np.concatenate([(lit + rng.normal(0, 0.05, STEPS * FRAME))[None],
                           time_code(np.arange(STEPS))]).astype(np.float32)


def draw_motion(levels: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """levels: (STEPS,) ints → (5, STEPS*FRAME): channel 0 an accelerometer, shaking with an
    amplitude that grows with the level (alternating signs), channels 1-4 the time code."""
    shake = (np.asarray(levels)[:, None] / (LEVELS - 1) * (-1.0) ** np.arange(FRAME)[None, :]).reshape(-1)
    return np.concatenate([(shake + rng.normal(0, 0.05, STEPS * FRAME))[None],
                           time_code(np.arange(STEPS))]).astype(np.float32)


DRAW: dict[str, Callable[..., np.ndarray]] = {"sound": draw_sound, "sensor": draw_sensor, "video": draw_video,
                                              "motion": draw_motion}


def stream_modality(name: str) -> Modality:
    """The spec of one of the four streams: a signal of STEPS tokens (frames) with a time code."""
    return Modality(name, "signal", [f"t={t}" for t in range(STEPS)], length=STEPS * FRAME, frame=FRAME,
                    channels=5)


def sample_sync(rng: np.random.Generator, num_modalities: int = 4) -> dict:
    """Is there a moment when every stream peaks at once? Each of the M streams (sound, sensor,
    video, motion) peaks (top level) at 2-3 random steps. "yes": at one step all M peak together;
    "no": no such step, and at one step all but one peak (a near miss), so every stream is needed
    (with M = 1, "no" means the stream never peaks).
    Token i of every stream is time step i: the streams are aligned, so they can be summed."""
    M, label = num_modalities, int(rng.integers(2))
    while True:
        peaks = np.zeros((M, STEPS), bool)
        for m in range(M):
            peaks[m, rng.choice(STEPS, rng.integers(2, 4), replace=False)] = True
        step = int(rng.integers(STEPS))
        peaks[:, step] = True
        if not label:                                  # a near miss; with one stream: no peak at all
            peaks[rng.integers(M), step] = False
            peaks[:] = peaks if M > 1 else False
        if peaks.all(0).any() == bool(label):
            break
    levels = np.where(peaks, LEVELS - 1, rng.integers(LEVELS - 1, size=(M, STEPS)))
    same_time = np.eye(STEPS, dtype=bool)
    return dict(label=label, **{STREAMS[m]: DRAW[STREAMS[m]](levels[m], rng) for m in range(M)},
                align={(STREAMS[a], STREAMS[b]): same_time for a in range(M) for b in range(a + 1, M)})


# ---------------------------------------------------------------- assembling a task

# What ``fit`` trains with when it is not told: AdamW at lr, a linear warm-up, a cosine decay over
# steps. Each task's "budget" overrides some of these: the steps after which the variants the task is
# meant for have solved it on every seed (measured in benchmarks/TRAINING.md, 3 seeds per row).
DEFAULT_BUDGET = dict(steps=300, lr=3e-3, warmup=30)

SPECS = {
    "match": dict(modalities=("image", "caption"), sampler=sample_match, classes=["no", "yes"], readout="any",
                  options=dict(objects=3), budget=dict(steps=800),
                  intended=(("cross_attention",), 0.9),
                  description="Does the caption (a colour and a shape) describe an object in the picture? "
                              "Both words always occur somewhere, so only their binding decides."),
    "locate": dict(modalities=("image", "caption"), sampler=sample_locate, readout="pointer",
                   classes=modality("image").token_labels, options=dict(objects=3), budget=dict(steps=300),
                   intended=(("early_concatenation", "hierarchical_multi_to_one", "hierarchical_one_to_multi",
                              "cross_attention", "cross_attention_to_concatenation"), 0.99),
                   description="Which patch holds the object the caption names? Other objects share "
                               "its colour or its shape."),
    "streams": dict(modalities=("sound", "sensor"), sampler=sample_streams, classes=["agree", "differ"],
                    readout="soft_any", options=dict(aligned=True, mismatches=(2, 4)),
                    budget=dict(steps=1000),
                    intended=(("early_summation", "early_concatenation", "cross_attention",
                               "cross_attention_to_concatenation"), 0.95),
                    description="Does the sensor level differ from the sound's tone at some time step? "
                                "aligned=False shuffles the sensor's steps (each keeps its time stamp)."),
    "tally": dict(modalities=MODALITY_ORDER, sampler=sample_tally, classes=None, options={},
                  free_modalities=True, budget=dict(steps=500),
                  intended=(("early_concatenation", "hierarchical_multi_to_one", "hierarchical_one_to_multi",
                             "cross_attention", "cross_attention_to_concatenation"), 0.95),
                  description="How many of the modalities carry the signal (a red object, the word "
                              "'red', the top tone, the top sensor level)? Every modality counts."),
    "repeat": dict(modalities=("sound", "sensor"), sampler=sample_repeat, readout="pointer",
                   classes=modality("sound").token_labels, options={}, budget=dict(steps=300, lr=5e-3),
                   intended=(("early_concatenation",), 0.8),
                   description="At which time step does the sound repeat the tone of the step before? "
                               "The sensor is independent: the clue is inside the sound."),
    "sync": dict(modalities=STREAMS, sampler=sample_sync, classes=["no", "yes"], options={},
                 free_modalities=True, budget=dict(steps=300),
                 # 300 steps, seeds 0-2: summation 1.00 (M = 2) and 0.93-1.00 (M = 4); concatenation
                 # 0.82-1.00 (M = 2) and 0.56-0.58 (M = 4): a task made for summing aligned streams
                 intended=(("early_summation",), 0.9),
                 description="Is there a time step at which every stream (sound, sensor, video, motion) "
                             "peaks at once? 1-4 streams, all 8 tokens long and aligned in time."),
}
TASKS = tuple(SPECS)


def spec_of(name: str) -> dict:
    """The SPECS entry of task ``name``; a ValueError naming the known tasks for any other name."""
    if not isinstance(name, str) or name not in SPECS:
        raise ValueError(f"unknown task {name!r}; choose one of {', '.join(TASKS)}")
    return SPECS[name]


def modality_range(name: str) -> tuple[int, int]:
    """(fewest, most) modalities task ``name`` can be made with: (M, M) for a fixed set of M."""
    spec = spec_of(name)
    count = len(spec["modalities"])
    return (1, count) if spec.get("free_modalities") else (count, count)


def task_budget(name: str) -> dict:
    """{"steps", "lr", "warmup"} that ``fit`` uses for task ``name`` when it is not told otherwise."""
    return {**DEFAULT_BUDGET, **spec_of(name).get("budget", {})}


def intended(name: str) -> tuple:
    """(variants, accuracy): the variants task ``name`` is meant for, and the test accuracy each of
    them reaches on every seed with the task's budget (checked by benchmarks/bench_training.py)."""
    return spec_of(name)["intended"]


def make_task(name: str, num_modalities: int | None = None, n_train: int = 2000, n_test: int = 500,
              seed: int = 0, **options: Any) -> Task:
    """A generated task with train and test splits; the same arguments give the same data.

    ``TASKS`` lists the names; ``num_modalities`` is free (1 to 4, default 4) for "tally" and "sync"
    (four time-aligned streams of 8 tokens each: the one task early summation runs on at every M).
    "repeat" (context inside one modality: a pointer over the sound's 8 steps; "t=0" never occurs,
    so chance is 1/7) has no alignment between modalities.
    Options: match/locate ``objects`` (2-5); streams ``aligned`` (bool), ``mismatches`` (lo, hi).
    Limits: n_train and n_test from 1 to 20000 each; ``seed`` an int from 0 to 2**63 - 1.
    """
    spec = spec_of(name)
    names = spec["modalities"]
    if spec.get("free_modalities"):
        lo, hi = modality_range(name)
        m = hi if num_modalities is None else num_modalities
        try:
            m = int_in(m, lo, hi, "num_modalities")
        except ValueError:
            raise ValueError(f"task {name!r} takes num_modalities from {lo} to {hi}, "
                             f"got {num_modalities!r}") from None
        names, options = names[:m], {**options, "num_modalities": m}
    elif num_modalities not in (None, len(names)):
        raise ValueError(f"task {name!r} has exactly {len(names)} modalities ({', '.join(names)}), got "
                         f"num_modalities={num_modalities!r}; use 'tally' to vary the number of modalities")
    unknown = set(options) - set(spec["options"]) - {"num_modalities"}
    if unknown:
        raise ValueError(f"task {name!r} takes options {sorted(spec['options']) or 'none'}, "
                         f"got {sorted(unknown)}")
    # numpy and 0-d torch values are read as the Python ints and bools the samplers use
    if "objects" in options:
        options["objects"] = int_in(options["objects"], 2, 5, "objects")
    if "aligned" in options:
        options["aligned"] = flag(options["aligned"], "aligned")
    mismatches = options.get("mismatches", (2, 4))
    pair = isinstance(mismatches, (tuple, list)) and len(mismatches) == 2
    try:
        lo, hi = (int_in(v, 1, STEPS, "mismatches") for v in mismatches) if pair else (1, 0)
    except ValueError:
        lo, hi = 1, 0
    if lo > hi:
        raise ValueError(f"mismatches must be (lo, hi) with 1 <= lo <= hi <= {STEPS}, got {mismatches!r}")
    n_train = positive_int(n_train, "n_train", MAX_SAMPLES)
    n_test = positive_int(n_test, "n_test", MAX_SAMPLES)
    seed = check_seed(seed)
    options = {**spec["options"], **options}
    specs = [stream_modality(n) if name == "sync" else modality(n, caption_length=3 if name == "tally" else 2)
             for n in names]
    train_seq, test_seq = np.random.SeedSequence(seed).spawn(2)
    splits = [build_split(spec["sampler"], names, n, np.random.default_rng(s), options)
              for n, s in ((n_train, train_seq), (n_test, test_seq))]
    classes = spec["classes"] or [str(k) for k in range(len(names) + 1)]
    readout = spec.get("readout", "pooled")
    train, test = splits
    return Task(name, spec["description"], specs, len(classes), list(classes), train, test, readout=readout,
                pointer_modality=None if readout == "pooled" or name == "streams" else 0, options=options)


def build_split(sampler: Callable[..., dict], names: Sequence[str], n: int, rng: np.random.Generator,
                options: dict) -> Split:
    """Draw ``n`` samples and stack them into tensors, one per modality."""
    samples = [sampler(rng, **options) for _ in range(n)]
    inputs, words = [], {}
    for m, name in enumerate(names):
        if name == "caption":
            text = np.array([s["caption"] for s in samples])
            words[m] = text
            inputs.append(torch.from_numpy(np.vectorize(VOCAB.index)(text)).long())
        else:
            inputs.append(torch.from_numpy(np.stack([s[name] for s in samples])))
    if "times" in samples[0]:
        words[names.index("sensor")] = np.array([[f"t={t}" for t in s["times"]] for s in samples])
    alignment = {(names.index(a), names.index(b)): torch.from_numpy(np.stack([s["align"][a, b]
                                                                              for s in samples]))
                 for a, b in samples[0]["align"]}
    return Split(inputs, torch.tensor([s["label"] for s in samples]), alignment, words)


def make_repeat_task(n_train: int = 1000, n_test: int = 300, seed: int = 0) -> Task:
    """``make_task("repeat", ...)`` with the sizes notebook 09 uses."""
    return make_task("repeat", n_train=n_train, n_test=n_test, seed=seed)
