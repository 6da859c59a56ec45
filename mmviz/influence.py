"""Who can change whose representation: perturb one modality's tokens, measure how far another's move.

Used by notebooks 07-09 to make the survey's structural claims measurable on real models:
multi→one keeps the first stage of each modality blind to the others; one→multi lets each modality
hear the others once, in the joint stage, then keeps its own stream; one cross-attention layer sees
no context inside its own modality.
"""
from __future__ import annotations

import torch

from .records import FusionOutput


def check_modality(m, num_modalities, name):
    if isinstance(m, bool) or not isinstance(m, int) or not 0 <= m < num_modalities:
        raise ValueError(f"{name} must be a 0-based modality index in [0, {num_modalities}), got {m!r}")
    return m


def check_zs(zs):
    if isinstance(zs, torch.Tensor) or not isinstance(zs, (list, tuple)) or not zs:
        raise ValueError(f"zs must be a non-empty list of (batch, N_m, dim) tensors, got {type(zs).__name__}")
    if zs[0].shape[0] < 2:
        raise ValueError(f"a swap needs at least 2 samples in the batch, got batch size {zs[0].shape[0]}")
    return list(zs)


def relative_change(before, after):
    """‖after − before‖ / ‖before‖, each over (tokens, dim), averaged over the batch."""
    diff = (after - before).flatten(1).norm(dim=1)
    return (diff / before.flatten(1).norm(dim=1).clamp_min(1e-12)).mean().item()


@torch.no_grad()
def stream_influence(fusion, zs, source, target):
    """How much modality ``target``'s final tokens move when ``source``'s tokens come from another sample.

    fusion: a model from ``build_fusion``; zs: M tensors (batch, N_m, dim), batch >= 2. Modality
    ``source`` of sample b is replaced by that of sample b+1 (a real input, not noise), the rest kept.
    Returns the relative change ‖ΔZ_target‖ / ‖Z_target‖ of the final stream of ``target``
    (``FusionOutput.stream``), averaged over the batch: 0.0 means ``source`` cannot reach ``target``.
    """
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


def influence_table(fusion, zs, names=None):
    """{(source name, target name): stream_influence} for every ordered pair of modalities."""
    M = len(check_zs(zs))
    names = list(names) if names is not None else [f"modality {m + 1}" for m in range(M)]
    return {(names[s], names[t]): stream_influence(fusion, zs, s, t)
            for s in range(M) for t in range(M)}


@torch.no_grad()
def self_context_change(fusion, zs, modality, token):
    """Change token ``token`` of ``modality`` (replace it by another sample's); return, per token of
    that modality's final stream, the relative change (N_m,), averaged over the batch.

    In one cross-attention layer only the changed token itself moves (a query sees the other
    modalities, not its own); in a joint (concatenation) layer every token of the modality moves.
    """
    zs = check_zs(zs)
    check_modality(modality, len(zs), "modality")
    n = zs[modality].shape[1]
    if isinstance(token, bool) or not isinstance(token, int) or not 0 <= token < n:
        raise ValueError(f"token must be an int in [0, {n}) for modality {modality}, got {token!r}")
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


@torch.no_grad()
def stage_change(fusion, zs, module, source, target=None):
    """Relative change of ``module``'s output inside ``fusion`` when ``source``'s tokens come from
    another sample (as in :func:`stream_influence`). module: a sub-module of fusion, e.g.
    ``fusion.separate[0]`` (its output is caught with a forward hook, so the real forward runs).
    target: if given, only the tokens of that modality in the module's output (its output must then
    be the concatenation of all modalities in order, as a joint stage's is).
    """
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
        start = sum(z.shape[1] for z in zs[:target])
        span = slice(start, start + zs[target].shape[1])
        before, after = before[:, span], after[:, span]
    return relative_change(before, after)
