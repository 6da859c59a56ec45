"""Curves: gradient norms per layer (pre- vs post-norm), training histories, compute cost per variant."""
from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

from .._validate import flag
from ..measure import cost_curves
from ..train import History
from .base import PALETTE, Figure, themed, variant_style

NORM_COLOURS = {"pre": "#0072B2", "post": "#D55E00"}     # Okabe-Ito blue and vermillion


def check_series(series: object, what: str) -> dict[str, list[float]]:
    """{label: list of floats}; ValueError on anything else or on non-finite values."""
    if not isinstance(series, dict) or not series:
        raise ValueError(f"{what} must be a non-empty dict {{label: list of floats}}, "
                         f"got {type(series).__name__}")
    out = {}
    for label, values in series.items():
        try:
            values = [float(v) for v in values]
        except (TypeError, ValueError):
            raise ValueError(f"{what}[{label!r}] must be a list of numbers, got {values!r}") from None
        if not values or any(v != v or v in (float("inf"), float("-inf")) for v in values):
            raise ValueError(f"{what}[{label!r}] must be a non-empty list of finite numbers, got {values!r}")
        out[str(label)] = values
    return out


def series_colour(label: str, i: int) -> str:
    for norm, colour in NORM_COLOURS.items():
        if label == norm or label.startswith(norm + "-") or label.startswith(norm + " "):
            return colour
    return PALETTE[i % len(PALETTE)]


class GradNormPicture:
    """Per-layer gradient norms, one line per norm placement; ``draw`` updates the lines in place."""

    @themed()
    def __init__(self, figsize=(5.0, 3.6), dpi=80):
        self.figure = Figure(figsize=figsize, dpi=dpi)
        self.ax = self.figure.add_axes((0.2, 0.16, 0.76, 0.7))
        self.lines = {}

    @themed()
    def draw(self, norms, title=None, logy=True):
        norms = check_series(norms, "norms")
        ax = self.ax
        if set(norms) != set(self.lines):
            ax.clear()
            self.lines = {label: ax.plot([], [], "o-", color=series_colour(label, i), label=label)[0]
                          for i, label in enumerate(norms)}
            ax.legend(title="LayerNorm", frameon=False)
            ax.set_xlabel("layer l (1 = input side, L = depth)")
            ax.set_ylabel("gradient norm ‖∂loss/∂W₂‖")        # not ∂L: L is the depth on this axis
            ax.grid(True, alpha=0.3)
        for label, values in norms.items():
            self.lines[label].set_data(range(1, len(values) + 1), values)
        log = flag(logy, "logy")
        ax.set_yscale("log" if log else "linear")
        ax.relim()
        ax.autoscale_view()
        if log:
            self.at_least_a_decade(norms)
        depth = max(len(v) for v in norms.values())
        ax.set_xticks(range(1, depth + 1) if depth <= 12 else range(1, depth + 1, max(1, depth // 8)))
        ax.set_title(title or f"gradient norm per layer at initialisation, depth {depth}", fontsize=10)
        return self.figure


    def at_least_a_decade(self, norms):
        """A log axis spans at least ten times its bottom, centred on the data: norms that barely change
        with the layer (PyTorch's default init: 0.25 to 0.31) draw flat instead of filling the axis, and
        the ticks are plain numbers (1, 2, 5 × 10^k written as 0.2, 0.5, 1): no wide "3×10⁻¹" labels
        that pushed the axis label out of the picture."""
        values = [v for vs in norms.values() for v in vs if v > 0]
        if not values:
            return
        low, high = min(values), max(values)
        if high / low < 10:
            middle = math.sqrt(low * high)
            low, high = middle / math.sqrt(10), middle * math.sqrt(10)
        self.ax.set_ylim(low / 1.15, high * 1.15)
        axis = self.ax.yaxis
        axis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
        axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.3g}"))
        axis.set_minor_formatter(NullFormatter())


def plot_grad_norms(norms: dict[str, Sequence[float]] | None = None, pre: Sequence[float] | None = None,
                    post: Sequence[float] | None = None, title: str | None = None,
                    logy: bool = True) -> Figure:
    """Per-layer gradient norms: ``norms`` = {"pre": [...], "post": [...]} (or pre=, post= lists).

    x: layer 1..L (input side first), y: the norm (log scale by default); pre-norm blue, post-norm
    vermillion in every picture of the collection.
    """
    if norms is not None and not isinstance(norms, dict):
        raise ValueError(f"norms must be a dict {{'pre': [...], 'post': [...]}} or None, got {norms!r:.100}")
    norms = dict(norms or {})
    norms.update({k: v for k, v in (("pre", pre), ("post", post)) if v is not None})
    return GradNormPicture().draw(norms, title, logy)


def history_series(history: History | dict, field: str) -> list:
    values = history.get(field) if isinstance(history, dict) else getattr(history, field, None)
    return list(values) if values is not None else []


def numbers(values: Iterable[float], label: str) -> list[float]:
    """``values`` as a list of floats (NaN and inf kept: matplotlib leaves a gap), or a ValueError."""
    try:
        return [float(x) for x in values]
    except (TypeError, ValueError):
        raise ValueError(f"run {label!r}: losses must be numbers, got {values!r:.200}") from None


class HistoryPicture:
    """Loss (left) and accuracy (right) against step for one or more runs, drawn in place."""

    @themed()
    def __init__(self, figsize=(8.0, 3.2), dpi=80):
        self.figure = Figure(figsize=figsize, dpi=dpi)
        self.loss = self.figure.add_axes((0.08, 0.17, 0.38, 0.68))
        self.acc = self.figure.add_axes((0.58, 0.17, 0.38, 0.68))

    @themed()
    def draw(self, histories, title=None, logy=False):
        runs = histories if isinstance(histories, dict) else {"": histories}
        if not runs:
            raise ValueError("histories must hold at least one run, got an empty dict")
        self.loss.clear()
        self.acc.clear()
        any_acc = False
        for i, (label, h) in enumerate(runs.items()):
            loss = numbers(h if isinstance(h, (list, tuple)) else history_series(h, "loss"), label)
            if not loss:
                raise ValueError(f"run {label!r} has no losses: expected a History, a dict with 'loss' "
                                 f"or a list of floats, got {type(h).__name__}")
            colour = series_colour(str(label), i)
            steps = history_series(h, "step") if not isinstance(h, (list, tuple)) else []
            steps = steps if len(steps) == len(loss) else range(1, len(loss) + 1)
            self.loss.plot(steps, loss, color=colour, lw=1.2, label=label or None)
            acc = [] if isinstance(h, (list, tuple)) else history_series(h, "accuracy")
            if acc:
                any_acc = True
                self.acc.plot(steps if len(acc) == len(loss) else range(1, len(acc) + 1), acc, color=colour,
                              lw=1.2, label=label or None)
                test = history_series(h, "test_accuracy")
                at = history_series(h, "eval_step")
                if test and len(at) == len(test):
                    self.acc.plot(at, test, "o--", color=colour, ms=4, lw=1, label=f"{label} test".strip())
        self.loss.set_yscale("log" if flag(logy, "logy") else "linear")
        self.loss.set(xlabel="step", ylabel="loss", title="training loss")
        self.acc.set(xlabel="step", ylabel="accuracy",
                     title="accuracy" if any_acc else "accuracy (not recorded)")
        if any_acc:
            self.acc.set_ylim(0, 1.02)
        for ax in (self.loss, self.acc):
            ax.grid(True, alpha=0.3)
            if ax.get_legend_handles_labels()[1]:
                ax.legend(frameon=False, fontsize=8)
        if title:
            self.figure.suptitle(title, fontsize=10)
        return self.figure


def plot_history(histories: History | Sequence[float] | dict[str, History | Sequence[float]],
                 title: str | None = None, logy: bool = False) -> Figure:
    """Loss and accuracy curves: one History (train.fit), a list of losses, or {label: History}."""
    return HistoryPicture().draw(histories, title, logy)


@themed()
def plot_cost(token_counts: Sequence[int] = (2, 4, 8, 16, 32, 64), num_modalities: int = 2, dim: int = 32,
              depth: int = 2, heads: int = 4, part: str = "attention",
              variants: Sequence[str] | None = None) -> Figure:
    """FLOPs of each fusion variant against the tokens per modality N (all modalities N tokens).

    part: "attention" (the quadratic core), "projection_mlp" or "total"; log-log axes, where a slope
    of 2 is quadratic cost. The numbers come from ``mmviz.measure.cost_curves``; a variant that cannot
    run with ``num_modalities`` (cross-attention with one) is left out.
    """
    curves = cost_curves(token_counts, num_modalities, dim, depth, heads, part, variants)
    fig = Figure(figsize=(7.4, 4.0), dpi=80)
    ax = fig.add_axes((0.1, 0.14, 0.48, 0.74))
    for variant, flops in curves.items():
        ax.plot(token_counts, flops, ms=4, alpha=0.85, label=variant.replace("_", " "),
                **variant_style(variant))
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel(f"tokens per modality N ({num_modalities} modalities)")
    ax.set_ylabel(f"FLOPs per example ({part.replace('_', ' + ')})")
    ax.set_title(f"cost of each fusion variant, d={dim}, depth {depth}\n"
                 "(equal costs draw on top of each other)", fontsize=10)
    ax.grid(True, which="both", alpha=0.25)
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=False, fontsize=8)
    return fig
