"""Notebook 11's claims: what the variants score when a modality is missing at test time, and whether
modality dropout in training is the remedy.

"tally" with two modalities (image, caption; data seed 0): the label counts which of them says "red"
(0, 1 or 2), so without the caption part of the answer is still in the image (the best any model can do
from the image alone is 2/3, :func:`mmviz.lessons.missing.best_without`). Per variant and seed, three
runs of the same model (dim 32, one layer per stage, 300 steps): trained on both modalities; trained
with modality dropout (p = 0.3 per modality, never both); and a control trained with the caption absent
from every sample (it sees only the image, same budget). Each is tested with the caption absent.
"match" (data seed 0): the caption's two words decide the answer, so without them nothing is left:
cross-attention trained on both, and a control trained on the image alone, tested without the caption.
The claims' names: ``<variant>-full``, ``-control``, ``-absent``, ``-dropout``; ``match-…``.
"""
from __future__ import annotations

from functools import lru_cache

from ..data import make_task
from ..lessons.missing import absent_run, best_without
from ..lessons.playground import majority_share
from .core import both, claim, experiment, gap, share_at_least, share_at_most

SEEDS = range(8)
STEPS, DROPOUT = 300, 0.3
VARIANTS = ("early_concatenation", "hierarchical_multi_to_one", "hierarchical_one_to_multi",
            "cross_attention", "cross_attention_to_concatenation")
SHORT = {"early_concatenation": "concatenation", "hierarchical_multi_to_one": "multi-to-one",
         "hierarchical_one_to_multi": "one-to-multi", "cross_attention": "cross-attention",
         "cross_attention_to_concatenation": "cross-to-concatenation"}
MATCH_STEPS = 500


@lru_cache(maxsize=None)
def task(name):
    """The task a run trains on (2,000 training and 500 test samples, data seed 0), made once per process."""
    return make_task("tally", num_modalities=2) if name == "tally" else make_task(name)


def tally_runs(seed, variant):
    """The three runs of one variant on tally, each tested with and without the caption."""
    t = task("tally")
    plain = absent_run(t, variant, seed, STEPS, ["caption"])
    dropout = absent_run(t, variant, seed, STEPS, ["caption"], dropout=DROPOUT)
    control = absent_run(t, variant, seed, STEPS, ["caption"], train_absent=["caption"])
    return {"full": plain["full"], "absent": plain["absent"], "dropout_full": dropout["full"],
            "dropout_absent": dropout["absent"], "control": control["absent"],
            "best_without_caption": best_without(t, ["caption"]), "majority": majority_share(t)}


def tally_experiment(variant):
    def run(seed):
        return tally_runs(seed, variant)
    run.__name__ = f"tally_{variant}"
    run.__doc__ = (f"tally (image + caption), {variant}: trained on both, with modality dropout "
                   f"{DROPOUT}, and on the image alone ({STEPS} steps each); tested without the caption.")
    return experiment("11", seeds=SEEDS, task="tally", num_modalities=2, variant=variant, dim=32, depth=1,
                      steps=STEPS, modality_dropout=DROPOUT, absent="caption")(run)


TALLY = {v: tally_experiment(v) for v in VARIANTS}


@experiment("11", seeds=SEEDS, task="match", variant="cross_attention", dim=32, depth=1, steps=MATCH_STEPS,
            absent="caption")
def match(seed):
    """match, cross-attention: trained on both modalities and on the image alone (500 steps each);
    tested without the caption."""
    t = task("match")
    plain = absent_run(t, "cross_attention", seed, MATCH_STEPS, ["caption"])
    control = absent_run(t, "cross_attention", seed, MATCH_STEPS, ["caption"], train_absent=["caption"])
    return {"full": plain["full"], "absent": plain["absent"], "control": control["absent"],
            "majority": majority_share(t)}


# ---------------------------------------------------------------- the claims
# Levels and shares are set with a margin from the committed seeds, so that they hold on other seeds too.
# Four claims per variant: it learns tally (with and without dropout); the image-only control reaches
# most of the image's 2/3 (cross-attention: not within this budget); trained on both, it falls below
# the control without the caption (multi → one: it does not); with dropout it comes within 5 points.

for _v, _run in TALLY.items():
    _name = SHORT[_v]
    claim("11", f"{_name}-full",
          f"With both modalities, {_v} reaches 95 % on tally within {STEPS} steps on at least 4 of every 5 "
          f"seeds, trained with or without modality dropout.",
          _run, both(share_at_least("full", 0.95, share=0.8),
                     share_at_least("dropout_full", 0.95, share=0.8)))
    claim("11", f"{_name}-dropout",
          f"With modality dropout (p = {DROPOUT}), {_v} without the caption scores within 5 points of the "
          f"image-only control (or above it) on at least 4 of every 5 seeds.",
          _run, gap("dropout_absent", "control", -0.05, share=0.8))
    if _v == "cross_attention":
        claim("11", f"{_name}-control",
              f"{_v} trained on the image alone (same budget) stays below 60 % without the caption on at "
              f"least 4 of every 5 seeds, though above 45 % (a constant answer scores about 35 %): its only "
              f"stage reads the other modality, so without the caption no image token reads another, and "
              f"within {STEPS} steps it does not reach the 2/3 the image allows.",
              _run, both(share_at_most("control", 0.60, share=0.8),
                         share_at_least("control", 0.45, share=0.8)))
    else:
        claim("11", f"{_name}-control",
              f"{_v} trained on the image alone (the caption absent from every sample, same budget) reaches "
              f"60 % without the caption on at least 4 of every 5 seeds: most of the 2/3 the image allows "
              f"(a constant answer scores about 35 %).",
              _run, share_at_least("control", 0.60, share=0.8))
    if _v == "hierarchical_multi_to_one":
        claim("11", f"{_name}-absent",
              f"Trained on both modalities, {_v} without the caption scores within 5 points of the "
              f"image-only control on at least 3 of every 5 seeds: its separate stage encodes the picture "
              f"alone, as in training.",
              _run, gap("absent", "control", -0.05, share=0.6))
    else:
        claim("11", f"{_name}-absent",
              f"Trained on both modalities, {_v} without the caption scores at least 10 points below the "
              f"image-only control on at least 3 of every 5 seeds: the answer was partly there, and the "
              f"model failed to use it.",
              _run, gap("control", "absent", 0.10, share=0.6))

claim("11", "match-caption-gone",
      "On match, without the caption nothing is left to decide: cross-attention trained on both and the "
      "control trained on the image alone both stay at or below 60 % on every seed (a constant answer "
      "scores about 52 %).",
      match, both(share_at_most("absent", 0.60), share_at_most("control", 0.60)))
claim("11", "match-full-learns",
      f"With the caption, the same cross-attention model reaches 60 % within {MATCH_STEPS} steps on at "
      f"least 2 of every 5 seeds (not on every seed: binding words to patches is hard at this budget, "
      f"notebook 10): the caption carries what the image alone cannot.",
      match, share_at_least("full", 0.60, share=0.4))
