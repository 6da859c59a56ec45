"""Notebook 08's claims: one→multi (a joint stage, then one encoder per modality) on locate, match and
repeat. Its controls on match and repeat are trained once, by notebooks 07 and 09 (see
``mmviz.lessons.hierarchy``); notebook 08 shows their claims next to its own."""
from __future__ import annotations

from ..lessons import hierarchy
from .core import both, claim, experiment, share_at_least, share_at_most

LOCATE, MATCH, REPEAT = (hierarchy.experiment(n) for n in ("locate", "match", "repeat"))


@experiment("08", seeds=range(10), **LOCATE)
def locate_streams(seed):
    """One→multi, multi→one and concatenation (two layers per token) on locate: accuracy, caption swap."""
    return hierarchy.streams_locate(seed)


@experiment("08", seeds=range(8), **MATCH)
def match_one_to_multi(seed):
    """One→multi (2 joint + 2 separate layers) on match."""
    return hierarchy.curve_run("match", "hierarchical_one_to_multi", seed)


@experiment("08", seeds=range(8), **REPEAT)
def repeat_one_to_multi(seed):
    """One→multi (1 joint + 1 separate layer) on repeat."""
    return hierarchy.curve_run("repeat", "hierarchical_one_to_multi", seed)


claim("08", "locate-streams-learn",
      "In 150 steps, one→multi, multi→one and concatenation with two joint layers each learn locate on most "
      "seeds: 90 % or more on at least 3 of every 5 seeds (chance 1/16).",
      locate_streams,
      both(*(share_at_least(f"{v} accuracy", 0.9, share=0.6) for v in hierarchy.STREAM_VARIANTS)))
claim("08", "image-stream-informed",
      "Swapping the caption moves one→multi's final image stream by more than 20 % on every seed.",
      locate_streams, share_at_least("one→multi influence", 0.2, fmt=lambda v: f"{v:.2f}"))
claim("08", "match-one-to-multi-not-reliable",
      "On match, within 1,000 steps, one→multi (two joint layers, then two separate ones) reaches 90 % on "
      "at most 3 of every 4 seeds.",
      match_one_to_multi, share_at_most("best", 0.9, share=0.25))
claim("08", "match-one-to-multi-learning",
      "It is learning, not stuck: it ends at least 10 points above the baseline (52 %) on at least half "
      "of the seeds.",
      match_one_to_multi, share_at_least("final", 0.62, share=0.5))
claim("08", "repeat-one-to-multi-solves",
      "On repeat, one→multi (one layer per stage) reaches 90 % within 1,200 steps on every seed.",
      repeat_one_to_multi, share_at_least("best", 0.9))
