"""Notebook 05's claims: early summation on aligned, shuffled and re-aligned streams (against a control
that pairs tokens by attention, trained with the same budget), and what its weights α do (trained at each
α with frozen embedders, learned, and moved after training) for M = 2, 3, 4 streams of ``sync``.

A seed sets the initial weights and the order of the mini-batches; the data are the same for every seed
(data seed 0), so seeds measure how training varies, not how the data do.
"""
from __future__ import annotations

from typing import Any

from ..lessons import summation as S
from ..train import FusionClassifier, fit
from .core import both, claim, estimate, experiment, gap, mean_of, share_at_least, share_at_most

SHORT = 150             # steps: what summation needs on aligned streams
LONG = 600              # steps: 4× that, for the shuffled streams and the control
EVERY = 50              # evaluate the long runs every EVERY steps (the curves' points)
CHANCE = S.chance(S.streams(aligned=True))      # always answering the commoner class of the test split


@experiment("05", seeds=range(10), steps=SHORT, alpha=[0.5, 0.5], **S.MODEL, **S.DATA)
def alignment(seed):
    """Summation at α = (½, ½) after 150 steps on aligned, shuffled and re-aligned streams."""
    return {name: S.train("early_summation", task, seed, SHORT, alpha=(0.5, 0.5))[1].test_accuracy[-1]
            for name, task in (("aligned", S.streams(True)), ("shuffled", S.streams(False)),
                               ("re-aligned", S.realigned()))}


def _curve(variant, seed, alpha=None):
    _, history = S.train(variant, S.streams(False), seed, LONG, alpha=alpha, eval_every=EVERY)
    acc = history.test_accuracy
    return {"accuracy": acc, "accuracy_steps": [s + 1 for s in history.eval_step], "final": acc[-1],
            "halfway": acc[len(acc) // 2 - 1], "gain": acc[-1] - acc[len(acc) // 2 - 1]}


@experiment("05", seeds=range(10), steps=LONG, eval_every=EVERY, alpha=[0.5, 0.5], **S.MODEL, **S.DATA)
def shuffled_summation(seed):
    """Summation on shuffled streams for 600 steps: the test-accuracy curve (every 50 steps)."""
    return _curve("early_summation", seed, alpha=(0.5, 0.5))


@experiment("05", seeds=range(10), steps=LONG, eval_every=EVERY, **S.MODEL, **S.DATA)
def shuffled_cross_attention(seed):
    """The control: cross-attention on the same shuffled streams with the same 600 steps."""
    return _curve("cross_attention", seed)


# --- α: trained at each α with frozen embedders, learned, and moved after training -----------------------

ALPHA_STEPS = {2: 150, 3: 150, 4: 150}      # one short budget for every M (too short for 4 on some seeds)
TRAINED_AT = (0.1, None, 0.9)         # the sound's weight w (None: 1/M, uniform); the others share 1 − w
MOVED_TO = (0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 1.0)    # where the uniform model's α is moved after training


def _label(w):
    return "uniform" if w is None else f"{w:g}"


def _alpha_run(num_modalities, seed):
    """For M streams of sync: accuracy trained at each α of TRAINED_AT, with α learned, and the
    uniform model's accuracy after its α is moved to each w of MOVED_TO (and back to uniform)."""
    task, out, steps = S.sync(num_modalities), {}, ALPHA_STEPS[num_modalities]
    for w in TRAINED_AT:
        alpha = S.weights(num_modalities, 1 / num_modalities if w is None else w)
        model, history = S.train("early_summation", task, seed, steps, alpha=alpha, frozen=True)
        out[f"trained {_label(w)}"] = history.test_accuracy[-1]
        if w is None:
            moved = sorted({*MOVED_TO, 1 / num_modalities})
            out["moved"] = [S.accuracy_at(model, task, S.weights(num_modalities, v)) for v in moved]
            out["moved_steps"] = moved
            for v in (0.1, 0.9):
                out[f"moved {v:g}"] = out["moved"][moved.index(v)]
    model, history = S.train("early_summation", task, seed, steps, alpha=None, frozen=True)
    out["learned"] = history.test_accuracy[-1]
    alpha = model.fusion.alpha.detach()
    out["learned α"] = alpha.tolist()
    out["learned α_steps"] = list(range(num_modalities))
    out["learned α spread"] = (alpha / alpha.sum() - 1 / num_modalities).abs().max().item()
    return out


@experiment("05", seeds=range(8), steps=ALPHA_STEPS[2], frozen_embedders=True, trained_at=list(TRAINED_AT),
            moved_to=list(MOVED_TO), num_modalities=2, **S.MODEL, **S.DATA)
def alpha_2(seed):
    """M = 2 streams of sync: accuracy trained at each α, with α learned, and with α moved after training."""
    return _alpha_run(2, seed)


@experiment("05", seeds=range(8), steps=ALPHA_STEPS[3], frozen_embedders=True, trained_at=list(TRAINED_AT),
            moved_to=list(MOVED_TO), num_modalities=3, **S.MODEL, **S.DATA)
def alpha_3(seed):
    """M = 3 streams of sync: accuracy trained at each α, with α learned, and with α moved after training."""
    return _alpha_run(3, seed)


@experiment("05", seeds=range(8), steps=ALPHA_STEPS[4], frozen_embedders=True, trained_at=list(TRAINED_AT),
            moved_to=list(MOVED_TO), num_modalities=4, **S.MODEL, **S.DATA)
def alpha_4(seed):
    """M = 4 streams of sync: accuracy trained at each α, with α learned, and with α moved after training."""
    return _alpha_run(4, seed)


# --- claims ------------------------------------------------------------------------------------------------

claim("05", "aligned-learns",
      "On aligned streams, summation at α = (½, ½) reaches 90 % test accuracy within 150 steps on at least "
      "4 of every 5 seeds.",
      alignment, share_at_least("aligned", 0.9, share=0.8))
claim("05", "shuffled-lags",
      "With the same 150 steps on shuffled streams, it stays below 65 % (chance is about 51 %) on at least "
      "3 of every 5 seeds, and at least 20 points below the aligned run of the same seed on at least 4 of "
      "every 5.",
      alignment, both(share_at_most("shuffled", 0.65, share=0.6),
                      gap("aligned", "shuffled", 0.2, share=0.8)))
claim("05", "realigned-learns",
      "Re-aligning the shuffled sensor frames by their time stamps brings summation back to at least 90 % "
      "within 150 steps, on at least 4 of every 5 seeds.",
      alignment, share_at_least("re-aligned", 0.9, share=0.8))
claim("05", "shuffled-stays-low",
      "Trained 4× longer (600 steps) on shuffled streams, summation still ends below 80 % on at least "
      "3 of every 5 seeds, and its mean over seeds is below 75 %; on a minority of seeds it climbs well "
      "above chance.",
      shuffled_summation, both(share_at_most("final", 0.8, share=0.6),
                               estimate(mean_of("final"), high=0.75, fmt=lambda v: f"{100 * v:.1f} %",
                                        what="mean final accuracy")))
claim("05", "shuffled-plateau",
      "Its curve is flat over the second half: from step 300 to step 600 the mean gain over seeds is "
      "below 5 points. Within this budget it is not catching up slowly; it has stalled.",
      shuffled_summation, estimate(mean_of("gain"), high=0.05, fmt=lambda v: f"{100 * v:+.1f} points",
                                   what="mean gain"))
claim("05", "control-learns-shuffled",
      "The control, cross-attention (sound queries read sensor keys, so tokens pair by attention, not by "
      "position), reaches at least 90 % on the same shuffled streams with the same 600 steps, on at least "
      "4 of every 5 seeds.",
      shuffled_cross_attention, share_at_least("final", 0.9, share=0.8))


def _mean_gap(higher, lower):
    """Statistic: the mean over seeds of higher − lower (each seed's pair kept together)."""
    return lambda s: sum(a - b for a, b in zip(s.check(higher), s.check(lower))) / len(s.seeds)


def _alpha_claims(m, experiment_fn):
    steps = ALPHA_STEPS[m]
    if m < 4:
        claim("05", f"alpha-{m}-uneven-hurts",
              f"M = {m}: trained at α with the sound's weight 0.9 (the other streams sharing 0.1), accuracy "
              f"after {steps} steps ends at least 10 points below training at uniform α (1/{m} each), on at "
              f"least 4 of every 5 seeds.",
              experiment_fn, gap("trained uniform", "trained 0.9", 0.1, share=0.8))
    else:
        claim("05", f"alpha-{m}-uniform-short",
              f"M = {m}: {steps} steps are too few for 4 streams: even at uniform α the model stays below "
              f"90 % on at least 3 of every 5 seeds (it has learned the task on some seeds, not on others).",
              experiment_fn, share_at_most("trained uniform", 0.9, share=0.6))
        claim("05", f"alpha-{m}-uneven-hurts",
              f"M = {m}: trained at α with the sound's weight 0.9 (the others sharing 0.1), it stays below "
              f"60 % (chance is about 51 %) on at least 4 of every 5 seeds, and on average over seeds it "
              f"ends at least 5 points below the uniform run.",
              experiment_fn, both(share_at_most("trained 0.9", 0.6, share=0.8),
                                  estimate(_mean_gap("trained uniform", "trained 0.9"), low=0.05,
                                           fmt=lambda v: f"{100 * v:+.1f} points", what="mean gap")))
    claim("05", f"alpha-{m}-tenth-below",
          f"M = {m}: trained with the sound's weight 0.1 instead (the others sharing 0.9), it also ends "
          f"below the uniform run on average over seeds (mean gap at least 2 points), by an amount that "
          f"varies from seed to seed.",
          experiment_fn, estimate(_mean_gap("trained uniform", "trained 0.1"), low=0.02,
                                  fmt=lambda v: f"{100 * v:+.1f} points", what="mean gap"))
    claim("05", f"alpha-{m}-learned",
          f"M = {m}: learned α (starting at 1/{m}) stays within 0.15 of uniform (each weight's share of "
          f"the total) and ends within 5 points of the uniform run's accuracy or above it, on at least "
          f"4 of every 5 seeds.",
          experiment_fn, both(share_at_most("learned α spread", 0.15, share=0.8, fmt=lambda v: f"{v:.3f}"),
                              gap("learned", "trained uniform", -0.05, share=0.8)))
    if m < 4:
        claim("05", f"alpha-{m}-moved",
              f"M = {m}: trained at uniform α, then moved after training to the sound's weight 0.9, the same "
              f"model loses at least 15 points, on at least 4 of every 5 seeds: it is tuned to the mix it "
              f"was trained on.",
              experiment_fn, gap("trained uniform", "moved 0.9", 0.15, share=0.8))
    else:
        claim("05", f"alpha-{m}-moved",
              f"M = {m}: trained at uniform α, then moved after training to the sound's weight 0.9, the same "
              f"model loses at least 5 points on average over seeds (more where it had learned the task).",
              experiment_fn, estimate(_mean_gap("trained uniform", "moved 0.9"), low=0.05,
                                      fmt=lambda v: f"{100 * v:+.1f} points", what="mean loss"))


for _m, _fn in ((2, alpha_2), (3, alpha_3), (4, alpha_4)):
    _alpha_claims(_m, _fn)


# --- the explorer: how many presses of Train before α is worth moving ---------------------------------

PRESS: dict[str, Any] = dict(steps=120, batch_size=32)       # one press of the explorer's Train button
PRESSES = 4


@experiment("05", seeds=range(8), presses=PRESSES, **PRESS, dim=32, depth=1, heads=4, n_train=1000,
            n_test=200, data_seed=0, streams=[2, 4])
def explorer_presses(seed):
    """The explorer's model on sync (M = 2 and 4, α = 1/M, embedders trained), test accuracy after each
    press of Train (120 steps at batch 32, each press a new warm-up and decay, seeded seed + press)."""
    out = {}
    for m in (2, 4):
        task = S.explorer_sync(m)
        model = FusionClassifier("early_summation", task, alpha=[round(1 / m, 2)] * m, seed=seed, **S.MODEL)
        accuracy = []
        for press in range(PRESSES):
            history = fit(model, task, seed=seed + press, progress=False, eval_every=PRESS["steps"], **PRESS)
            accuracy.append(history.test_accuracy[-1])
        out[f"M={m}"], out[f"M={m}_steps"] = accuracy, list(range(1, PRESSES + 1))
        for press, a in enumerate(accuracy, 1):
            out[f"M={m}, press {press}"] = a
    return out


claim("05", "explorer-presses",
      "In the explorer (sync, α = 1/M, embedders trained), one press of Train (120 steps) brings M = 2 "
      "streams to at least 85 % on at least 4 of every 5 seeds; M = 4 streams are still below 80 % after "
      "two presses on at least 2 of every 5 seeds, so press three or four times before moving α.",
      explorer_presses, both(share_at_least("M=2, press 1", 0.85, share=0.8),
                             share_at_most("M=4, press 2", 0.8, share=0.4)))
