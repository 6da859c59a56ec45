"""Notebook 02's claims: pre- and post-norm gradients and amplification at initialisation (48 inits),
and training with and without warm-up (8 seeds), each against what Xiong et al. / Liu et al. predict.

At initialisation a "seed" is one initialisation (and one batch of random tokens and labels); in
training it seeds the weights and the batches.
"""
from __future__ import annotations

import math

from ..lessons import norms
from .core import both, claim, estimate, experiment, gap, plain, share_at_least, share_at_most

DEPTHS = (3, 6, 12, 24)           # blocks L, for the gradient of the last layer against depth
BLOCKS = (1, 4, 16)               # blocks in the amplification experiment: N = 2, 8, 32 sub-layers
DIM = 64
BASE_LOSS, BASE_ACC = norms.position_only_baseline(8, 8)   # the sorting task's positions-only baseline


def _log_slope(xs, columns):
    """Least-squares slope of log y on log x, pooled over seeds: columns[i] holds every seed's y at xs[i]."""
    return norms.loglog_slope(xs, [math.exp(sum(map(math.log, c)) / len(c)) for c in columns])


GROUP = 4                         # initialisations per seed: seed s measures inits 4s, ..., 4s + 3


def _group(norm, depth, seed, init="xavier"):
    """measure_at_init averaged over the GROUP initialisations of ``seed``: {"grads", "stream"}."""
    runs = [norms.measure_at_init(norm, depth, DIM, seed=GROUP * seed + r, init=init) for r in range(GROUP)]
    return {k: [sum(col) / GROUP for col in zip(*(m[k] for m in runs))] for k in ("grads", "stream")}


@experiment("02", seeds=range(32), at_init=True, dim=DIM, heads=4, depths=list(DEPTHS), batch=16, tokens=16,
            init="xavier", initialisations_per_seed=GROUP, default_init_depth=12)
def gradients_at_init(seed):
    """‖∂ℓ/∂W₂‖ of each block's second MLP weight and the stream ‖x_l‖²/d, mean of 4 initialisations."""
    out = {}
    for norm in ("pre", "post"):
        for L in DEPTHS:
            m = _group(norm, L, seed)
            out[f"grad_{norm}_{L}"] = m["grads"][-1]
            out[f"stream_{norm}_{L}"] = m["stream"][-1]
        out[f"layers_{norm}"], out[f"layers_{norm}_steps"] = m["grads"], list(range(1, L + 1))
        out[f"stream_{norm}"], out[f"stream_{norm}_steps"] = m["stream"], list(range(1, L + 1))
    out["pre_stream_in_band"] = float(all(1 + l / 2 < v < 1 + 3 * l / 2
                                          for l, v in enumerate(out["stream_pre"], 1) if l >= 4))
    for norm in ("pre", "post"):       # PyTorch's default initialisation at depth 12, for the ratio
        out[f"default_{norm}_12"] = _group(norm, 12, seed, init="default")["grads"][-1]
    out["ratio_xavier"] = out["grad_post_12"] / out["grad_pre_12"]
    out["ratio_default"] = out["default_post_12"] / out["default_pre_12"]
    out["post_above_pre"] = float(all(out[f"grad_post_{L}"] > out[f"grad_pre_{L}"] for L in DEPTHS))
    out["post_rise_24"] = out["layers_post"][-1] / out["layers_post"][0]
    out["pre_fall_24"] = out["layers_pre"][0] / out["layers_pre"][-1]
    out["pre_stream_growth"] = out["stream_pre"][-1] / out["stream_pre"][0]
    return out


def depth_slope(norm):
    """Statistic: the log–log slope of the last layer's gradient against depth L, pooled over seeds."""
    return lambda s: _log_slope(DEPTHS, [s.check(f"grad_{norm}_{L}") for L in DEPTHS])


def stream_slope(s):
    """Statistic: the slope that 1/‖x_L‖ of the measured pre-norm stream predicts (−½ × its own slope)."""
    return -0.5 * _log_slope(DEPTHS, [s.check(f"stream_pre_{L}") for L in DEPTHS])


def slope_share(s):
    """Statistic: measured pre-norm gradient slope ÷ the slope 1/‖x_L‖ predicts."""
    return depth_slope("pre")(s) / stream_slope(s)


def mean_ratio(top, bottom):
    return lambda s: (sum(s.check(top)) / len(s.seeds)) / (sum(s.check(bottom)) / len(s.seeds))


claim("02", "pre-stream-grows",
      "Pre-norm's residual stream grows with depth: after 24 blocks ‖x‖²/d is more than 10× its value "
      "after one block, and from block 4 on it lies inside Xiong et al.'s band 1 + l/2 to 1 + 3l/2, on at "
      "least 9 of every 10 seeds (a seed: 4 initialisations).", gradients_at_init,
      both(share_at_least("pre_stream_growth", 10, 0.9, fmt=plain),
           share_at_least("pre_stream_in_band", 1, 0.9, fmt=plain)))
claim("02", "pre-slope",
      "Pre-norm's last-layer gradient shrinks with depth L: fitted over the initialisations, its log–log "
      "slope lies between −0.45 and −0.1, shallower than the −½ of Xiong et al.'s large-L shape.",
      gradients_at_init, estimate(depth_slope("pre"), -0.45, -0.1, what="slope"))
claim("02", "post-slope",
      "Post-norm's last-layer gradient grows with depth L (log–log slope at least +0.15), where Xiong et "
      "al.'s bound does not depend on L: here the measurement and the bound's shape disagree.",
      gradients_at_init, estimate(depth_slope("post"), 0.15, what="slope"))
claim("02", "slope-vs-stream",
      "Pre-norm's gradient falls more slowly than 1/‖x_L‖ of the measured stream predicts: the measured "
      "slope is between 0.2 and 0.85 of the predicted one.",
      gradients_at_init, estimate(slope_share, 0.2, 0.85, what="measured ÷ predicted slope"))
claim("02", "post-above-pre",
      "Post-norm's last-layer gradient is larger than pre-norm's at every depth from 3 to 24, on at least "
      "9 of every 10 seeds (a seed: 4 initialisations).", gradients_at_init,
      share_at_least("post_above_pre", 1, 0.9, fmt=plain))
claim("02", "post-rises-gently",
      "At depth 24 post-norm's gradient is larger at the last layer than at the first, by far less than "
      "the 100× of Xiong et al.'s (2/3)^((L−l)/2) shape: larger on at least 3 of every 4 "
      "seeds, and by at most 10× on every one.",
      gradients_at_init, both(share_at_least("post_rise_24", 1, 0.75, fmt=plain),
                              share_at_most("post_rise_24", 10, 1.0, fmt=plain)))
claim("02", "pre-falls-to-output",
      "At depth 24 pre-norm's gradient is not level across layers, as Xiong et al.'s shape is: the first "
      "layer's is larger than the last's on at least 9 of every 10 seeds (a seed: 4 initialisations).",
      gradients_at_init,
      share_at_least("pre_fall_24", 1, 0.9, fmt=plain))
claim("02", "default-init-ratio",
      "The initialisation matters: at depth 12, post-norm's last-layer gradient is about 2–6× pre-norm's "
      "with Xavier weights and about 1.3–2× with PyTorch's default (averaged over initialisations); "
      "the gap shrinks, and does not vanish.", gradients_at_init,
      both(estimate(mean_ratio("grad_post_12", "grad_pre_12"), 2, 6, what="Xavier ratio"),
           estimate(mean_ratio("default_post_12", "default_pre_12"), 1.3, 2, what="default ratio")))


@experiment("02", seeds=range(32), at_init=True, dim=DIM, heads=4, blocks=list(BLOCKS), perturbation_std=1e-3,
            tokens=16, initialisations_per_seed=GROUP)
def amplification(seed):
    """Liu et al.'s output change under a random perturbation of every weight, mean of 4 initialisations."""
    return {f"change_{norm}_{2 * L}": norms.output_change(norm, L, dim=DIM, seed=GROUP * seed, repeats=GROUP)
            for norm in ("pre", "post") for L in BLOCKS}


def growth(norm):
    """Statistic: mean output change at N = 32 sub-layers ÷ mean at N = 2."""
    first, last = 2 * BLOCKS[0], 2 * BLOCKS[-1]
    return mean_ratio(f"change_{norm}_{last}", f"change_{norm}_{first}")


LOG_GROWTH = math.log(1 + 2 * BLOCKS[-1]) / math.log(1 + 2 * BLOCKS[0])    # log(1 + N) from N = 2 to 32


claim("02", "post-amplifies-more",
      "From N = 2 to 32 sub-layers, post-norm's output change under the same small perturbation grows at "
      "least twice as much as pre-norm's.", amplification,
      estimate(lambda s: growth("post")(s) / growth("pre")(s), 2, what="post growth ÷ pre growth"))
claim("02", "amplification-vs-liu",
      f"Against Liu et al.'s shapes: post-norm's output change grows by more than N's 16× from N = 2 to 32, "
      f"pre-norm's by more than log(1 + N)'s {LOG_GROWTH:.1f}× — faster than the O(log N) shape, far "
      f"slower than post-norm.", amplification,
      both(estimate(growth("post"), 16, what="post-norm growth"),
           estimate(growth("pre"), LOG_GROWTH * 1.4, what="pre-norm growth")))

WARMUP_STEPS, WARMUP_LR, EVERY = 150, 1e-2, 5
RUNS = {"post_no": ("post", False), "post_warm": ("post", True), "pre_no": ("pre", False),
        "pre_warm": ("pre", True)}


def _sorter(norm, warmup, seed, lr):
    model, losses = norms.train_sorter(norm, 6, warmup=warmup, steps=WARMUP_STEPS, seed=seed, lr=lr)
    return {"accuracy": norms.sorting_accuracy(model), "loss": sum(losses[-20:]) / 20,
            "curve": losses[::EVERY]}


@experiment("02", seeds=range(8), depth=6, dim=32, heads=4, steps=WARMUP_STEPS, lr=WARMUP_LR, warmup_steps=50,
            batch=32, length=8, vocab=8, curve_every=EVERY)
def warmup(seed):
    """A 6-block stack learning to sort 8 symbols: post/pre-norm, with and without warm-up."""
    out = {}
    for key, (norm, ramp) in RUNS.items():
        r = _sorter(norm, ramp, seed, WARMUP_LR)
        out[f"acc_{key}"], out[f"loss_{key}"] = r["accuracy"], r["loss"]
        out[f"curve_{key}"], out[f"curve_{key}_steps"] = r["curve"], list(range(0, WARMUP_STEPS, EVERY))
    return out


@experiment("02", seeds=range(8), depth=6, dim=32, heads=4, steps=WARMUP_STEPS, lr=3e-3, warmup=False)
def small_lr(seed):
    """Post-norm without warm-up at a smaller learning rate, 3e-3 (exercise 3's control)."""
    r = _sorter("post", False, seed, 3e-3)
    return {"acc_post_small": r["accuracy"], "loss_post_small": r["loss"]}


claim("02", "post-needs-warmup",
      "At learning rate 1e-2 without warm-up, post-norm does not reach the positions-only baseline in 150 "
      "steps (accuracy at least 0.1 below it) on at least 9 of every 10 seeds.", warmup,
      share_at_most("acc_post_no", BASE_ACC - 0.1, 0.9))
claim("02", "post-warmup-beats-baseline",
      "Warm-up lifts post-norm far above its run without warm-up (accuracy at least 0.15 higher, seed by "
      "seed, on at least 9 of every 10 seeds); it beats the positions-only baseline on at least 2 of every "
      "5 seeds, and is at most 0.1 below it on at least 9 of every 10.", warmup,
      both(gap("acc_post_warm", "acc_post_no", 0.15, 0.9),
           share_at_least("acc_post_warm", BASE_ACC + 0.02, 0.4),
           share_at_least("acc_post_warm", BASE_ACC - 0.1, 0.9)))
claim("02", "pre-learns-either-way",
      "Pre-norm sorts with or without warm-up: accuracy at least 0.85 on at least 9 of every 10 seeds, "
      "both ways.", warmup,
      both(share_at_least("acc_pre_no", 0.85, 0.9), share_at_least("acc_pre_warm", 0.85, 0.9)))
claim("02", "pre-beats-post-warmup",
      "Pre-norm without warm-up ends at least 0.05 more accurate than post-norm with warm-up, seed by seed, "
      "on at least 9 of every 10 seeds.", warmup, gap("acc_pre_no", "acc_post_warm", 0.05, 0.9))
claim("02", "small-lr-instead",
      "A smaller learning rate (3e-3) without warm-up lets post-norm beat the positions-only baseline in 150 "
      "steps on some seeds (at least 2 of every 5), less reliably than warm-up does.", small_lr,
      share_at_least("acc_post_small", BASE_ACC + 0.02, 0.4))
