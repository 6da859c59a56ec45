"""Learning curves over seeds: each variant's mean test accuracy with its min–max band, the chance level,
and the live rerun of seed 0 on top (notebooks 07–09, via ``mmviz.lessons.hierarchy.for_plot``)."""
from __future__ import annotations

from .base import Figure, themed, variant_style


def band_of(curves):
    """(mean, low, high), point by point, of a list of equally long curves (one per seed)."""
    columns = list(zip(*curves))
    return [sum(c) / len(c) for c in columns], [min(c) for c in columns], [max(c) for c in columns]


def draw_band(ax, steps, curves, label, alpha=0.18, **line):
    """One variant on ``ax``: its mean over the seeds' ``curves`` as a line (``line``: plot keywords,
    with a colour) and their min–max as a shaded band of that colour; returns the line."""
    mean, low, high = band_of(curves)
    ax.fill_between(steps, low, high, color=line["color"], alpha=alpha, lw=0)
    return ax.plot(steps, mean, label=label, **line)[0]


@themed()
def plot_seed_curves(evidence, variants=None, live=None, title=None, labels=None):
    """Test accuracy against training step for ``variants`` (default: all in ``evidence``), one line
    (the mean over seeds) and one shaded band (min–max) each; a dashed line at chance.

    evidence: {"step": [x], "curves": {variant: [[accuracy per x] per seed]}, "chance", "seeds"} and
    optionally "chance_label" (what the dashed line is, "chance" if absent);
    live: {variant: [accuracy per x, a prefix]} drawn as open circles (seed 0 rerun now);
    labels: {variant: legend text} (default: the variant's name).
    """
    variants = list(evidence["curves"]) if variants is None else list(variants)
    unknown = [v for v in variants if v not in evidence["curves"]]
    if unknown:
        raise ValueError(f"no curves for {unknown}; the evidence has {list(evidence['curves'])}")
    labels, steps = labels or {}, evidence["step"]
    fig = Figure(figsize=(7.8, 3.4), dpi=80)
    ax = fig.add_axes((0.08, 0.15, 0.52, 0.74))
    for variant in variants:
        style = variant_style(variant)
        draw_band(ax, steps, evidence["curves"][variant], labels.get(variant, variant.replace("_", " ")),
                  color=style["color"], ls=style.get("ls", "-"), lw=1.6)
        if live and variant in live:
            ax.plot(steps[:len(live[variant])], live[variant], "o", mfc="none", color=style["color"], ms=6)
    what = evidence.get("chance_label", "chance")          # e.g. the majority-class baseline
    ax.axhline(evidence["chance"], color="#555555", lw=1, ls="--", label=f"{what} ({evidence['chance']:.2f})")
    if live:
        ax.plot([], [], "o", mfc="none", color="#555555", label="seed 0, rerun now")
    ax.set(xlabel="training step", ylabel="test accuracy", ylim=(0, 1.03), xlim=(0, steps[-1]))
    ax.grid(True, alpha=0.3)
    note = f"line: mean of {len(evidence['seeds'])} seeds, band: min–max"
    ax.set_title(f"{title}\n{note}" if title else note, fontsize=11)
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=False, fontsize=10)
    return fig
