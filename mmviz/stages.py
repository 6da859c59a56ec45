"""The kinds of stage a fusion variant is built from, as data: which modality's queries read which
keys, and everything a picture, a caption or an exercise says about that (``STAGE_KINDS``).

A variant (``mmviz.fusion.Variant``) names its stages' kinds in the order they run; every
:class:`~mmviz.outputs.AttentionRecord` carries its stage's kind. The cost (``mmviz.measure``), the
masks (``mmviz.fusion.stage_masks``), the mask pictures (``mmviz.plot.compare``), the explorer's
caption (``mmviz.explore.look``) and the exercises' answers (``mmviz.check``) read this table, so a
new kind of stage is one :func:`register_stage_kind` (``tests/test_new_stage_kind.py`` adds one).
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import torch

from .outputs import AttentionRecord

Reads = tuple[tuple[tuple[int, ...], tuple[int, ...]], ...]   # ((query modalities, key modalities), ...)


@dataclass(frozen=True)
class StageKind:
    """One kind of stage (joint, separate, cross, summed, ...) as data; every consumer reads it from
    ``STAGE_KINDS`` instead of parsing stage names.

    name: the key in ``STAGE_KINDS`` and every :class:`AttentionRecord`'s ``kind``;
    reads(M) → ((query modalities, key modalities), ...): the attention blocks of one layer for M
    modalities (0-based), each a set of queries reading a set of keys; summed: its tokens are the
    element-wise sums of all modalities (one sequence of N_1 tokens, one block); title: the mask
    picture's title, ``{a}`` and ``{b}`` the first two modalities' names; look: what to look for in one
    of its maps, ``{q}`` and ``{k}`` its query and key modalities' names; how: the phrase that describes
    it in one line about a variant ("an encoder per modality").
    """

    name: str
    reads: Callable[[int], Reads]
    title: str
    look: str
    how: str
    summed: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise ValueError(f"a stage kind's name must be a non-empty str, got {self.name!r}")
        if not callable(self.reads):
            raise ValueError(f"stage kind {self.name!r}: reads must be a function M -> ((query modalities, "
                             f"key modalities), ...), got {self.reads!r}")
        for what in ("title", "look", "how"):
            if not isinstance(getattr(self, what), str):
                raise ValueError(f"stage kind {self.name!r}: {what} must be a str, "
                                 f"got {getattr(self, what)!r}")

    def blocks(self, counts: Sequence[int]) -> tuple[tuple[int, int], ...]:
        """(queries, keys) token counts of each block of one layer, for token counts [N_1..N_M]."""
        if self.summed:
            return ((counts[0], counts[0]),)
        return tuple((sum(counts[q] for q in qs), sum(counts[k] for k in ks))
                     for qs, ks in self.reads(len(counts)))

    def mask(self, counts: Sequence[int]) -> torch.Tensor:
        """bool (S, S) over C(Z_1..Z_M), S = ΣN_m, True where a query (row) may read a key (column);
        (N_1, N_1), all True, for a summed stage."""
        if self.summed:
            return torch.ones(counts[0], counts[0], dtype=torch.bool)
        labels = torch.repeat_interleave(torch.arange(len(counts)), torch.tensor(list(counts)))
        mask = torch.zeros(len(labels), len(labels), dtype=torch.bool)
        for qs, ks in self.reads(len(counts)):
            queries, keys = torch.isin(labels, torch.tensor(qs)), torch.isin(labels, torch.tensor(ks))
            mask |= queries[:, None] & keys[None, :]
        return mask

    def key_masks(self, counts: Sequence[int],
                  key_padding_mask: Sequence[torch.Tensor | None]) -> list[torch.Tensor | None]:
        """How this kind slices a padding mask: for each block of one layer, the (batch, N_keys) mask of
        its keys (True = padded), from one (batch, N_m) bool tensor or None per modality; None for every
        block when no modality has one. A summed position is padded where every modality is."""
        if all(m is None for m in key_padding_mask):
            return [None] * len(self.blocks(counts))
        batch = next(m for m in key_padding_mask if m is not None).shape[0]
        full = [torch.zeros(batch, n, dtype=torch.bool) if m is None else m
                for n, m in zip(counts, key_padding_mask, strict=True)]
        if self.summed:
            return [torch.stack(full).all(0)]
        return [torch.cat([full[k] for k in ks], dim=1) for _, ks in self.reads(len(counts))]


def reads_all(M: int) -> Reads:
    """Every token reads every token: one block."""
    everyone = tuple(range(M))
    return ((everyone, everyone),)


def reads_own(M: int) -> Reads:
    """Each modality reads only itself: one block per modality."""
    return tuple(((m,), (m,)) for m in range(M))


def reads_others(M: int) -> Reads:
    """Each modality's queries read the keys of all the other modalities."""
    return tuple(((m,), tuple(j for j in range(M) if j != m)) for m in range(M))


STAGE_KINDS: dict[str, StageKind] = {}


def register_stage_kind(kind: StageKind) -> StageKind:
    """Add a :class:`StageKind` to ``STAGE_KINDS``; a ValueError if its name is taken."""
    if not isinstance(kind, StageKind):
        raise ValueError(f"expected a mmviz.fusion.StageKind, got {type(kind).__name__}")
    if kind.name in STAGE_KINDS:
        raise ValueError(f"stage kind {kind.name!r} is already registered; pick another name "
                         "(or unregister the old one first)")
    STAGE_KINDS[kind.name] = kind
    return kind


for _k in (
    StageKind("summed", reads_all, "summed: {a}+{b}, token i with i",
              "Each token is the α-weighted sum of every modality at one position (right: α per modality), "
              "so this map cannot tell the modalities apart, nor show α: it shows which positions look at "
              "which. To see what α does, train the model (Train to target), then move an α slider and "
              "watch the test accuracy in the status line.",
              "one encoder over the summed tokens, as few as one modality has", summed=True),
    StageKind("joint", reads_all, "joint: all pairs",
              "One sequence of all tokens: the blocks off the diagonal (between the white lines) are "
              "attention across modalities; bright cells there mean a token reads the other modality.",
              "one encoder over all tokens"),
    StageKind("separate", reads_own, "separate: inside each modality",
              "A separate encoder: {q} tokens attend only to {k} tokens, so nothing crosses modalities in "
              "this stage; the right panel's single block says the same.",
              "an encoder per modality"),
    StageKind("cross", reads_others, "cross: {a}←{b} and {b}←{a}",
              "Cross-attention: {q} queries read only {k} keys; each row shows which {k} tokens one {q} "
              "token takes its update from.",
              "each modality's queries on the others' keys"),
):
    register_stage_kind(_k)


def kind_of(record: AttentionRecord) -> StageKind:
    """The registered :class:`StageKind` of an attention record; a ValueError naming the known ones."""
    if record.kind not in STAGE_KINDS:
        raise ValueError(f"record {record.name!r} has stage kind {record.kind!r}, which is not registered; "
                         f"expected one of: {', '.join(STAGE_KINDS)}")
    return STAGE_KINDS[record.kind]


@dataclass(frozen=True)
class Stage:
    """One stage of a variant, as the cost and the pictures need it: its kind and the blocks of one
    layer, each as (queries, keys) token counts. A stage runs ``depth`` such layers."""

    kind: StageKind
    blocks: tuple[tuple[int, int], ...]

    @property
    def name(self) -> str:
        return self.kind.name
