"""The six multimodal self-attention variants of the survey (Section 3.3.2), for M >= 1 modalities.

Notation: Z_m (batch, N_m, dim) is the token sequence of modality m, C(·) concatenation along the
token axis, Tf a stack of ``depth`` Transformer blocks (pre-norm stacks end with a LayerNorm).
Every model maps a list ``zs = [Z_1, ..., Z_M]`` to a :class:`~mmviz.outputs.FusionOutput` whose
``attention`` lists every map it drew, in the order it drew them, each record carrying its stage's
kind (``STAGE_KINDS``: joint, separate, cross, summed; the table every consumer reads).
``model(zs, key_padding_mask)`` takes one (batch, N_m) bool mask or None per modality, True = a padded
or absent token: no query reads it, the pooled vector skips it, and its own rows in the records are 0.
Position and modality-type embeddings belong to the embedders (``mmviz.tokens``), not here, so each
variant is its formula.
"""
from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import nn

from ._validate import MAX_MODALITIES, MAX_TOKENS, padding_mask, positive_int, probability
from .blocks import (
    Encoder,
    TransformerBlock,
    check_blocks,
    check_depth,
    check_dims,
    check_mlp_dim,
    check_norm,
)
from .outputs import FUSED, AttentionRecord, FusionOutput
from .stages import (  # noqa: F401  (the stage-kind table, importable from here too)
    STAGE_KINDS,
    Stage,
    StageKind,
    kind_of,
    reads_all,
    reads_others,
    reads_own,
    register_stage_kind,
)


def modality_labels(counts: Sequence[int], modalities: Sequence[int] | None = None) -> torch.Tensor:
    """(sum of counts,) LongTensor: token i of C(Z_1..Z_M) → its 0-based modality."""
    modalities = range(len(counts)) if modalities is None else modalities
    return torch.cat([torch.full((n,), m, dtype=torch.long) for m, n in zip(modalities, counts, strict=True)])


def check_alpha(alpha: Sequence[float], num_modalities: int) -> torch.Tensor:
    """alpha as a float tensor (M,); ValueError unless it is M finite numbers."""
    try:
        if isinstance(alpha, (str, bytes, dict)):       # iterable, but not a list of weights
            raise TypeError
        values = [float(a) for a in alpha]
    except (TypeError, ValueError):
        raise ValueError(f"alpha must be a sequence of {num_modalities} finite floats, "
                         f"got {alpha!r}") from None
    if len(values) != num_modalities:
        raise ValueError(f"alpha must hold one weight per modality ({num_modalities}), "
                         f"got {len(values)}: {alpha!r}")
    if not all(math.isfinite(a) for a in values):
        raise ValueError(f"alpha must be finite, got {alpha!r}")
    return torch.tensor(values)


# ---------------------------------------------------------------- padded and absent tokens

def stage_padding(kind: str, masks: list[torch.Tensor] | None, m: int = 0) -> torch.Tensor | None:
    """The key padding mask of block ``m`` of a stage of ``kind``, sliced by the kinds table
    (``StageKind.key_masks``) from the per-modality masks: None or M bool tensors (batch, N_m)."""
    if masks is None:
        return None
    return STAGE_KINDS[kind].key_masks([mask.shape[1] for mask in masks], masks)[m]


def hide_padded(weights: torch.Tensor, query_padding: torch.Tensor | None) -> torch.Tensor:
    """A record's weights with the rows of padded queries set to 0: a padded token reads nothing."""
    return weights if query_padding is None else weights.masked_fill(query_padding[:, None, :, None], 0.0)


def present_mean(tokens: torch.Tensor, padding: torch.Tensor | None) -> torch.Tensor:
    """Each sample's mean over its present tokens: tokens (batch, N, dim), padding (batch, N) or None."""
    if padding is None:
        return tokens.mean(dim=1)
    keep = (~padding).to(tokens.dtype)[..., None]
    return (tokens * keep).sum(dim=1) / keep.sum(dim=1)


class Fusion(nn.Module):
    """What the six variants share: the input checks and the packing of streams into a FusionOutput.

    Limits: num_modalities <= 16, depth <= 64 per stage, the sizes of ``TransformerBlock``, and at most
    20 M parameters in the depth·(M + 1) blocks a variant holds at most (refused before allocating).
    """

    variant: str | None = None    # its registered name; set in a subclass's body or by build_fusion

    def __init__(self, num_modalities: int, dim: int, depth: int = 2, heads: int = 4, norm: str = "pre",
                 mlp_dim: int | None = None, dropout: float = 0.0, variant: str | None = None) -> None:
        super().__init__()
        num_modalities = positive_int(num_modalities, "num_modalities", MAX_MODALITIES)
        depth = check_depth(depth)
        dim, heads = check_dims(dim, heads)
        check_norm(norm)
        dropout = probability(dropout, "dropout")
        check_blocks(depth * (num_modalities + 1), dim, check_mlp_dim(mlp_dim, dim),
                     f"a fusion model of {num_modalities} modalities, depth={depth}, dim={dim}")
        self.num_modalities, self.dim, self.depth, self.heads = num_modalities, dim, depth, heads
        self.norm, self.mlp_dim, self.dropout = norm, mlp_dim, dropout
        if variant is not None:       # the model's own name, never its class's: one class may serve two
            self.variant = variant
        if self.variant in VARIANTS:
            VARIANTS[self.variant].check_modalities(num_modalities)

    def encoder(self) -> Encoder:
        """A fresh stack of ``depth`` blocks with this model's sizes (one stage's Tf)."""
        return Encoder(self.dim, self.depth, self.heads, self.norm, self.mlp_dim, self.dropout)

    def check_inputs(self, zs: Sequence[torch.Tensor]) -> list[torch.Tensor]:
        """Raise a ValueError unless zs is M float tensors (batch, N_m, dim) with one batch size."""
        M = self.num_modalities
        if isinstance(zs, torch.Tensor) or not isinstance(zs, (list, tuple)):
            raise ValueError(f"expected a list of {M} tensors (batch, N_m, {self.dim}), "
                             f"got {type(zs).__name__}")
        if len(zs) != M:
            raise ValueError(f"expected {M} modality inputs (num_modalities={M}), got {len(zs)}")
        dtype = next(self.parameters()).dtype
        for m, z in enumerate(zs, start=1):
            if not isinstance(z, torch.Tensor):
                raise ValueError(f"modality {m}: expected a tensor, got {type(z).__name__}")
            if z.dim() != 3:
                raise ValueError(f"modality {m}: expected rank 3 (batch, N_m, {self.dim}), "
                                 f"got rank {z.dim()} with shape {tuple(z.shape)}")
            if z.shape[-1] != self.dim:
                raise ValueError(f"modality {m}: expected width dim={self.dim}, got {z.shape[-1]} "
                                 f"(shape {tuple(z.shape)})")
            if z.shape[1] == 0:
                raise ValueError(f"modality {m}: expected at least one token, got shape {tuple(z.shape)}")
            if not z.is_floating_point():
                raise ValueError(f"modality {m}: expected a float tensor, got dtype {z.dtype}")
            if z.dtype != dtype:
                raise ValueError(f"modality {m}: expected the model's dtype {dtype}, got {z.dtype}")
            if not torch.isfinite(z).all():       # a NaN would otherwise spread silently through softmax
                raise ValueError(f"modality {m}: expected finite tokens, got NaN or inf")
        if self.variant in VARIANTS:
            VARIANTS[self.variant].check([z.shape[1] for z in zs])
        batches = [z.shape[0] for z in zs]
        if len(set(batches)) > 1:
            raise ValueError(f"all modalities must share one batch size, got {batches}")
        return list(zs)

    def check_padding(self, zs: Sequence[torch.Tensor],
                      key_padding_mask: Sequence[torch.Tensor | None] | None) -> list[torch.Tensor] | None:
        """None for no mask, else M bool tensors (batch, N_m) (None entries become all False).

        A ValueError unless ``key_padding_mask`` is None or a list of one (batch, N_m) bool tensor or
        None per modality, leaving each sample at least one token.
        """
        if key_padding_mask is None:
            return None
        M = self.num_modalities
        if not isinstance(key_padding_mask, (list, tuple)) or len(key_padding_mask) != M:
            got = (f"a list of {len(key_padding_mask)}" if isinstance(key_padding_mask, (list, tuple))
                   else type(key_padding_mask).__name__)
            raise ValueError(f"key_padding_mask must be a list of {M} entries, one (batch, N_m) bool tensor "
                             f"or None per modality (True = padded or absent), got {got}")
        masks = []
        for m, (z, mask) in enumerate(zip(zs, key_padding_mask, strict=True), start=1):
            try:
                mask = padding_mask(mask, z.shape[0], z.shape[1])
            except ValueError as error:
                raise ValueError(f"modality {m}: {error}") from None
            masks.append(torch.zeros(z.shape[:2], dtype=torch.bool) if mask is None else mask)
        empty = torch.cat(masks, dim=1).all(dim=1)
        if empty.any():
            raise ValueError(f"key_padding_mask hides every token of every modality in sample(s) "
                             f"{empty.nonzero().flatten().tolist()}: a sample needs at least one token")
        return masks

    @staticmethod
    def records(stage: str, encoder: nn.Module, query_modality: torch.Tensor,
                key_modality: torch.Tensor | None = None, kind: str | None = None,
                query_padding: torch.Tensor | None = None) -> list[AttentionRecord]:
        """One AttentionRecord per layer of ``encoder``'s last run. stage: its display name; kind: its
        ``STAGE_KINDS`` name, by default the display name (a stage named by its kind: "joint");
        query_padding: (batch, N) True where a query is padded (its row in the records is 0)."""
        if not isinstance(encoder, Encoder):
            raise ValueError(f"stage {stage!r}: expected an mmviz Encoder, got {type(encoder).__name__}")
        key_modality = query_modality if key_modality is None else key_modality
        kind = stage if kind is None else kind
        if kind not in STAGE_KINDS:
            raise ValueError(f"stage {stage!r}: unknown stage kind {kind!r}; expected one of: "
                             f"{', '.join(STAGE_KINDS)}")
        return [AttentionRecord(stage, layer, hide_padded(weights, query_padding), query_modality,
                                key_modality, kind)
                for layer, weights in enumerate(encoder.attention) if weights is not None]

    @staticmethod
    def output(streams: Sequence[torch.Tensor], token_modality: torch.Tensor,
               attention: list[AttentionRecord], padding: torch.Tensor | None = None) -> FusionOutput:
        """Concatenate the final streams; pooled = mean over the present final tokens (batch, dim)."""
        tokens = torch.cat(list(streams), dim=1)
        return FusionOutput(tokens, token_modality, present_mean(tokens, padding), attention, padding)

    def extra_repr(self) -> str:
        return f"num_modalities={self.num_modalities}, dim={self.dim}, depth={self.depth}, norm={self.norm!r}"


class EarlySummation(Fusion):
    """Early summation: Z = Tf(α_1·Z_1 + … + α_M·Z_M), token i of every modality summed element-wise.

    Needs N_1 = … = N_M. Every token is then a mixture: its modality label is FUSED (-1) when
    M > 1. ``alpha=None`` learns α, starting from 1/M each (an average, so the sum keeps the scale
    of one modality); a sequence of M floats fixes α (a buffer). ``set_alpha`` moves α in place.
    One stage, "summed": queries and keys are the summed tokens. With M > 1 no final token belongs
    to one modality, so ``out.stream(m)`` is empty: read ``out.tokens`` (N_1 tokens) instead.
    """

    variant = "early_summation"

    def __init__(self, num_modalities: int, dim: int, alpha: Sequence[float] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(num_modalities, dim, **kwargs)
        M = num_modalities
        if alpha is None:
            self.alpha = nn.Parameter(torch.full((M,), 1.0 / M))
        else:
            self.register_buffer("alpha", check_alpha(alpha, M))
        self.tf = self.encoder()

    def set_alpha(self, alpha: Sequence[float]) -> None:
        """Set α (M finite floats) without rebuilding; a learnable α stays learnable."""
        values = check_alpha(alpha, self.num_modalities)
        with torch.no_grad():
            self.alpha.copy_(values)

    def forward(self, zs: Sequence[torch.Tensor],
                key_padding_mask: Sequence[torch.Tensor | None] | None = None) -> FusionOutput:
        zs = self.check_inputs(zs)
        masks = self.check_summable(self.check_padding(zs, key_padding_mask))
        counts = [z.shape[1] for z in zs]
        z = self.alpha[0] * zs[0]
        for a, zm in zip(self.alpha[1:], zs[1:], strict=True):
            z = z + a * zm
        padding = stage_padding("summed", masks)
        z = self.tf(z, padding)
        label = modality_labels([counts[0]], [FUSED if self.num_modalities > 1 else 0])
        return self.output([z], label, self.records("summed", self.tf, label, query_padding=padding), padding)

    def check_summable(self, masks):
        """The masks, if every modality pads the same positions; else a ValueError saying why not."""
        for m, mask in enumerate([] if masks is None else masks[1:], start=2):
            if torch.equal(mask, masks[0]):
                continue
            absent = torch.stack([k.all(dim=1) for k in masks])           # (M, batch)
            if absent.any():
                which, sample = (int(i) for i in absent.nonzero()[0])
                raise ValueError(f"early_summation cannot run with modality {which + 1} absent (sample "
                                 f"{sample}): it adds α_m·Z_m to token i of the other modalities, and an "
                                 f"α-weighted sum of aligned tokens has no 'absent' (a zero in its place "
                                 f"still changes the sum); use a variant that concatenates or cross-attends")
            raise ValueError(f"early_summation adds token i of every modality, so a padded position must be "
                             f"padded in every modality; modalities 1 and {m} are padded at different "
                             f"positions")
        return masks


class EarlyConcatenation(Fusion):
    """Early concatenation: Z = Tf(C(Z_1, …, Z_M)); every token attends to every token of every modality.

    One stage, "joint": queries and keys are all S = ΣN_m tokens.
    """

    variant = "early_concatenation"

    def __init__(self, num_modalities: int, dim: int, **kwargs: Any) -> None:
        super().__init__(num_modalities, dim, **kwargs)
        self.tf = self.encoder()

    def forward(self, zs: Sequence[torch.Tensor],
                key_padding_mask: Sequence[torch.Tensor | None] | None = None) -> FusionOutput:
        zs = self.check_inputs(zs)
        masks = self.check_padding(zs, key_padding_mask)
        label = modality_labels([z.shape[1] for z in zs])
        padding = stage_padding("joint", masks)
        z = self.tf(torch.cat(zs, dim=1), padding)
        return self.output([z], label, self.records("joint", self.tf, label, query_padding=padding), padding)


class MultiToOne(Fusion):
    """Hierarchical multi-stream → one-stream: Z = Tf_joint(C(Tf_1(Z_1), …, Tf_M(Z_M))).

    ``depth`` layers per stage: each "modality m encoder" has ``depth`` layers (queries and keys
    from modality m only), then the "joint" stage has ``depth`` layers over all tokens.
    """

    variant = "hierarchical_multi_to_one"

    def __init__(self, num_modalities: int, dim: int, **kwargs: Any) -> None:
        super().__init__(num_modalities, dim, **kwargs)
        self.separate = nn.ModuleList(self.encoder() for _ in range(num_modalities))
        self.joint = self.encoder()

    def forward(self, zs: Sequence[torch.Tensor],
                key_padding_mask: Sequence[torch.Tensor | None] | None = None) -> FusionOutput:
        zs = self.check_inputs(zs)
        masks = self.check_padding(zs, key_padding_mask)
        counts = [z.shape[1] for z in zs]
        records, streams = [], []
        for m, (tf, z) in enumerate(zip(self.separate, zs, strict=True)):
            own = stage_padding("separate", masks, m)     # an absent modality's encoder reads nothing
            streams.append(tf(z, own))
            records += self.records(f"modality {m + 1} encoder", tf, modality_labels([counts[m]], [m]),
                                    kind="separate", query_padding=own)
        label = modality_labels(counts)
        padding = stage_padding("joint", masks)
        z = self.joint(torch.cat(streams, dim=1), padding)
        records += self.records("joint", self.joint, label, query_padding=padding)
        return self.output([z], label, records, padding)


class OneToMulti(Fusion):
    """Hierarchical one-stream → multi-stream: C(Z_1..Z_M) ← Tf_joint(C(Z_1..Z_M)), then Z_m ← Tf_m(Z_m).

    ``depth`` layers per stage: the "joint" stage first, then each "modality m encoder" on its
    own slice of the joint output (queries and keys from modality m only).
    """

    variant = "hierarchical_one_to_multi"

    def __init__(self, num_modalities: int, dim: int, **kwargs: Any) -> None:
        super().__init__(num_modalities, dim, **kwargs)
        self.joint = self.encoder()
        self.separate = nn.ModuleList(self.encoder() for _ in range(num_modalities))

    def forward(self, zs: Sequence[torch.Tensor],
                key_padding_mask: Sequence[torch.Tensor | None] | None = None) -> FusionOutput:
        zs = self.check_inputs(zs)
        masks = self.check_padding(zs, key_padding_mask)
        counts = [z.shape[1] for z in zs]
        label = modality_labels(counts)
        padding = stage_padding("joint", masks)
        joint = self.joint(torch.cat(zs, dim=1), padding)
        records = self.records("joint", self.joint, label, query_padding=padding)
        streams = []
        for m, (tf, z) in enumerate(zip(self.separate, joint.split(counts, dim=1), strict=True)):
            own = stage_padding("separate", masks, m)
            streams.append(tf(z, own))
            records += self.records(f"modality {m + 1} encoder", tf, modality_labels([counts[m]], [m]),
                                    kind="separate", query_padding=own)
        return self.output(streams, label, records, padding)


class CrossAttention(Fusion):
    """Cross-attention: each stream's queries attend to the keys/values of the other modalities.

    Labelling: stream m keeps its own queries, Z_m ← Tf(Q_m; K, V from C(Z_j, j ≠ m)), so its token
    count and residual stay. For M = 2 that is the survey's pair Z_A ← MHSA(Q_B, K_A, V_A),
    Z_B ← MHSA(Q_A, K_B, V_B) with each result labelled by the modality that asks: our stream A is
    MHSA(Q_A, K_B, V_B). For M > 2 the keys/values are all other modalities concatenated (TriBERT).
    ``depth`` layers; in each, all streams update from the previous layer's streams. The stage
    "cross 1←2" means modality 1's queries read the keys/values of modality 2 ("cross 1←2+3" for
    M = 3): the arrow points the way information flows, the asking modality first, as in Z_1 ← MHSA(...).
    Within one layer a stream sees no tokens of its own modality: no self-context.
    Needs M >= 2. Pre-norm stacks end with one LayerNorm per stream.
    A query whose keys are all padded (M = 2 and the other modality absent from its sample) reads
    nothing: its attention update is 0, so the residual passes it on and only the MLP moves it.
    """

    variant = "cross_attention"

    def __init__(self, num_modalities: int, dim: int, **kwargs: Any) -> None:
        super().__init__(num_modalities, dim, **kwargs)
        d = self.dim
        self.cross = nn.ModuleList(
            nn.ModuleList(TransformerBlock(d, self.heads, self.mlp_dim, self.norm, self.dropout, cross=True)
                          for _ in range(num_modalities))
            for _ in range(self.depth))
        self.cross_norms = nn.ModuleList(nn.LayerNorm(d) if self.norm == "pre" else nn.Identity()
                                         for _ in range(num_modalities))

    def cross_stage(self, zs: list[torch.Tensor], masks: list[torch.Tensor] | None = None
                    ) -> tuple[list[torch.Tensor], list[AttentionRecord]]:
        """depth cross layers over the streams zs (padding masks: None or one per stream) → (new streams,
        records)."""
        M, counts = self.num_modalities, [z.shape[1] for z in zs]
        records = []
        for layer, blocks in enumerate(self.cross):
            new = []
            for m, block in enumerate(blocks):  # type: ignore[arg-type,var-annotated]  # ModuleList items
                others = [j for j in range(M) if j != m]
                context = torch.cat([zs[j] for j in others], dim=1)
                new.append(block(zs[m], context=context, key_padding_mask=stage_padding("cross", masks, m)))
                stage = f"cross {m + 1}←" + "+".join(str(j + 1) for j in others)
                queries = modality_labels([counts[m]], [m])
                keys = modality_labels([counts[j] for j in others], others)
                weights = hide_padded(block.attention, stage_padding("separate", masks, m))
                records.append(AttentionRecord(stage, layer, weights, queries, keys, "cross"))
            zs = new
        return [ln(z) for ln, z in zip(self.cross_norms, zs, strict=True)], records

    def forward(self, zs: Sequence[torch.Tensor],
                key_padding_mask: Sequence[torch.Tensor | None] | None = None) -> FusionOutput:
        zs = self.check_inputs(zs)
        masks = self.check_padding(zs, key_padding_mask)
        streams, records = self.cross_stage(zs, masks)
        return self.output(streams, modality_labels([z.shape[1] for z in zs]), records,
                           stage_padding("joint", masks))


class CrossToConcatenation(CrossAttention):
    """Cross-attention → concatenation: the cross stage, then Z = Tf_joint(C(Z_1, …, Z_M)).

    ``depth`` cross layers (as in :class:`CrossAttention`), then ``depth`` "joint" layers over all
    tokens, which add the global context (own modality included) that cross-attention misses.
    """

    variant = "cross_attention_to_concatenation"

    def __init__(self, num_modalities: int, dim: int, **kwargs: Any) -> None:
        super().__init__(num_modalities, dim, **kwargs)
        self.joint = self.encoder()

    def forward(self, zs: Sequence[torch.Tensor],
                key_padding_mask: Sequence[torch.Tensor | None] | None = None) -> FusionOutput:
        zs = self.check_inputs(zs)
        masks = self.check_padding(zs, key_padding_mask)
        streams, records = self.cross_stage(zs, masks)
        label = modality_labels([z.shape[1] for z in zs])
        padding = stage_padding("joint", masks)
        z = self.joint(torch.cat(streams, dim=1), padding)
        records += self.records("joint", self.joint, label, query_padding=padding)
        return self.output([z], label, records, padding)


# ---------------------------------------------------------------- the registry


@dataclass(frozen=True)
class Variant:
    """Everything mmviz knows about one fusion variant; every other module reads it from ``VARIANTS``.

    cls: its module (a :class:`Fusion`); kinds: the names of its stages' kinds (``STAGE_KINDS``), in
    the order they run; min_modalities; equal_counts: token i of every modality is combined, so all N_m
    must be equal; mixes_tokens: its final tokens belong to no single modality (no per-modality
    readout); takes_alpha: it has modality weights α; style: how curves draw it (marker, linestyle).
    """

    name: str
    cls: type
    kinds: tuple[str, ...]
    min_modalities: int = 1
    equal_counts: bool = False
    mixes_tokens: bool = False
    takes_alpha: bool = False
    style: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise ValueError(f"a variant's name must be a non-empty str, got {self.name!r}")
        if not (isinstance(self.cls, type) and issubclass(self.cls, Fusion)):
            raise ValueError(f"variant {self.name!r}: cls must be a subclass of mmviz.fusion.Fusion, "
                             f"got {self.cls!r}")
        if isinstance(self.kinds, str) or not isinstance(self.kinds, tuple) or not self.kinds:
            raise ValueError(f"variant {self.name!r}: kinds must be a non-empty tuple of stage kind names, "
                             f"got {self.kinds!r}")

    def stages(self, counts: Sequence[int]) -> list[Stage]:
        """Its stages for token counts [N_1..N_M], in the order they run, each with its kind."""
        return [Stage(STAGE_KINDS[k], STAGE_KINDS[k].blocks(counts)) for k in self.kinds]

    def how(self) -> str:
        """One line on how it fuses, from its stage kinds: "an encoder per modality, then one ..."."""
        return ", then ".join(STAGE_KINDS[k].how for k in self.kinds)

    def check_modalities(self, num_modalities: int, counts: Sequence[int] | None = None) -> None:
        if num_modalities < self.min_modalities:
            got = f"token counts {counts}" if counts is not None else f"num_modalities={num_modalities}"
            raise ValueError(f"{self.name} needs at least {self.min_modalities} modalities to attend across, "
                             f"got {got}; with one modality use 'early_concatenation'")

    def check(self, counts: Sequence[int], names: Sequence[str] | None = None) -> None:
        """Raise a ValueError unless this variant can run on modalities with token counts ``counts``."""
        self.check_modalities(len(counts), counts)
        if self.equal_counts and len(set(counts)) > 1:
            shown = dict(zip(names, counts)) if names else counts
            raise ValueError(f"{self.name} adds token i of every modality, so it needs equal token counts, "
                             f"got {shown}; use 'early_concatenation' for unequal counts")


VARIANTS: dict[str, Variant] = {}
# The survey's six, in its order: what the notebooks, exercises and evidence compare. VARIANTS may
# grow (register_variant); code that means "every registered variant" reads VARIANTS.
FUSION_VARIANTS = ("early_summation", "early_concatenation", "hierarchical_multi_to_one",
                   "hierarchical_one_to_multi", "cross_attention", "cross_attention_to_concatenation")


def register_variant(variant: Variant) -> Variant:
    """Add a :class:`Variant` to the registry (cost, training, plots, playground and explorers read it).

    Args:
        variant: e.g. ``Variant("late_fusion", LateFusion, ("separate",))``; its stage kinds must be
            registered (``STAGE_KINDS``) and its name new. Use :func:`registered` for a variant that
            should disappear again (a test's).

    Changes no class: a model learns its variant's name when ``build_fusion`` builds it (or from its
    class's ``variant`` attribute). A ValueError if the name is taken or a stage kind is unknown.
    """
    if not isinstance(variant, Variant):
        raise ValueError(f"expected a mmviz.fusion.Variant, got {type(variant).__name__}")
    if variant.name in VARIANTS:
        raise ValueError(f"fusion variant {variant.name!r} is already registered; pick another name")
    unknown = [k for k in variant.kinds if k not in STAGE_KINDS]
    if unknown:
        raise ValueError(f"variant {variant.name!r} has unknown stage kinds {unknown}; register them first "
                         f"(register_stage_kind) or use one of: {', '.join(STAGE_KINDS)}")
    VARIANTS[variant.name] = variant
    return variant


@contextmanager
def registered(*entries: StageKind | Variant) -> Iterator[None]:
    """Register stage kinds and variants for the length of a ``with`` block, then remove them again
    (so a test's variant stays in that test): ``with registered(kind, variant): ...``."""
    done: list[StageKind | Variant] = []
    try:
        for entry in entries:
            if isinstance(entry, StageKind):
                register_stage_kind(entry)
            else:
                register_variant(entry)
            done.append(entry)
        yield
    finally:
        for entry in reversed(done):
            del (STAGE_KINDS if isinstance(entry, StageKind) else VARIANTS)[entry.name]


for _v in (
    Variant("early_summation", EarlySummation, ("summed",),
            equal_counts=True, mixes_tokens=True, takes_alpha=True, style=dict(marker="o", ls="-")),
    Variant("early_concatenation", EarlyConcatenation, ("joint",), style=dict(marker="s", ls="--")),
    Variant("hierarchical_multi_to_one", MultiToOne, ("separate", "joint"), style=dict(marker="D", ls="-.")),
    Variant("hierarchical_one_to_multi", OneToMulti, ("joint", "separate"), style=dict(marker="^", ls=":")),
    Variant("cross_attention", CrossAttention, ("cross",), min_modalities=2,
            style=dict(marker="v", ls=(0, (5, 1)))),
    Variant("cross_attention_to_concatenation", CrossToConcatenation, ("cross", "joint"),
            min_modalities=2, style=dict(marker="P", ls=(0, (3, 1, 1, 1)))),
):
    register_variant(_v)


def variant_of(name: str) -> Variant:
    """The registered :class:`Variant` called ``name``; a ValueError listing the known ones otherwise."""
    if not isinstance(name, str) or name not in VARIANTS:
        raise ValueError(f"unknown fusion variant {name!r}; expected one of: {', '.join(VARIANTS)}")
    return VARIANTS[name]


def build_fusion(variant: str, num_modalities: int, dim: int, depth: int = 2, heads: int = 4,
                 norm: str = "pre", alpha: Sequence[float] | None = None, mlp_dim: int | None = None,
                 dropout: float = 0.0) -> Fusion:
    """The fusion model of one survey variant: ``model(zs)`` → FusionOutput.

    zs: list of M tensors (batch, N_m, dim) → tokens (batch, N, dim), token_modality (N,),
    pooled (batch, dim) = mean of the final tokens, attention = [AttentionRecord, ...].
    ``depth`` counts layers per stage, so the two-stage variants (both hierarchies and
    cross→concatenation) run 2·depth layers on each token, the others depth:
        early_summation                   "summed"
        early_concatenation               "joint"
        hierarchical_multi_to_one         "modality m encoder" (m = 1..M), then "joint"
        hierarchical_one_to_multi         "joint", then "modality m encoder"
        cross_attention                   "cross m←j" (M ≥ 2)
        cross_attention_to_concatenation  "cross m←j", then "joint" (M ≥ 2)
    ``alpha`` applies to early summation only (None = learnable, starting at 1/M each).

    Args:
        variant: a name registered in ``VARIANTS`` (``FUSION_VARIANTS`` lists the survey's six).
        num_modalities: M, from 1 (cross-attention needs 2) to 16.
        dim: the token width d; heads must divide it.
        depth: layers per stage.
        heads: attention heads per layer.
        norm: "pre" (LayerNorm before each sub-layer) or "post" (after each residual add).
        alpha: early summation's M weights, or None to learn them.
        mlp_dim: the MLP's hidden width (None: 4·dim).
        dropout: in [0, 1).
    Returns the model; it knows its variant's name (``model.variant``) whatever its class.
    """
    spec = variant_of(variant)
    kwargs = dict(depth=depth, heads=heads, norm=norm, mlp_dim=mlp_dim, dropout=dropout, variant=spec.name)
    if spec.takes_alpha:
        return spec.cls(num_modalities, dim, alpha=alpha, **kwargs)
    if alpha is not None:
        raise ValueError(f"alpha weights only the early_summation variant, got alpha={alpha!r} "
                         f"for {variant!r}")
    return spec.cls(num_modalities, dim, **kwargs)


def stage_masks(variant: str, counts: Sequence[int]) -> list[tuple[str, torch.Tensor]]:
    """Each stage of ``variant`` as a mask over one graph, from the registry: [(stage name, mask)].

    counts: token counts [N_1..N_M]. mask: bool (S, S) over C(Z_1..Z_M), S = ΣN_m, True where a query
    (row) may read a key (column), from the stage's kind (:meth:`StageKind.mask`): "joint" every pair,
    "separate" the pairs inside one modality, "cross" the pairs across modalities; "summed" (N_1, N_1)
    over the summed sequence. A stage runs
    ``depth`` such layers. The mask shows which edges exist, not that separate streams also have
    separate weights. A ValueError if the variant cannot run on ``counts``.
    """
    spec = variant_of(variant)
    try:
        counts = [positive_int(n, "counts", MAX_TOKENS) for n in counts]
    except (TypeError, ValueError):
        raise ValueError(f"counts must be token counts [N_1, ..., N_M], ints from 1 to {MAX_TOKENS}, "
                         f"got {counts!r}") from None
    if not counts or sum(counts) > MAX_TOKENS:
        raise ValueError(f"counts must hold 1 to {MAX_TOKENS} tokens in all (one (S, S) mask each), "
                         f"got {counts}")
    spec.check(counts)
    masks = []
    for stage in spec.stages(counts):
        mask = stage.kind.mask(counts)
        if int(mask.sum()) != sum(q * k for q, k in stage.blocks):    # blocks overlap, or miss a modality
            raise ValueError(f"stage {stage.name!r} of {variant}: its mask and its blocks count different "
                             "edges (do two of its blocks read the same query-key pair?)")
        masks.append((stage.name, mask))
    return masks
