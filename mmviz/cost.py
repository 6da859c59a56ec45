"""FLOPs of the six fusion variants, counted by formula for one example (a multiply-add counts 2).

One Transformer block with N_q queries over N_k keys, width d, MLP width d_ff:
    attention core (QKᵀ and weights·V)   4·N_q·N_k·d          (whatever the number of heads)
    projections  (Q, out on N_q; K, V on N_k)   4·N_q·d² + 4·N_k·d²
    MLP                                   4·N_q·d·d_ff
LayerNorm, softmax and activations are left out (they are O(N·d), and FlopCounterMode skips them).
The formulas follow the modules ``build_fusion`` builds with the same arguments.
"""
from __future__ import annotations

from .blocks import check_dims
from .fusion import check_variant
from .validate import positive_int


def block_cost(n_queries, n_keys, dim, mlp_dim):
    """(attention-core FLOPs, projection + MLP FLOPs) of one block."""
    attention = 4 * n_queries * n_keys * dim
    projection_mlp = 4 * n_queries * dim * dim + 4 * n_keys * dim * dim + 4 * n_queries * dim * mlp_dim
    return attention, projection_mlp


def attention_cost(variant, token_counts, dim, depth=2, heads=4, mlp_dim=None):
    """FLOPs of ``build_fusion(variant, len(token_counts), dim, depth, heads, mlp_dim=mlp_dim)`` per example.

    token_counts: [N_1, ..., N_M]. Returns {"attention", "projection_mlp", "total"} plus
    {"stages": {stage: FLOPs}}. With S = ΣN_m, Q₂ = ΣN_m², per layer the attention core is 4S²d for
    a joint stage, 4Q₂d for separate encoders and 4(S² − Q₂)d for a cross stage.
    """
    check_variant(variant)
    check_dims(dim, heads)
    positive_int(depth, "depth")
    counts = list(token_counts) if isinstance(token_counts, (list, tuple)) else None
    if not counts or any(isinstance(n, bool) or not isinstance(n, int) or n < 1 for n in counts):
        raise ValueError(f"token_counts must be a non-empty list of positive ints, got {token_counts!r}")
    mlp_dim = mlp_dim or 4 * dim
    S = sum(counts)

    def self_stage(n):                       # depth self-attention blocks on n tokens
        a, p = block_cost(n, n, dim, mlp_dim)
        return depth * a, depth * p

    def separate():
        parts = [self_stage(n) for n in counts]
        return sum(a for a, _ in parts), sum(p for _, p in parts)

    def cross():
        if len(counts) < 2:
            raise ValueError(f"{variant} needs at least 2 modalities, got token_counts={counts}")
        parts = [block_cost(n, S - n, dim, mlp_dim) for n in counts]
        return depth * sum(a for a, _ in parts), depth * sum(p for _, p in parts)

    if variant == "early_summation":
        if len(set(counts)) > 1:
            raise ValueError(f"early summation needs equal token counts, got {counts}; "
                             f"use 'early_concatenation' for unequal counts")
        stages = {"summed": self_stage(counts[0])}
    elif variant == "early_concatenation":
        stages = {"joint": self_stage(S)}
    elif variant == "hierarchical_multi_to_one":
        stages = {"separate": separate(), "joint": self_stage(S)}
    elif variant == "hierarchical_one_to_multi":
        stages = {"joint": self_stage(S), "separate": separate()}
    elif variant == "cross_attention":
        stages = {"cross": cross()}
    else:
        stages = {"cross": cross(), "joint": self_stage(S)}
    attention = sum(a for a, _ in stages.values())
    projection_mlp = sum(p for _, p in stages.values())
    return {"attention": attention, "projection_mlp": projection_mlp, "total": attention + projection_mlp,
            "stages": {name: a + p for name, (a, p) in stages.items()}}


def count_parameters(module, trainable_only=False):
    """Number of scalar parameters of ``module`` (only those with requires_grad if ``trainable_only``)."""
    return sum(p.numel() for p in module.parameters() if p.requires_grad or not trainable_only)
