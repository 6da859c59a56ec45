"""Notebook 07's claims: multi→one (separate encoders, then a joint one) on locate, match and repeat.

Each trained set-up is in ``mmviz.lessons.hierarchy.EXPERIMENTS``; a (task, variant) pair is trained once
in the notebook that introduces it: 07 trains match with early concatenation (the control with the same
two joint layers) and multi→one, and repeat with multi→one; 09 trains repeat's controls.
"""
from __future__ import annotations

from ..lessons import hierarchy
from .core import (
    Verdict,
    both,
    claim,
    estimate,
    experiment,
    gap,
    percent,
    plain,
    share_at_least,
    share_at_most,
)

LOCATE, MATCH, REPEAT = (hierarchy.experiment(n) for n in ("locate", "match", "repeat"))


def mean_gap(higher, lower):
    """A statistic for :func:`estimate`: the mean over the seeds of ``higher`` - ``lower`` (paired)."""
    def statistic(s):
        diffs = [a - b for a, b in zip(s.check(higher), s.check(lower))]
        return sum(diffs) / len(diffs)
    return statistic


def still_rising(curve, margin, share):
    """Holds when, on at least ``share`` of the seeds, the accuracy curve's last point is ``margin`` or
    more above its point at half the budget: still learning at the end, so "slower", not "unable"."""
    def judge(s):
        rises = [c[-1] - c[len(c) // 2 - 1] for c in s.curves[curve]]
        k, n = sum(r >= margin for r in rises), len(rises)
        return Verdict(k >= share * n - 1e-9, f"{k} of {n} seeds rose by >= {100 * margin:.0f} points over "
                                              f"the second half (range {100 * min(rises):+.0f} to "
                                              f"{100 * max(rises):+.0f} points)")
    return judge


@experiment("07", seeds=range(12), **LOCATE)
def locate_multi_to_one(seed):
    """Multi→one on locate (150 steps): accuracy, the joint stage's AUCs, the caption swap per stage."""
    return hierarchy.multi_to_one_locate(seed)


@experiment("07", seeds=range(8), **MATCH)
def match(seed):
    """Early concatenation (2 joint layers, the control) and multi→one (2 separate + 2 joint) on match,
    both from the same seed, so that claims can compare them seed by seed."""
    return hierarchy.paired_run("match", hierarchy.MATCH_PAIR, seed)


@experiment("07", seeds=range(8), **REPEAT)
def repeat_multi_to_one(seed):
    """Multi→one (1 separate + 1 joint layer) on repeat."""
    return hierarchy.curve_run("repeat", "hierarchical_multi_to_one", seed)


claim("07", "locate-multi-to-one-learns",
      "Multi→one learns locate in 150 steps: test accuracy at least 90 % on every seed (chance 1/16).",
      locate_multi_to_one, share_at_least("accuracy", 0.9))
claim("07", "stage-one-blind",
      "Swapping the caption leaves the stage-1 image tokens exactly unchanged (0.0) on every seed, and "
      "moves the joint stage's image tokens by more than 10 %.",
      locate_multi_to_one, both(share_at_most("stage-1 change", 0.0, fmt=plain),
                                share_at_least("joint change", 0.1, fmt=plain)))
claim("07", "patches-prefer-their-words",
      "In the joint stage, the patches a word describes give it more attention than other patches do: "
      "image←caption AUC above 0.65 on at least 4 of every 5 seeds (0.5 = no preference).",
      locate_multi_to_one, share_at_least("image←caption", 0.65, share=0.8, fmt=plain))
claim("07", "words-no-clear-preference",
      "Read the other way (caption←image: does a word prefer its patches over the other word's?), the "
      "AUC stays near 0.5: between 0.35 and 0.65 on at least 4 of every 5 seeds.",
      locate_multi_to_one, both(share_at_most("caption←image", 0.65, share=0.8, fmt=plain),
                                share_at_least("caption←image", 0.35, share=0.8, fmt=plain)))
claim("07", "match-concatenation-ahead",
      "With the same two joint layers and the same budget (1,000 steps), early concatenation ends above "
      "multi→one on at least 3 of every 5 seeds (paired by seed), by 5 points or more on average.",
      match, both(gap("concatenation final", "multi→one final", 0.0, share=0.6),
                  estimate(mean_gap("concatenation final", "multi→one final"), low=0.05, fmt=percent,
                           what="mean gap")))
claim("07", "match-reaches-90",
      "Early concatenation reaches 90 % on match within the budget on at least 1 of every 5 seeds; "
      "multi→one on at most 1 of every 4.",
      match, both(share_at_least("concatenation best", 0.9, share=0.2),
                  share_at_most("multi→one best", 0.9, share=0.75)))
claim("07", "match-multi-to-one-learning",
      "Yet multi→one is learning, not stuck: it ends at least 8 points above the baseline (52 %) on at "
      "least 2 of every 5 seeds, and its curve still rises by 5 points or more over the second half of "
      "the budget on at least 1 of every 5 seeds.",
      match, both(share_at_least("multi→one final", 0.6, share=0.4),
                  still_rising("multi→one accuracy", 0.05, share=0.2)))
claim("07", "repeat-multi-to-one-solves",
      "On repeat, multi→one (one layer per stage) reaches 90 % within 1,200 steps on every seed.",
      repeat_multi_to_one, share_at_least("best", 0.9))
