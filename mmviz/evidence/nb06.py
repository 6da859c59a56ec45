"""Notebook 06's claims: one early-concatenation layer trained on ``locate`` for 150 steps learns the task,
its image queries read the caption beyond their uniform share, the alignment AUCs, and how its answers
move when only the caption changes, next to what a perfect model would do.

A seed sets the initial weights and the order of the mini-batches; the data are the same for every seed
(data seed 0). The perfect model's moves are a property of the data, the same on every seed.
"""
from __future__ import annotations

from ..lessons import concatenation as C
from .core import both, claim, estimate, experiment, mean_of, share_at_least, share_at_most

UNIFORM_WORDS = 2 / 18           # the share of attention an image query gives the 2 words if it is uniform


@experiment("06", seeds=range(10), steps=C.STEPS, shown=C.SHOWN, **C.MODEL, **C.DATA)
def locate(seed):
    """Early concatenation on locate after 150 steps: accuracy, attention shares, AUCs, caption swaps."""
    return {**C.measure(C.train(seed)), **C.perfect_moves(C.locate())}


def _pct(v):
    return f"{100 * v:.1f} %"


def _auc(v):
    return f"{v:.2f}"


def _times_uniform(v):
    return f"{v / UNIFORM_WORDS:.1f}× uniform"


claim("06", "locate-learns",
      "Trained for 150 steps, one early-concatenation layer points at the named object's patch on at least "
      "80 % of the test pictures (chance 1 in 16), on at least 4 of every 5 seeds.",
      locate, share_at_least("accuracy", 0.8, share=0.8))
claim("06", "image-reads-caption",
      "The image's patch queries give the 2 words more than twice their uniform share of attention "
      "(2/18 of it), on at least 4 of every 5 seeds.",
      locate, share_at_least("image←caption share", 2 * UNIFORM_WORDS, share=0.8, fmt=_times_uniform))
claim("06", "auc-image-caption",
      "Image←caption alignment AUC (0.5 = no preference): its mean over seeds is above 0.6, and it is above "
      "0.55 on at least 3 of every 5 seeds; patches holding an object of the caption's colour or shape read "
      "that word more than other patches do. On some seeds it is near 0.5.",
      locate, both(estimate(mean_of("AUC image←caption"), low=0.6, what="mean AUC"),
                   share_at_least("AUC image←caption", 0.55, share=0.6, fmt=_auc)))
claim("06", "auc-caption-image",
      "Caption←image alignment AUC near 0.5 (no clear preference): its mean over seeds lies between 0.4 "
      "and 0.6, and it lies between 0.3 and 0.7 on at least 4 of every 5 seeds.",
      locate, both(estimate(mean_of("AUC caption←image"), 0.4, 0.6, what="mean AUC"),
                   share_at_least("AUC caption←image", 0.3, share=0.8, fmt=_auc),
                   share_at_most("AUC caption←image", 0.7, share=0.8, fmt=_auc)))
claim("06", "swap-moves-like-perfect",
      "Given the caption of another test sample, the model moves its answer on at least 80 % of the "
      "pictures where a perfect model must move (the new caption names another object there) and on at "
      "most 10 % of those where it must stay (it names the same object), on at least 4 of every 5 seeds.",
      locate, both(share_at_least("moved where it must", 0.8, share=0.8, fmt=_pct),
                   share_at_most("moved where it must not", 0.1, share=0.8, fmt=_pct)))
claim("06", "other-object-found",
      "Asked about another object of the same picture, the model's answer moves to that object's patch on "
      "at least 85 % of the test pictures (a perfect model: 100 %; one that ignores the caption: 0 %), on "
      "at least 4 of every 5 seeds.",
      locate, share_at_least("found, other object named", 0.85, share=0.8, fmt=_pct))
