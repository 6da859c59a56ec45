"""Notebook 04's measured claims, at initialisation: an untrained joint layer over the four modalities'
35 tokens attends almost uniformly, and a modality-type embedding makes a swap of a sound and a sensor
token change the outputs (without one the outputs only swap: that part is exact, asserted in the notebook).

A seed is one initialisation of the embedders, the type vectors and the joint layer, on the notebook's
sample (tally, test sample 0).
"""
from __future__ import annotations

from functools import lru_cache

import torch

from .._random import seeded
from ..data import make_task
from ..fusion import build_fusion
from ..tokens import ModalityTypeEmbedding, PatchEmbedding, SignalEmbedding, SymbolEmbedding
from .core import both, claim, experiment, share_at_least, share_at_most

DIM = 32
TOKENS = 35                      # 16 patches + 3 words + 8 sound + 8 sensor frames


@lru_cache(maxsize=None)
def _sample():
    task = make_task("tally", num_modalities=4, n_train=200, n_test=100, seed=0)
    return [x[:1] for x in task.test.inputs]


def _swap_effect(joint, raw, types, with_types):
    """Largest output change beyond a plain swap when sound frame 3 and sensor frame 3 trade places."""
    def run(raws):
        return joint([types(z, m) if with_types else z for m, z in enumerate(raws)]).tokens
    swapped = [z.clone() for z in raw]
    swapped[2][:, 3], swapped[3][:, 3] = raw[3][:, 3], raw[2][:, 3]
    order = list(range(TOKENS))
    order[19 + 3], order[27 + 3] = 27 + 3, 19 + 3
    return (run(swapped) - run(raw)[:, order]).abs().max().item()


@experiment("04", seeds=range(32), at_init=True, dim=DIM, depth=1, heads=4, task="tally", sample=0)
@torch.no_grad()
def joint_layer_at_init(seed):
    """An untrained joint layer on the 35 tokens of one tally sample: attention extremes, type-swap effect."""
    with seeded(seed):
        embedders = [PatchEmbedding(image_size=24, patch_size=6, channels=3, dim=DIM),
                     SymbolEmbedding(vocab_size=8, length=3, dim=DIM),
                     SignalEmbedding(length=64, frame=8, dim=DIM, channels=5),
                     SignalEmbedding(length=64, frame=8, dim=DIM, channels=5)]
        types = ModalityTypeEmbedding(num_modalities=4, dim=DIM)
        joint = build_fusion("early_concatenation", num_modalities=4, dim=DIM, depth=1)
    raw = [embed(x) for embed, x in zip(embedders, _sample())]
    weights = joint([types(z, m) for m, z in enumerate(raw)]).attention[0].weights
    return {"min × 35": TOKENS * weights.min().item(), "max × 35": TOKENS * weights.max().item(),
            "swap effect with types": _swap_effect(joint, raw, types, True),
            "swap effect without types": _swap_effect(joint, raw, types, False)}


def _times(v):
    return f"{v:.2g}× uniform"


claim("04", "init-near-uniform",
      "Untrained, every attention weight of the joint layer over the 35 tokens lies within a factor of 10 of "
      "the uniform weight 1/35 (between 0.1 and 10 times it), on at least 4 of every 5 initialisations.",
      joint_layer_at_init, both(share_at_least("min × 35", 0.1, share=0.8, fmt=_times),
                                share_at_most("max × 35", 10, share=0.8, fmt=_times)))
claim("04", "types-tell-origin",
      "With type embeddings, swapping a sound and a sensor token changes the joint layer's outputs beyond "
      "the swap by more than 1e-3 on at least 4 of every 5 initialisations (without them the change is "
      "rounding noise, below 1e-5: exact up to round-off, and asserted as such).",
      joint_layer_at_init, both(share_at_least("swap effect with types", 1e-3, share=0.8,
                                                              fmt=lambda v: f"{v:.1e}"),
                                share_at_most("swap effect without types", 1e-5, share=1.0,
                                              fmt=lambda v: f"{v:.1e}")))
