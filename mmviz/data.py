"""Generated multimodal worlds with known alignment: pictures, captions, sounds and sensor traces.

A scene holds a few objects, each a colour and a shape in one cell of a 4x4 grid. Every modality is
drawn from the scene with numpy (nothing is downloaded), and the generator also returns the ground
truth of which token of one modality belongs with which token of another:
``split.alignment[(a, b)]`` is a bool tensor (n, N_a, N_b), True where token i of modality a and
token j of modality b describe the same thing. Everything is seeded: the same call gives the same data.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch

from .validate import positive_int

COLOURS = {"red": (0.9, 0.15, 0.1), "green": (0.15, 0.75, 0.2), "blue": (0.15, 0.35, 0.95),
           "yellow": (0.95, 0.85, 0.1)}
_S = """
square   ######|#....#|#....#|#....#|#....#|######
circle   ..##..|.####.|######|######|.####.|..##..
triangle ..##..|..##..|.####.|.####.|######|######
cross    ..##..|..##..|######|######|..##..|..##..
"""
SHAPES = {line.split()[0]: np.array([[c == "#" for c in row] for row in line.split()[1].split("|")])
          for line in _S.strip().splitlines()}
VOCAB = tuple(COLOURS) + tuple(SHAPES)    # the caption words
GRID, CELL = 4, 6                          # a 4x4 grid of 6x6-pixel patches: a 24x24 picture
STEPS, FRAME = 8, 8                        # sound and sensor: 8 time steps of 8 samples each
LEVELS = 4                                 # a sound step is one of 4 tones, a sensor step one of 4 levels
TASKS = ("match", "locate", "streams", "tally")
MODALITY_ORDER = ("image", "caption", "sound", "sensor")


@dataclass
class Modality:
    """What an embedder needs to know about one modality, and one readable label per token.

    kind "image": (n, channels, image_size, image_size) floats, tokens are patches;
    kind "symbols": (n, length) word ids into ``vocab``; kind "signal": (n, channels, length) floats,
    tokens are frames of ``frame`` samples.
    """

    name: str
    kind: str
    token_labels: list[str]
    image_size: int = 0
    patch_size: int = 0
    channels: int = 1
    vocab: tuple = ()
    length: int = 0
    frame: int = 0

    @property
    def num_tokens(self):
        return len(self.token_labels)

    @property
    def vocab_size(self):
        return len(self.vocab)


def modality(name, caption_length=2):
    """The spec of one of the four modalities of the world."""
    steps = [f"t={t}" for t in range(STEPS)]
    if name == "image":
        labels = [f"patch ({r},{c})" for r in range(GRID) for c in range(GRID)]
        return Modality("image", "image", labels, image_size=GRID * CELL, patch_size=CELL, channels=3)
    if name == "caption":
        return Modality("caption", "symbols", [f"word {i + 1}" for i in range(caption_length)],
                        vocab=VOCAB, length=caption_length)
    if name == "sound":
        return Modality("sound", "signal", steps, length=STEPS * FRAME, frame=FRAME, channels=5)
    # sound and sensor: channel 0 is the signal, channels 1-4 a time code stamped on each sample
    return Modality("sensor", "signal", steps, length=STEPS * FRAME, frame=FRAME, channels=5)


@dataclass
class Split:
    """inputs: one tensor per modality; labels (n,) long; alignment {(a, b): (n, N_a, N_b) bool};
    words: per-sample token labels where they vary, {modality index: (n, N_m) array of str}."""

    inputs: list[torch.Tensor]
    labels: torch.Tensor
    alignment: dict
    words: dict = field(default_factory=dict)

    def __len__(self):
        return len(self.labels)


@dataclass
class Task:
    """A generated task: train and test splits, the modalities, and how the answer is read out.

    readout "pooled": one vector for the whole sample → num_classes logits; "pointer": one score
    per token of modality ``pointer_modality`` (num_classes == its token count); "any": a no/yes
    answer that is "yes" if some token of ``pointer_modality`` (all final tokens if None) says so;
    "soft_any" the same with a soft maximum.
    """

    name: str
    description: str
    modalities: list[Modality]
    num_classes: int
    class_names: list[str]
    train: Split
    test: Split
    readout: str = "pooled"
    pointer_modality: int | None = None
    options: dict = field(default_factory=dict)

    @property
    def num_modalities(self):
        return len(self.modalities)

    def split(self, split):
        if split not in ("train", "test"):
            raise ValueError(f"split must be 'train' or 'test', got {split!r}")
        return self.train if split == "train" else self.test

    def image(self, i, split="test"):
        """Sample ``i``'s picture as an (H, W, 3) array for ``plt.imshow``."""
        names = [m.name for m in self.modalities]
        if "image" not in names:
            raise ValueError(f"task {self.name!r} has no image; its modalities are {names}")
        return self.split(split).inputs[names.index("image")][i].permute(1, 2, 0).numpy()

    def token_labels(self, i, split="test"):
        """Readable labels of sample ``i``'s tokens: one list of str per modality."""
        words = self.split(split).words
        return [words[m][i].tolist() if m in words else list(spec.token_labels)
                for m, spec in enumerate(self.modalities)]


# ---------------------------------------------------------------- drawing the modalities

def draw_image(objects, rng):
    """objects: [(colour, shape, cell)] → (3, 24, 24) float32 picture on a dark, slightly noisy ground."""
    size = GRID * CELL
    img = np.full((size, size, 3), 0.08) + rng.normal(0, 0.03, (size, size, 3))
    for colour, shape, cell in objects:
        r, c = divmod(cell, GRID)
        patch = img[r * CELL:(r + 1) * CELL, c * CELL:(c + 1) * CELL]
        patch[SHAPES[shape]] = np.array(COLOURS[colour]) + rng.normal(0, 0.03, 3)
    return np.clip(img, 0, 1).transpose(2, 0, 1).astype(np.float32)


def time_code(times):
    """(4, STEPS*FRAME): each step's time stamp as sin/cos at 1 and 2 cycles per recording, the way a
    recorder writes a time-code track next to its signal."""
    phase = 2 * np.pi * np.repeat(np.asarray(times), FRAME) / STEPS
    return np.stack([np.sin(phase), np.cos(phase), np.sin(2 * phase), np.cos(2 * phase)])


def draw_sound(tones, rng, times=None):
    """tones: (STEPS,) ints in [0, LEVELS) → (5, STEPS*FRAME): channel 0 the sound, a cosine of k+1
    cycles per step for tone k (one clean, orthogonal pattern per step); channels 1-4 the time code."""
    times = np.arange(STEPS) if times is None else times
    n = np.arange(FRAME)
    frames = np.cos(2 * np.pi * (np.asarray(tones)[:, None] + 1) * n / FRAME).reshape(-1)
    audio = frames + rng.normal(0, 0.05, STEPS * FRAME)
    return np.concatenate([audio[None], time_code(times)]).astype(np.float32)


def draw_sensor(levels, rng, times=None):
    """levels: (STEPS,) ints; times: the true time of each step as recorded → (5, STEPS*FRAME):
    channel 0 the reading (level / (LEVELS-1), noisy), channels 1-4 the time code."""
    times = np.arange(STEPS) if times is None else times
    reading = np.repeat(np.asarray(levels) / (LEVELS - 1), FRAME) + rng.normal(0, 0.05, STEPS * FRAME)
    return np.concatenate([reading[None], time_code(times)]).astype(np.float32)


def random_objects(rng, count):
    """``count`` objects with distinct (colour, shape) pairs in distinct cells."""
    pairs = rng.choice(len(COLOURS) * len(SHAPES), count, replace=False)
    cells = rng.choice(GRID * GRID, count, replace=False)
    colours, shapes = list(COLOURS), list(SHAPES)
    return [(colours[p // len(SHAPES)], shapes[p % len(SHAPES)], int(c)) for p, c in zip(pairs, cells)]


def word_patch_alignment(words, objects):
    """(len(words), 16) bool: a colour word ↔ the cells of objects of that colour; a shape word likewise."""
    mask = np.zeros((len(words), GRID * GRID), bool)
    for i, w in enumerate(words):
        for colour, shape, cell in objects:
            mask[i, cell] |= w in (colour, shape)
    return mask


# ---------------------------------------------------------------- the tasks, one sample at a time

def sample_locate(rng, objects=3):
    """The caption names one object; the answer is its cell. Distractors share its colour or its shape."""
    while True:
        scene = random_objects(rng, objects)
        colour, shape, cell = scene[0]
        if any(c == colour for c, _, _ in scene[1:]) and any(s == shape for _, s, _ in scene[1:]):
            break                                  # both words are needed, and must be bound
    words = [colour, shape]
    return dict(image=draw_image(scene, rng), caption=words, label=cell,
                align={("caption", "image"): word_patch_alignment(words, scene)})


def sample_match(rng, objects=3):
    """Does some object have the caption's colour AND shape? Both words always occur in the picture."""
    label = int(rng.integers(2))
    while True:
        scene = random_objects(rng, objects)
        present = {(c, s) for c, s, _ in scene}
        if label:
            words = list(scene[rng.integers(objects)][:2])
            break
        absent = [(c, s) for c in {c for c, _ in present} for s in {s for _, s in present}
                  if (c, s) not in present]
        if absent:
            words = list(absent[rng.integers(len(absent))])
            break
    return dict(image=draw_image(scene, rng), caption=words, label=label,
                align={("caption", "image"): word_patch_alignment(words, scene)})


def sample_streams(rng, aligned=True, mismatches=(2, 4)):
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


def sample_tally(rng, num_modalities=4):
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


# ---------------------------------------------------------------- assembling a task

SPECS = {
    "match": dict(modalities=("image", "caption"), sampler=sample_match, classes=["no", "yes"], readout="any",
                  options=dict(objects=3),
                  description="Does the caption (a colour and a shape) describe an object in the picture? "
                              "Both words always occur somewhere, so only their binding decides."),
    "locate": dict(modalities=("image", "caption"), sampler=sample_locate, readout="pointer",
                   classes=modality("image").token_labels, options=dict(objects=3),
                   description="Which patch holds the object the caption names? Other objects share "
                               "its colour or its shape."),
    "streams": dict(modalities=("sound", "sensor"), sampler=sample_streams, classes=["agree", "differ"],
                    readout="soft_any", options=dict(aligned=True, mismatches=(2, 4)),
                    description="Does the sensor level differ from the sound's tone at some time step? "
                                "aligned=False shuffles the sensor's steps (each keeps its time stamp)."),
    "tally": dict(modalities=MODALITY_ORDER, sampler=sample_tally, classes=None, options={},
                  description="How many of the modalities carry the signal (a red object, the word "
                              "'red', the top tone, the top sensor level)? Every modality counts."),
}


def make_task(name, num_modalities=None, n_train=2000, n_test=500, seed=0, **options):
    """A generated task with train and test splits; the same arguments give the same data.

    ``TASKS`` lists the names; ``num_modalities`` is only free for "tally" (1 to 4, default 4).
    Options: match/locate ``objects`` (2-5); streams ``aligned`` (bool), ``mismatches`` (lo, hi).
    """
    if name not in SPECS:
        raise ValueError(f"unknown task {name!r}; choose one of {', '.join(TASKS)}")
    spec = SPECS[name]
    names = spec["modalities"]
    if name == "tally":
        m = 4 if num_modalities is None else num_modalities
        if isinstance(m, bool) or not isinstance(m, int) or not 1 <= m <= 4:
            raise ValueError(f"task 'tally' takes num_modalities from 1 to 4, got {num_modalities!r}")
        names, options = names[:m], {**options, "num_modalities": m}
    elif num_modalities not in (None, len(names)):
        raise ValueError(f"task {name!r} has exactly {len(names)} modalities ({', '.join(names)}), got "
                         f"num_modalities={num_modalities!r}; use 'tally' to vary the number of modalities")
    unknown = set(options) - set(spec["options"]) - {"num_modalities"}
    if unknown:
        raise ValueError(f"task {name!r} takes options {sorted(spec['options']) or 'none'}, "
                         f"got {sorted(unknown)}")
    objects, aligned = options.get("objects", 3), options.get("aligned", True)
    if isinstance(objects, bool) or not isinstance(objects, int) or not 2 <= objects <= 5:
        raise ValueError(f"objects must be an int from 2 to 5, got {objects!r}")
    if not isinstance(aligned, bool):
        raise ValueError(f"aligned must be True or False, got {aligned!r}")
    lo, hi = options.get("mismatches", (2, 4))
    if not 1 <= lo <= hi <= STEPS:
        raise ValueError(f"mismatches must be (lo, hi) with 1 <= lo <= hi <= {STEPS}, got {(lo, hi)!r}")
    positive_int(n_train, "n_train")
    positive_int(n_test, "n_test")
    options = {**spec["options"], **options}
    specs = [modality(n, caption_length=3 if name == "tally" else 2) for n in names]
    train_seq, test_seq = np.random.SeedSequence(seed).spawn(2)
    splits = [build_split(spec["sampler"], names, n, np.random.default_rng(s), options)
              for n, s in ((n_train, train_seq), (n_test, test_seq))]
    classes = spec["classes"] or [str(k) for k in range(len(names) + 1)]
    readout = spec.get("readout", "pooled")
    return Task(name, spec["description"], specs, len(classes), list(classes), *splits, readout=readout,
                pointer_modality=None if readout == "pooled" or name == "streams" else 0, options=options)


def build_split(sampler, names, n, rng, options):
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
