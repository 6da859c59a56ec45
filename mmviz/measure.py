"""Numbers about models and their attention, no drawing: cost, alignment, modality mass, influence.

- cost: FLOPs of a variant from the registry's stages (``attention_cost``), parameters, and the
  parameters a loss never reaches (``parameters_without_gradient``);
- alignment: how selectively queries attend to the tokens the ground truth pairs with them
  (``alignment_auc``, 0.5 = no preference; ``alignment_scores``, the older ratio to uniform);
- modality mass: the M×M share of attention between modalities (``modality_blocks``) and the
  cross-modal share (``cross_modal_share``);
- reading: the query rows of each map whose outputs the loss never reads (``unread_queries``);
- influence: perturb one modality's tokens, measure how far another's move (``stream_influence``,
  ``stage_change``, ``self_context_change``): the survey's structural claims, measured (07-09).
"""
from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch.nn import functional as F

from ._threads import one_thread
from ._validate import MAX_MODALITIES, MAX_SAMPLES, MAX_TOKENS, flag, int_in, one_of, positive_int
from .blocks import Attention, check_depth, check_dims, check_mlp_dim
from .data import Task
from .fusion import VARIANTS, Fusion, variant_of
from .outputs import FUSED, AttentionRecord, FusionOutput
from .train import FusionClassifier, History, check_model

# ---------------------------------------------------------------- cost


def block_cost(n_queries: int, n_keys: int, dim: int, mlp_dim: int) -> tuple[int, int]:
    """(attention-core FLOPs, projection + MLP FLOPs) of one block; a multiply-add counts 2.

        attention core (QKᵀ and weights·V)          4·N_q·N_k·d   (whatever the number of heads)
        projections (Q, out on N_q; K, V on N_k)    4·N_q·d² + 4·N_k·d²
        MLP                                         4·N_q·d·d_ff
    LayerNorm, softmax and activations are left out (O(N·d); FlopCounterMode skips them too).
    """
    attention = 4 * n_queries * n_keys * dim
    projection_mlp = 4 * n_queries * dim * dim + 4 * n_keys * dim * dim + 4 * n_queries * dim * mlp_dim
    return attention, projection_mlp


def check_counts(token_counts: Sequence[int]) -> list[int]:
    """token_counts as a list of ints from 1 to 4096 (tokens per modality), or a ValueError."""
    try:
        if not isinstance(token_counts, (list, tuple)) or not token_counts:
            raise ValueError
        return [positive_int(n, "token count", MAX_TOKENS) for n in token_counts]
    except ValueError:
        raise ValueError(f"token_counts must be a non-empty list of ints from 1 to {MAX_TOKENS}, "
                         f"got {token_counts!r}") from None


def attention_cost(variant: str, token_counts: Sequence[int], dim: int, depth: int = 2, heads: int = 4,
                   mlp_dim: int | None = None) -> dict[str, Any]:
    """FLOPs of ``build_fusion(variant, len(token_counts), dim, depth, heads, mlp_dim=mlp_dim)`` per example.

    token_counts: [N_1, ..., N_M]. Returns {"attention", "projection_mlp", "total"} plus
    {"stages": {stage: FLOPs}}, the stages as the variant's registry entry lists them. With
    S = ΣN_m, Q₂ = ΣN_m², per layer the attention core is 4S²d for a joint stage, 4Q₂d for
    separate encoders and 4(S² − Q₂)d for a cross stage.
    """
    spec = variant_of(variant)
    dim, heads = check_dims(dim, heads)
    depth = check_depth(depth)
    counts = check_counts(token_counts)
    spec.check(counts)
    mlp_dim = check_mlp_dim(mlp_dim, dim)
    stages: dict[str, tuple[int, int]] = {}
    for stage in spec.stages(counts):
        parts = [block_cost(nq, nk, dim, mlp_dim) for nq, nk in stage.blocks]
        a, p = stages.get(stage.name, (0, 0))
        stages[stage.name] = (a + depth * sum(x for x, _ in parts), p + depth * sum(y for _, y in parts))
    attention = sum(a for a, _ in stages.values())
    projection_mlp = sum(p for _, p in stages.values())
    return {"attention": attention, "projection_mlp": projection_mlp, "total": attention + projection_mlp,
            "stages": {name: a + p for name, (a, p) in stages.items()}}


def cost_curves(token_counts: Sequence[int], num_modalities: int = 2, dim: int = 32, depth: int = 2,
                heads: int = 4, part: str = "attention",
                variants: Sequence[str] | None = None) -> dict[str, list[int]]:
    """{variant: [FLOPs at N tokens per modality, for N in token_counts]} for every registered variant
    (or ``variants``) that can run with ``num_modalities`` modalities of equal size.
    part: "attention", "projection_mlp" or "total" (see :func:`attention_cost`)."""
    one_of(part, ("attention", "projection_mlp", "total"), "part")
    num_modalities = positive_int(num_modalities, "num_modalities", MAX_MODALITIES)
    token_counts = check_counts(token_counts)
    if variants is not None and not isinstance(variants, (list, tuple)):
        raise ValueError(f"variants must be None (all) or a list of variant names, got {variants!r}")
    names = list(VARIANTS) if variants is None else [variant_of(v).name for v in variants]
    runs = [v for v in names if variant_of(v).min_modalities <= num_modalities]
    return {v: [attention_cost(v, [n] * num_modalities, dim, depth, heads)[part] for n in token_counts]
            for v in runs}


def count_parameters(module: torch.nn.Module, trainable_only: bool = False) -> int:
    """Number of scalar parameters of ``module`` (only those with requires_grad if ``trainable_only``)."""
    if not isinstance(module, torch.nn.Module):
        raise ValueError(f"module must be a torch.nn.Module, got {type(module).__name__}")
    trainable_only = flag(trainable_only, "trainable_only")
    return sum(p.numel() for p in module.parameters() if p.requires_grad or not trainable_only)


@one_thread()
def parameters_without_gradient(model: FusionClassifier, task: Task, n: int = 64) -> list[str]:
    """Names of ``model``'s trainable parameters that get no gradient from the task loss on ``n``
    training samples: the parts its readout never reads, which therefore never train."""
    check_model(model, task)
    n = positive_int(n, "n", MAX_SAMPLES)
    was_training = model.training
    model.zero_grad(set_to_none=True)
    model.train()
    try:
        F.cross_entropy(model(task.train.first(n)), task.train.labels[:n]).backward()
        return [name for name, p in model.named_parameters()
                if p.requires_grad and (p.grad is None or not bool(p.grad.abs().sum() > 0))]
    finally:
        model.zero_grad(set_to_none=True)
        model.train(was_training)

# ---------------------------------------------------------------- alignment


@one_thread()
def aligned_pairs(model: FusionClassifier, task: Task, split: str = "test",
                  n: int = 200) -> Iterator[tuple[str, torch.Tensor, torch.Tensor, torch.Tensor]]:
    """Each attention map that pairs two modalities, in both directions: yields (name, w, keys, aligned)
    with w (batch, Nq_a, Nk) the heads-averaged rows of modality a's queries, keys (Nk,) bool for the
    keys of modality b, aligned (batch, Nq_a, Nk_b) the ground truth; name "<map>: <a>←<b>" (a's queries
    read b's keys)."""
    check_model(model, task)
    n = positive_int(n, "n", MAX_SAMPLES)
    data = task.split(split)
    out = model.run(task, n, split)
    names = [m.name for m in task.modalities]
    for record in out.attention:
        w = record.weights.mean(1)                   # (batch, Nq, Nk), heads averaged
        for (a, b), mask in data.alignment.items():
            for qa, kb, m in ((a, b, mask[:n]), (b, a, mask[:n].transpose(1, 2))):
                q, k = record.query_modality == qa, record.key_modality == kb
                if q.any() and k.any():
                    yield f"{record.name}: {names[qa]}←{names[kb]}", w[:, q], k, m


@torch.no_grad()
def alignment_scores(model: FusionClassifier, task: Task, split: str = "test",
                     n: int = 200) -> dict[str, float]:
    """Per attention map and direction: attention mass on the ground-truth aligned keys ÷ uniform mass.

    For a query token i of modality a with aligned keys A_i in modality b: score_i = Σ_{j∈A_i} w_ij
    ÷ (|A_i| / Nk), Nk the map's key count; averaged over heads, samples and queries that have an
    aligned key. 1.0 = no better than uniform, but a key that every query attends to scores high too:
    prefer :func:`alignment_aucs`. Maps over summed (FUSED) tokens have no pairs to score.
    model: a FusionClassifier for ``task``. Returns {"<map name>: <a>←<b>": score}.
    """
    scores = {}
    for name, w, keys, aligned in aligned_pairs(model, task, split, n):
        m = aligned.float()
        count = m.sum(-1)                            # (batch, N_qa): how many keys each query should see
        mass = (w[:, :, keys] * m).sum(-1)
        rows = count > 0
        if rows.any():
            scores[name] = (mass[rows] / (count[rows] / w.shape[-1])).mean().item()
    return scores


def alignment_score(model: FusionClassifier, task: Task, split: str = "test", n: int = 200) -> float:
    """How much attention the aligned tokens get relative to uniform, in the model's best-aligned map
    (heads averaged): 1.0 = no better than uniform; NaN when no map pairs tokens of two modalities."""
    scores = alignment_scores(model, task, split, n)
    return max(scores.values()) if scores else math.nan

def alignment_auc(weights: torch.Tensor, aligned: torch.Tensor) -> float:
    """How selectively queries attend to their aligned keys, against a fixed baseline of 0.5.

    weights: (Nq, Nk), or (B, H, Nq, Nk) / (B, Nq, Nk) (heads averaged); aligned: bool, (Nq, Nk)
    (then the batch is averaged too) or (B, Nq, Nk), one mask per sample. For each key column (of
    each sample) that has both aligned and non-aligned queries: the probability that a random aligned
    query gives that key more weight than a random non-aligned one (ties count half); averaged over
    those columns. 0.5 = no preference (a key that every query attends to equally scores 0.5),
    1.0 = only the aligned partners. A ValueError for shapes that disagree or no usable column.
    """
    if not isinstance(aligned, torch.Tensor) or aligned.dtype != torch.bool or aligned.dim() not in (2, 3):
        got = (f"{aligned.dtype} {tuple(aligned.shape)}" if isinstance(aligned, torch.Tensor)
               else type(aligned).__name__)
        raise ValueError(f"aligned must be a bool tensor (Nq, Nk) or (batch, Nq, Nk), got {got}")
    try:
        w = torch.as_tensor(weights).double()
    except (TypeError, ValueError, RuntimeError):
        raise ValueError(f"weights must be a tensor of attention weights, "
                         f"got {type(weights).__name__}") from None
    if w.dim() == 4:
        w = w.mean(1)                                 # heads
    if w.dim() not in (2, 3):
        raise ValueError(f"weights must have shape (Nq, Nk), (batch, Nq, Nk) or (batch, heads, Nq, Nk), "
                         f"got {tuple(w.shape)}")
    if aligned.dim() == 2:
        w = w.mean(0) if w.dim() == 3 else w
        w, aligned = w[None], aligned[None]
    elif w.dim() != 3:
        raise ValueError(f"a per-sample mask {tuple(aligned.shape)} needs per-sample weights, "
                         f"got {tuple(w.shape)}")
    if w.shape != aligned.shape:
        raise ValueError(f"weights {tuple(w.shape)} and aligned {tuple(aligned.shape)} disagree "
                         f"(after averaging heads{'' if aligned.shape[0] > 1 else ' and batch'})")
    if not torch.isfinite(w).all():      # NaN compares as neither larger nor equal: a silent 0.0
        raise ValueError(f"weights must be finite, got {int((~torch.isfinite(w)).sum())} NaN or inf "
                         f"of {w.numel()}")
    # Per column, the Mann–Whitney form of the AUC: (rank sum of the aligned queries − n_yes(n_yes+1)/2)
    # / (n_yes · n_no), ranks 1-based with ties at their mid-rank: the pairwise count (wins + ½ ties)
    # in O(Nq log Nq) per column instead of O(Nq²).
    columns = w.transpose(1, 2).contiguous()                 # (B, Nk, Nq): one row per key column
    yes = aligned.transpose(1, 2)
    ordered = columns.sort(dim=-1).values
    below = torch.searchsorted(ordered, columns, right=False).double()
    up_to = torch.searchsorted(ordered, columns, right=True).double()
    ranks = (below + up_to + 1) / 2
    n_yes = yes.sum(-1).double()
    n_no = yes.shape[-1] - n_yes
    usable = (n_yes > 0) & (n_no > 0)
    if not usable.any():
        raise ValueError("no key column has both aligned and non-aligned queries: nothing to compare "
                         f"(aligned {tuple(aligned.shape)}, {int(aligned.sum())} True)")
    rank_sum = (ranks * yes).sum(-1)
    aucs = (rank_sum - n_yes * (n_yes + 1) / 2)[usable] / (n_yes * n_no)[usable]
    return aucs.mean().item()


@one_thread()
@torch.no_grad()
def alignment_aucs(model: FusionClassifier, task: Task, split: str = "test",
                   n: int = 200) -> dict[str, float]:
    """:func:`alignment_auc` of every attention map that pairs two modalities, in both directions:
    {"<map name>: <a>←<b>": AUC}, the rows being queries of modality a, the columns keys of b, each
    sample with its own ground-truth mask. 0.5 = no preference for the aligned partners."""
    scores = {}
    for name, w, keys, aligned in aligned_pairs(model, task, split, n):
        try:
            scores[name] = alignment_auc(w[:, :, keys], aligned)
        except ValueError:        # no query of this direction has both kinds of partner
            continue
    return scores

# ---------------------------------------------------------------- what the loss reads


@one_thread()
def unread_queries(model: FusionClassifier, task: Task, split: str = "test",
                   n: int | None = None) -> list[torch.Tensor]:
    """Which query rows of each attention map the task loss never reads: their outputs get no gradient.

    model: a FusionClassifier for ``task``. Runs the first ``n`` samples of ``split`` (all if None)
    forward (eval mode, so no dropout) and back from the cross-entropy loss, catching the gradient of every
    Attention module's output (batch, Nq, dim) with hooks. Returns one bool tensor (Nq,) per record,
    in the order of ``model.run(task).attention``: True where that row's output has an exactly zero
    gradient on every one of the n samples (e.g. the caption queries of the last joint layer when
    the pointer readout scores image tokens only; under the hard-max "any" readout, also the image
    tokens that are never the maximum). What such a row attends to is not learned from the task.
    """
    check_model(model, task)
    data = task.split(split)
    n = len(data) if n is None else positive_int(n, "n")
    outputs = {}                                        # id(weights of the call) → its output

    def catch(module, args, output):
        outputs[id(module.weights)] = output

    hooks = [m.register_forward_hook(catch) for m in model.modules() if isinstance(m, Attention)]
    was_training = model.training
    model.eval()
    try:
        with torch.enable_grad():
            loss = F.cross_entropy(model(data.first(n)), data.labels[:n])
            records = model.last.attention if model.last is not None else []
            caught = [outputs[id(r.weights)] for r in records]
            grads = torch.autograd.grad(loss, caught, allow_unused=True)
    finally:
        for hook in hooks:
            hook.remove()
        model.train(was_training)
    return [torch.ones(out.shape[1], dtype=torch.bool) if g is None else (g == 0).all(-1).all(0)
            for out, g in zip(caught, grads)]



def read_alignment_aucs(model: FusionClassifier, task: Task, split: str = "test",
                        n: int = 200) -> dict[str, float]:
    """:func:`alignment_aucs` without the maps whose queries (in the scored direction) the loss never
    reads (:func:`unread_queries`): what they attend to was not learned from the task."""
    records, unread = model.run(task, n, split).attention, unread_queries(model, task, split)
    names = [m.name for m in task.modalities]
    skip = tuple(f"{r.name}: {names[a]}←" for r, u in zip(records, unread) for a in range(len(names))
                 if (r.query_modality == a).any() and u[r.query_modality == a].all())
    return {k: v for k, v in alignment_aucs(model, task, split, n).items() if not k.startswith(skip)}


def best_alignment_auc(model: FusionClassifier, task: Task, split: str = "test", n: int = 200) -> float:
    """The highest :func:`alignment_auc` among the maps the loss reads (0.5 = no preference for the
    aligned partners); NaN when no such map pairs tokens of two modalities (e.g. summed tokens)."""
    scores = read_alignment_aucs(model, task, split, n)
    return max(scores.values()) if scores else math.nan

# ---------------------------------------------------------------- attention between modalities


def check_record(record: object) -> AttentionRecord:
    if not isinstance(record, AttentionRecord):
        raise ValueError(f"expected an AttentionRecord, got {type(record).__name__}")
    w = record.weights
    if not isinstance(w, torch.Tensor) or w.dim() != 4:
        raise ValueError(f"record.weights must be a (batch, heads, Nq, Nk) tensor, got "
                         f"{tuple(w.shape) if isinstance(w, torch.Tensor) else type(w).__name__}")
    if len(record.query_modality) != w.shape[2] or len(record.key_modality) != w.shape[3]:
        raise ValueError(f"record modality labels ({len(record.query_modality)}, {len(record.key_modality)}) "
                         f"do not match weights of shape {tuple(w.shape)}")
    return record


def select_weights(record: AttentionRecord, head: int | None = None, sample: int | None = 0) -> np.ndarray:
    """(Nq, Nk) numpy array: one sample's weights, one head or (head=None) the mean over heads."""
    check_record(record)
    batch, heads = record.weights.shape[:2]
    sample = None if sample is None else int_in(sample, 0, batch - 1, "sample (None: mean over the batch)")
    head = None if head is None else int_in(head, 0, heads - 1, "head (None: mean of the heads)")
    w = record.weights.detach().float()
    w = w.mean(0) if sample is None else w[sample]
    w = w.mean(0) if head is None else w[head]
    return w.cpu().numpy()


def records_of(record_or_output: AttentionRecord | Sequence[AttentionRecord] | FusionOutput,
               stage: str | None = None) -> list[AttentionRecord]:
    """The records to summarise: one record, a list of records, or a FusionOutput's attention list."""
    if isinstance(record_or_output, AttentionRecord):
        records = [record_or_output]
    elif isinstance(record_or_output, FusionOutput):
        records = list(record_or_output.attention)
    elif isinstance(record_or_output, (list, tuple)) and record_or_output:
        records = list(record_or_output)
    else:
        raise ValueError(f"expected an AttentionRecord, a list of them or a FusionOutput, "
                         f"got {type(record_or_output).__name__}")
    if stage is not None:
        stages = sorted({r.stage for r in records})
        records = [r for r in records if r.stage == stage]
        if not records:
            raise ValueError(f"no record of stage {stage!r}; the stages are {stages}")
    for r in records:
        check_record(r)
    return records


def modality_blocks(record_or_output: AttentionRecord | Sequence[AttentionRecord] | FusionOutput,
                    sample: int | None = None, head: int | None = None,
                    stage: str | None = None) -> tuple[list[int], np.ndarray]:
    """(modalities, M×M mass): the share of attention that queries of modality i give to keys of j.

    mass[i, j] = mean over all (record, query token of modality i) of Σ_{keys k of modality j} w[q, k].
    Rows sum to 1 (NaN for a modality with no query in these records). ``modalities`` lists the
    0-based indices (FUSED last) that label the rows/columns. A query that read nothing (padded or
    absent, or with every key padded: its weights are all 0) is left out of the mean.
    """
    records = records_of(record_or_output, stage)
    mods = sorted({int(m) for r in records for m in torch.cat([r.query_modality, r.key_modality])},
                  key=lambda m: (m == FUSED, m))
    index = {m: i for i, m in enumerate(mods)}
    total, rows = np.zeros((len(mods), len(mods))), np.zeros(len(mods))
    for r in records:
        w = select_weights(r, head, sample)
        qi = np.array([index[int(m)] for m in r.query_modality])
        ki = np.array([index[int(m)] for m in r.key_modality])
        for j in np.unique(ki):
            np.add.at(total[:, j], qi, w[:, ki == j].sum(1))
        np.add.at(rows, qi, w.sum(1))       # 1 per query that read something (0 if it read nothing)
    mass = total / np.where(rows > 0, rows, 1)[:, None]
    mass[rows == 0] = np.nan                 # no query of that modality read anything: nothing to share
    return mods, mass


def cross_modal_share(record_or_output: AttentionRecord | Sequence[AttentionRecord] | FusionOutput,
                      sample: int | None = None, head: int | None = None, stage: str | None = None) -> float:
    """1 − (mean diagonal of the modality-block matrix): the share of attention that crosses
    modalities. NaN when the tokens are summed (no token belongs to one modality)."""
    mods, mass = modality_blocks(record_or_output, sample, head, stage)
    if FUSED in mods:
        return math.nan
    return 1.0 - float(np.nanmean(np.diag(mass)))


def drawn_edges(output: FusionOutput) -> list[tuple[str, int, torch.Tensor]]:
    """Which query read which key in each layer the model ran: [(record kind, layer, mask)], in order.

    output: a FusionOutput. mask: bool (S, S) over the final token order (C(Z_1..Z_M), or the summed
    sequence), True where some sample and head gave the key a nonzero weight; the records of one
    stage and layer (e.g. "cross 1←2" and "cross 2←1") fill one mask. Compare with
    :func:`mmviz.fusion.stage_masks`, the registry's masks.
    """
    if not isinstance(output, FusionOutput):
        raise ValueError(f"expected a FusionOutput, got {type(output).__name__}")
    tokens = output.token_modality
    drawn: dict[tuple[str, int], torch.Tensor] = {}
    for r in records_of(output):
        where = [torch.isin(tokens, m).nonzero().flatten() for m in (r.query_modality, r.key_modality)]
        mask = drawn.setdefault((r.kind, r.layer),
                                torch.zeros(len(tokens), len(tokens), dtype=torch.bool))
        mask[where[0][:, None], where[1][None, :]] |= (check_record(r).weights > 0).any(0).any(0)
    return [(kind, layer, mask) for (kind, layer), mask in drawn.items()]

# ---------------------------------------------------------------- influence


def check_modality(m: int, num_modalities: int, name: str) -> int:
    return int_in(m, 0, num_modalities - 1, f"{name} (a 0-based modality index)")


def check_fusion(fusion: object) -> torch.nn.Module:
    if not isinstance(fusion, torch.nn.Module):
        raise ValueError(f"fusion must be a model from mmviz.build_fusion, got {type(fusion).__name__}")
    return fusion


def check_zs(zs: Sequence[torch.Tensor]) -> list[torch.Tensor]:
    if (isinstance(zs, torch.Tensor) or not isinstance(zs, (list, tuple)) or not zs
            or not all(isinstance(z, torch.Tensor) and z.dim() == 3 for z in zs)):
        raise ValueError(f"zs must be a non-empty list of (batch, N_m, dim) tensors, got {zs!r:.200}")
    if zs[0].shape[0] < 2:
        raise ValueError(f"a swap needs at least 2 samples in the batch, got batch size {zs[0].shape[0]}")
    return list(zs)


def relative_change(before: torch.Tensor, after: torch.Tensor) -> float:
    """‖after − before‖ / ‖before‖, each over (tokens, dim), averaged over the batch."""
    diff = (after - before).flatten(1).norm(dim=1)
    return (diff / before.flatten(1).norm(dim=1).clamp_min(1e-12)).mean().item()


@one_thread()
@torch.no_grad()
def stream_influence(fusion: Fusion, zs: Sequence[torch.Tensor], source: int, target: int) -> float:
    """How much modality ``target``'s final tokens move when ``source``'s tokens come from another sample.

    fusion: a model from ``build_fusion``; zs: M tensors (batch, N_m, dim), batch >= 2. Modality
    ``source`` of sample b is replaced by that of sample b+1 (a real input, not noise), the rest kept.
    Returns the relative change ‖ΔZ_target‖ / ‖Z_target‖ of the final stream of ``target``
    (``FusionOutput.stream``), averaged over the batch: 0.0 means ``source`` cannot reach ``target``.
    """
    check_fusion(fusion)
    zs = check_zs(zs)
    check_modality(source, len(zs), "source")
    check_modality(target, len(zs), "target")
    was_training = fusion.training
    fusion.eval()
    try:
        before = fusion(zs)
        swapped = [z.roll(1, dims=0) if m == source else z for m, z in enumerate(zs)]
        after = fusion(swapped)
    finally:
        fusion.train(was_training)
    if not isinstance(before, FusionOutput):
        raise ValueError(f"fusion must return a FusionOutput, got {type(before).__name__}")
    a, b = before.stream(target), after.stream(target)
    if a.shape[1] == 0:
        raise ValueError(f"modality {target} has no final stream of its own (early summation mixes them); "
                         f"compare out.tokens instead")
    return relative_change(a, b)


@one_thread()
@torch.no_grad()
def self_context_change(fusion: Fusion, zs: Sequence[torch.Tensor], modality: int,
                        token: int) -> torch.Tensor:
    """Change token ``token`` of ``modality`` (replace it by another sample's); return, per token of
    that modality's final stream, the relative change (N_m,), averaged over the batch.

    In one cross-attention layer only the changed token itself moves (a query sees the other
    modalities, not its own); in a joint (concatenation) layer every token of the modality moves.
    """
    check_fusion(fusion)
    zs = check_zs(zs)
    check_modality(modality, len(zs), "modality")
    n = zs[modality].shape[1]
    token = int_in(token, 0, n - 1, "token")      # an index into this modality's n tokens
    was_training = fusion.training
    fusion.eval()
    try:
        before = fusion(zs).stream(modality)
        changed = [z.clone() for z in zs]
        changed[modality][:, token] = zs[modality].roll(1, dims=0)[:, token]
        after = fusion(changed).stream(modality)
    finally:
        fusion.train(was_training)
    diff = (after - before).norm(dim=-1)                       # (batch, N_m)
    return (diff / before.norm(dim=-1).clamp_min(1e-12)).mean(0)


@one_thread()
@torch.no_grad()
def stage_change(fusion: Fusion, zs: Sequence[torch.Tensor], module: torch.nn.Module, source: int,
                 target: int | None = None) -> float:
    """Relative change of ``module``'s output inside ``fusion`` when ``source``'s tokens come from
    another sample (as in :func:`stream_influence`). module: a sub-module of fusion, e.g.
    ``fusion.separate[0]`` (its output is caught with a forward hook, so the real forward runs).
    target: if given, only the tokens of that modality in the module's output (its output must then
    be the concatenation of all modalities in order, as a joint stage's is).
    """
    check_fusion(fusion)
    if not isinstance(module, torch.nn.Module) or not any(module is m for m in fusion.modules()):
        raise ValueError(f"module must be a sub-module of fusion (e.g. fusion.joint), "
                         f"got {type(module).__name__}")
    zs = check_zs(zs)
    check_modality(source, len(zs), "source")
    caught = []
    hook = module.register_forward_hook(lambda mod, args, output: caught.append(output))
    was_training = fusion.training
    fusion.eval()
    try:
        fusion(zs)
        fusion([z.roll(1, dims=0) if m == source else z for m, z in enumerate(zs)])
    finally:
        hook.remove()
        fusion.train(was_training)
    if len(caught) != 2:
        raise ValueError(f"module ran {len(caught) // 2} times per forward, expected once; pass a stage "
                         f"that fusion runs once (e.g. fusion.joint or fusion.separate[m])")
    before, after = caught
    if target is not None:
        check_modality(target, len(zs), "target")
        total = sum(z.shape[1] for z in zs)
        if not isinstance(before, torch.Tensor) or before.dim() != 3 or before.shape[1] != total:
            got = tuple(before.shape) if isinstance(before, torch.Tensor) else type(before).__name__
            raise ValueError(f"target picks modality {target}'s tokens out of a joint stage's output, the "
                             f"{total} tokens of all modalities in order; this module's output is {got} "
                             f"(a separate stage holds one modality's tokens: leave target=None)")
        start = sum(z.shape[1] for z in zs[:target])
        span = slice(start, start + zs[target].shape[1])
        before, after = before[:, span], after[:, span]
    return relative_change(before, after)

# ---------------------------------------------------------------- a trained variant, measured

PANEL_SAMPLES = 8           # test samples kept on each row for the pictures


@dataclass
class Measured:
    """One trained variant on one task: what it reached and what it cost (made by
    :func:`mmviz.lessons.playground.measure`, drawn by ``mmviz.plot.compare``).

    accuracy: test accuracy; steps_to: first step (1-based) whose test accuracy reached ``level``, or
    None; parameters: all trainable scalars of the classifier; flops: fusion FLOPs per example (formula,
    embedders and head left out: they are the same for every variant); seconds: training time, no
    evaluation; alignment: :func:`mmviz.measure.best_alignment_auc`, 0.5 = no preference for the
    aligned partners, 1.0 = only them (NaN where no map the loss reads pairs two modalities);
    cross_share: share of all attention (every map, heads and samples averaged) that crosses modalities,
    NaN for summed tokens; output: the FusionOutput of the first PANEL_SAMPLES test samples.
    """

    variant: str
    accuracy: float
    steps_to: int | None
    level: float
    parameters: int
    flops: int
    seconds: float
    alignment: float
    cross_share: float
    history: History
    output: FusionOutput


def short_reason(error: BaseException) -> str:
    """The first clause of a variant's refusal, for a table cell."""
    return str(error).split(";")[0]
