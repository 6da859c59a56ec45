"""The generated world: objects on a 4x4 grid, and how each modality is drawn from a scene.

A scene holds a few objects, each a colour and a shape in one cell of a 4x4 grid. Every modality is
drawn from the scene with numpy (nothing is downloaded): a picture, a caption, a sound, a sensor
trace. ``Modality`` says what an embedder needs to know of one; ``Split`` and ``Task`` hold data.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import torch

from .._validate import int_in
from ..outputs import FUSED

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
PAD, PAD_ID = "<pad>", len(VOCAB)          # no word: one past the real ones (SymbolEmbedding's pad_id)
GRID, CELL = 4, 6                          # a 4x4 grid of 6x6-pixel patches: a 24x24 picture
STEPS, FRAME = 8, 8                        # sound and sensor: 8 time steps of 8 samples each
LEVELS = 4                                 # a sound step is one of 4 tones, a sensor step one of 4 levels
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
    def num_tokens(self) -> int:
        return len(self.token_labels)

    @property
    def vocab_size(self) -> int:
        return len(self.vocab)


def modality(name: str, caption_length: int = 2) -> Modality:
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

    def first(self, n: int) -> list[torch.Tensor]:
        """The inputs of the first ``n`` samples, one tensor per modality: what a model takes."""
        return [x[:n] for x in self.inputs]

    def blanked(self, absent, n=None):
        """The inputs of the first ``n`` samples (all for None) with the modalities ``absent`` (0-based
        indices) blanked: PAD words, zero signals and pictures. Mask them too (``Task.without``)."""
        inputs = self.inputs if n is None else self.first(n)
        return [(torch.full_like(x, PAD_ID) if x.dtype == torch.long else torch.zeros_like(x))
                if m in set(absent) else x for m, x in enumerate(inputs)]


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
    def num_modalities(self) -> int:
        return len(self.modalities)

    def split(self, split: str) -> Split:
        if not isinstance(split, str) or split not in ("train", "test"):
            raise ValueError(f"split must be 'train' or 'test', got {split!r}")
        return self.train if split == "train" else self.test

    def modality_indices(self, names: Sequence[str | int] | str | int) -> list[int]:
        """0-based indices of modalities given by name ("caption") or index; a ValueError otherwise."""
        names = [names] if isinstance(names, (str, int)) else list(names)
        known = [m.name for m in self.modalities]
        out = []
        for name in names:
            if isinstance(name, str) and name in known:
                out.append(known.index(name))
            elif isinstance(name, int) and not isinstance(name, bool) and 0 <= name < len(known):
                out.append(name)
            else:
                raise ValueError(f"unknown modality {name!r} of task {self.name!r}; expected one of "
                                 f"{known} or an index from 0 to {len(known) - 1}")
        return sorted(set(out))

    def without(self, absent: Sequence[str | int] | str | int, split: str = "test",
                n: int | None = None) -> tuple[list[torch.Tensor], list[torch.Tensor | None]]:
        """(inputs, key_padding_mask): the first ``n`` samples of ``split`` with the modalities ``absent``
        (names or 0-based indices) blanked and masked in every sample; None masks where present."""
        absent = self.modality_indices(absent)
        inputs = self.split(split).blanked(absent, n)
        masks = [torch.ones(x.shape[0], spec.num_tokens, dtype=torch.bool) if m in absent else None
                 for m, (x, spec) in enumerate(zip(inputs, self.modalities, strict=True))]
        return inputs, masks

    def sample_index(self, i: int, split: str) -> int:
        """``i`` as an int in [0, samples of ``split``), or a ValueError naming the sample."""
        return int_in(i, 0, len(self.split(split)) - 1, f"sample (of the {split} split)")

    def image(self, i: int, split: str = "test") -> np.ndarray:
        """Sample ``i``'s picture as an (H, W, 3) array for ``plt.imshow``."""
        names = [m.name for m in self.modalities]
        if "image" not in names:
            raise ValueError(f"task {self.name!r} has no image; its modalities are {names}")
        i = self.sample_index(i, split)
        return self.split(split).inputs[names.index("image")][i].permute(1, 2, 0).numpy()

    def token_labels(self, i: int, split: str = "test") -> list[list[str]]:
        """Readable labels of sample ``i``'s tokens: one list of str per modality."""
        i = self.sample_index(i, split)
        words = self.split(split).words
        return [words[m][i].tolist() if m in words else list(spec.token_labels)
                for m, spec in enumerate(self.modalities)]

    def labels_of(self, modality_of_tokens: Sequence[int] | torch.Tensor, i: int = 0,
                  split: str = "test") -> list[str]:
        """One label per token of a record's queries or keys, from sample ``i``.

        modality_of_tokens: (N,) 0-based modality indices (``record.query_modality`` or
        ``.key_modality``), tokens of each modality in order → ["patch (0,0)", …, "red", "circle"];
        a summed (FUSED) token is "Σ t=3".
        """
        words = self.token_labels(i, split)
        try:
            modalities = [int(x) for x in torch.as_tensor(modality_of_tokens).flatten()]
        except (TypeError, ValueError, RuntimeError):
            raise ValueError(f"modality_of_tokens must be a (N,) tensor of modality indices, "
                             f"got {modality_of_tokens!r:.100}") from None
        seen: dict[int, int] = {}
        out: list[str] = []
        for m in modalities:
            k = seen.get(m, 0)
            seen[m] = k + 1
            if m == FUSED:
                out.append(f"Σ {words[0][k]}")
            elif 0 <= m < len(words) and k < len(words[m]):
                out.append(str(words[m][k]))
            else:
                raise ValueError(f"token {k} of modality {m} has no label in task {self.name!r} "
                                 f"({len(words)} modalities)")
        return out


# ---------------------------------------------------------------- drawing the modalities


def draw_image(objects: Sequence[tuple[str, str, int]], rng: np.random.Generator) -> np.ndarray:
    """objects: [(colour, shape, cell)] → (3, 24, 24) float32 picture on a dark, slightly noisy ground."""
    size = GRID * CELL
    img = np.full((size, size, 3), 0.08) + rng.normal(0, 0.03, (size, size, 3))
    for colour, shape, cell in objects:
        r, c = divmod(cell, GRID)
        patch = img[r * CELL:(r + 1) * CELL, c * CELL:(c + 1) * CELL]
        patch[SHAPES[shape]] = np.array(COLOURS[colour]) + rng.normal(0, 0.03, 3)
    return np.clip(img, 0, 1).transpose(2, 0, 1).astype(np.float32)


def time_code(times: np.ndarray) -> np.ndarray:
    """(4, STEPS*FRAME): each step's time stamp as sin/cos at 1 and 2 cycles per recording, the way a
    recorder writes a time-code track next to its signal."""
    phase = 2 * np.pi * np.repeat(np.asarray(times), FRAME) / STEPS
    return np.stack([np.sin(phase), np.cos(phase), np.sin(2 * phase), np.cos(2 * phase)])


def draw_sound(tones: np.ndarray, rng: np.random.Generator, times: np.ndarray | None = None) -> np.ndarray:
    """tones: (STEPS,) ints in [0, LEVELS) → (5, STEPS*FRAME): channel 0 the sound, a cosine of k+1
    cycles per step for tone k (one clean, orthogonal pattern per step); channels 1-4 the time code."""
    times = np.arange(STEPS) if times is None else times
    n = np.arange(FRAME)
    frames = np.cos(2 * np.pi * (np.asarray(tones)[:, None] + 1) * n / FRAME).reshape(-1)
    audio = frames + rng.normal(0, 0.05, STEPS * FRAME)
    return np.concatenate([audio[None], time_code(times)]).astype(np.float32)


def draw_sensor(levels: np.ndarray, rng: np.random.Generator, times: np.ndarray | None = None) -> np.ndarray:
    """levels: (STEPS,) ints; times: the true time of each step as recorded → (5, STEPS*FRAME):
    channel 0 the reading (level / (LEVELS-1), noisy), channels 1-4 the time code."""
    times = np.arange(STEPS) if times is None else times
    reading = np.repeat(np.asarray(levels) / (LEVELS - 1), FRAME) + rng.normal(0, 0.05, STEPS * FRAME)
    return np.concatenate([reading[None], time_code(times)]).astype(np.float32)


def random_objects(rng: np.random.Generator, count: int) -> list[tuple[str, str, int]]:
    """``count`` objects with distinct (colour, shape) pairs in distinct cells."""
    pairs = rng.choice(len(COLOURS) * len(SHAPES), count, replace=False)
    cells = rng.choice(GRID * GRID, count, replace=False)
    colours, shapes = list(COLOURS), list(SHAPES)
    return [(colours[p // len(SHAPES)], shapes[p % len(SHAPES)], int(c)) for p, c in zip(pairs, cells)]


def word_patch_alignment(words: Sequence[str], objects: Sequence[tuple[str, str, int]]) -> np.ndarray:
    """(len(words), 16) bool: a colour word ↔ the cells of objects of that colour; a shape word likewise."""
    mask = np.zeros((len(words), GRID * GRID), bool)
    for i, w in enumerate(words):
        for colour, shape, cell in objects:
            mask[i, cell] |= w in (colour, shape)
    return mask


def record_labels(task: Task, modality_of_tokens: Sequence[int] | torch.Tensor, sample: int = 0,
                  split: str = "test") -> list[str]:
    """``task.labels_of(modality_of_tokens, sample, split)``: one readable label per token of a record."""
    if not isinstance(task, Task):
        raise ValueError(f"task must be a Task from mmviz.make_task, got {type(task).__name__}")
    return task.labels_of(modality_of_tokens, sample, split)
