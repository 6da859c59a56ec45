"""Notebook 11's helpers: which variant runs without a modality, and what a model scores without one.

:func:`who_runs` runs every registered variant once with one modality absent from every sample and
says what happened (it ran, with no NaN, or the refusal's reason); :func:`absent_run` is one training
run of the evidence (``mmviz/evidence/nb11.py``); :func:`best_without` is the ceiling of a model that
sees only the other modalities of "tally"; :func:`absent_masks` gives each stage's mask with the
absent modality's tokens taken out (what is left to attend to).
"""
from __future__ import annotations

import torch

from ..fusion import VARIANTS, build_fusion, stage_masks, variant_of
from ..train import FusionClassifier, check_task, evaluate, fit

DIM, HEADS, DEPTH = 32, 4, 1          # the evidence's models: one layer per stage


def who_runs(counts, absent, dim=16, seed=0):
    """{variant: "runs" or the ValueError's message} for every registered variant that takes these
    ``counts`` [N_1..N_M], with modality ``absent`` (0-based) masked in every sample of a batch of 2.
    A variant that cannot take the counts at all (e.g. summation of unequal counts) is left out."""
    g = torch.Generator().manual_seed(seed)
    zs = [torch.randn(2, n, dim, generator=g) for n in counts]
    masks = [torch.full((2, n), m == absent) for m, n in enumerate(counts)]
    out = {}
    for name, spec in VARIANTS.items():
        try:
            spec.check(list(counts))
        except ValueError:
            continue
        model = build_fusion(name, len(counts), dim, depth=1, heads=2).eval()
        try:
            with torch.no_grad():
                result = model(zs, key_padding_mask=masks)
        except ValueError as error:
            out[name] = str(error)
            continue
        finite = bool(torch.isfinite(result.tokens).all() and torch.isfinite(result.pooled).all())
        out[name] = "runs" if finite else "runs, but gives NaN or inf"
    return out


def absent_masks(variant, counts, absent):
    """[(stage name, mask)]: each stage's (S, S) mask (:func:`mmviz.fusion.stage_masks`) with the rows
    and columns of modality ``absent`` (0-based) cleared: the edges that are left when it is missing."""
    masks = stage_masks(variant, counts)
    start = sum(counts[:absent])
    gone = torch.zeros(sum(counts), dtype=torch.bool)
    gone[start:start + counts[absent]] = True
    left = []
    for name, mask in masks:
        if mask.shape[0] != len(gone):        # a summed sequence: no token belongs to one modality
            left.append((name, None))
            continue
        left.append((name, mask & ~gone[:, None] & ~gone[None, :]))
    return left


def best_without(task, absent):
    """The test accuracy of the best answer from the modalities left in "tally": each present modality
    says 0 or 1, and the absent ones add a count the model cannot see; the best guess for each visible
    count is its commonest label on the test split (an upper bound for any model without them)."""
    check_task(task)
    if task.name != "tally":
        raise ValueError(f"best_without knows the answer's parts only for 'tally', got {task.name!r}")
    absent = task.modality_indices(absent)
    seen = visible_count(task, absent)
    labels = task.test.labels
    best = 0
    for count in seen.unique():
        best += torch.bincount(labels[seen == count]).max().item()
    return best / len(labels)


def visible_count(task, absent):
    """Per test sample of "tally": how many of the present modalities carry the signal (red)."""
    return sum((says(task, m) for m in range(task.num_modalities) if m not in absent),
               torch.zeros(len(task.test.labels), dtype=torch.long))


def says(task, m):
    """(n,) long, 1 where modality ``m`` (the image or the caption) of a test sample of "tally" says red:
    the word "red" in the caption, or red pixels (strong red, weak green: no other colour is) in the image."""
    name, split = task.modalities[m].name, task.test
    if name == "caption":
        return torch.tensor([bool((row == "red").any()) for row in split.words[m]]).long()
    if name == "image":
        image = split.inputs[m]                      # (n, 3, H, W)
        red = (image[:, 0] > 0.6) & (image[:, 1] < 0.5)
        return red.flatten(1).any(dim=1).long()
    raise ValueError(f"best_without reads the image and the caption of 'tally', not its {name!r}")


def absent_run(task, variant, seed, steps, absent, dropout=0.0, train_absent=()):
    """One run of the evidence: ``FusionClassifier(variant, task, dim=32, depth=1, heads=4, seed=seed)``
    trained by ``fit`` for ``steps`` (the task's lr and warm-up, mini-batches drawn with ``seed``), with
    ``modality_dropout=dropout`` and the modalities ``train_absent`` missing from every training
    sample. Returns {"full": test accuracy with every modality, "absent": with ``absent`` missing}."""
    variant_of(variant)
    check_task(task)
    model = FusionClassifier(variant, task, dim=DIM, depth=DEPTH, heads=HEADS, seed=seed)
    fit(model, task, steps=steps, seed=seed, progress=False, eval_every=steps, modality_dropout=dropout,
        absent=train_absent)
    full = evaluate(model, task)["accuracy"] if not train_absent else float("nan")
    return {"full": full, "absent": evaluate(model, task, absent=absent)["accuracy"]}
