"""Attention maps with their modality structure: the token heatmap and the M×M modality blocks.

Both are pictures a live widget redraws in place (``AttentionPicture``, ``BlocksPicture``); the
``plot_*`` functions draw one once.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from matplotlib.colors import Normalize, PowerNorm
from matplotlib.figure import Figure as MplFigure
from matplotlib.patches import Patch, Rectangle

from .._validate import positive_int
from ..measure import modality_blocks, select_weights
from ..outputs import FUSED, AttentionRecord, FusionOutput
from .base import (
    ATTENTION_CMAP,
    Figure,
    LivePng,
    band,
    boundaries,
    check_labels,
    default_token_labels,
    modality_colour,
    modality_name,
    themed,
    thin,
)

TICK_PT = 9                    # the smallest tick label: readable on a laptop
PROJECTOR_PT = 12              # the smallest tick label in projector mode (the back row of a lecture hall)
SCALES = ("auto", "fixed")
NUMBERING = "tokens numbered from 0"     # said on every map (heads and samples too): one convention


def larger_type(figure: MplFigure, tick_pt: float) -> None:
    """Every axes' tick labels (those made later too) at ``tick_pt`` or more, axis labels a little larger:
    what projector mode changes; a no-op at the laptop size (``TICK_PT``)."""
    if tick_pt == TICK_PT:
        return
    for ax in figure.axes:
        ax.tick_params(labelsize=tick_pt)
        for label in (ax.xaxis.label, ax.yaxis.label):
            label.set_fontsize(max(label.get_fontsize(), tick_pt + 1))


def colour_norm(scale: str, top: float) -> Normalize:
    """"auto": linear from 0 to this map's largest weight ``top``; "fixed": the same for every map of an
    explorer, 0 to 1 on a square-root scale (so that uniform weights of 1/40 still show)."""
    if scale == "fixed":
        return PowerNorm(0.5, vmin=0.0, vmax=1.0)
    if scale != "auto":
        raise ValueError(f"scale must be one of {SCALES}, got {scale!r}")
    return Normalize(0.0, max(float(top), 1e-6))


def uniform_level(w: np.ndarray) -> float:
    """The weight of uniform attention, 1/N_k, averaged over the rows (rows may see different key sets:
    masked keys have weight exactly 0)."""
    allowed = (np.asarray(w) > 0).sum(axis=1)
    return float(np.mean(1.0 / np.maximum(allowed, 1)))


class AttentionPicture:
    """A heatmap of one AttentionRecord that can be redrawn in place (``set_data``) by a live widget.

    Queries are rows, keys columns; coloured bands on the left (query) and top (key) edges mark each
    token's modality; white lines separate the modality blocks; a colour bar gives the weight, with
    the uniform level 1/N_k marked on it (attention that prefers nothing). Rows passed as ``unread``
    (from ``measure.unread_queries``) are greyed and hatched, with the note "never read by the loss":
    what they attend to is not learned from the task.
    """

    @themed()
    def __init__(self, figsize=(6.0, 5.4), dpi=80, tick_pt=TICK_PT):
        self.figure = fig = Figure(figsize=figsize, dpi=dpi)
        self.live = LivePng(fig)
        self.tick_pt = tick_pt = max(TICK_PT, tick_pt)
        big = tick_pt / TICK_PT                                 # every other text grows with the ticks
        self.structure = self.labels = None
        # The axes are made once; a new record only changes their contents (making axes is slow).
        # Margins in inches, not fractions, so that a smaller figure (the explorers' compact size) keeps
        # room for the longest token label ("patch (3,3)", 11 characters) and the axis labels beside it.
        W, H = fig.get_size_inches()
        left, bottom, right, top, band_in = 1.25 * big, 1.2 * big, 1.05 * big, 1.08 * big, 0.12
        x0, y0 = left / W, bottom / H
        width, height, strip = 1 - (left + right) / W, 1 - (bottom + top) / H, band_in / W
        self.axes = ax = fig.add_axes((x0, y0, width, height))
        self.left = fig.add_axes((x0 - strip - 0.03 / W, y0, strip, height))
        self.top = fig.add_axes((x0, y0 + height + 0.03 / H, width, band_in / H))
        self.cax = cax = fig.add_axes((x0 + width + 0.15 / W, y0, 0.13 / W, height))
        self.image = ax.imshow(np.zeros((1, 1)), cmap=ATTENTION_CMAP, aspect="auto", interpolation="nearest",
                               vmin=0, vmax=1)
        self.colorbar = fig.colorbar(self.image, cax=cax)
        self.colorbar.set_label("attention weight", fontsize=tick_pt + 1)
        cax.tick_params(labelsize=tick_pt)
        self.uniform = cax.axhline(0.5, color="white", lw=2.5)
        self.uniform_text = fig.text(x0 + width + 0.1 / W, y0 - 0.1 / H, "", ha="left", va="top",
                                     fontsize=tick_pt, color="#444444")
        self.scale = None
        self.left_band = self.left.imshow(np.ones((1, 1, 3)), aspect="auto", interpolation="nearest")
        self.top_band = self.top.imshow(np.ones((1, 1, 3)), aspect="auto", interpolation="nearest")
        ax.set_yticks([])
        ax.set_xlabel(f"key (attended to); {NUMBERING}")
        self.left.set_xticks([])
        self.left.set_ylabel("query (attending)")
        self.top.set_xticks([])
        self.top.set_yticks([])
        self.title = fig.text(0.5, 1 - 0.08 / H, "", ha="center", va="top", fontsize=11 * big)
        self.legend = None
        self.shade = ax.imshow(np.zeros((1, 1, 4)), aspect="auto", interpolation="nearest", zorder=3)
        self.hatches = []
        # Notes sit just above the map's top band, where no tick label or axis label ever goes (at the
        # bottom, under rotated key labels, the note was printed over "key (attended to)").
        self.note = fig.text(0.1 / W, y0 + height + (band_in + 0.1) / H, "", ha="left", va="bottom",
                             fontsize=8.5 * big, color="#555555")
        larger_type(fig, tick_pt)
        self.lines = []

    @themed()
    def draw(self, record, head=None, sample=0, query_labels=None, key_labels=None, modality_names=None,
             max_ticks=24, title=None, scale="auto", unread=None):
        """Draw weights[sample, head] (head None: mean of the heads); ``scale`` "auto" (0 to this map's
        largest weight) or "fixed" (0 to 1, square-root scale: comparable across maps); ``unread``:
        None or a bool (Nq,) of query rows to grey."""
        max_ticks = positive_int(max_ticks, "max_ticks")
        w = select_weights(record, head, sample)
        nq, nk = w.shape
        qm, km = record.query_modality.tolist(), record.key_modality.tolist()
        names = modality_names
        query_labels = check_labels(query_labels, nq, "query_labels") or default_token_labels(qm, names)
        key_labels = check_labels(key_labels, nk, "key_labels") or default_token_labels(km, names)
        structure = (tuple(qm), tuple(km), tuple(names or ()))
        if structure != self.structure:     # new token layout: new bands, lines, legend
            self.restructure(qm, km, names)
            self.structure, self.labels = structure, None
        labels = (tuple(query_labels), tuple(key_labels), max_ticks)
        if labels != self.labels:           # new tick labels (e.g. another sample's words)
            self.set_labels(query_labels, key_labels, max_ticks)
            self.labels = labels
        self.image.set_data(w)
        if scale != self.scale:              # a new colour-bar axis: redraw its ticks once
            self.image.set_norm(colour_norm(scale, w.max()))
            self.scale = scale
            self.live.invalidate()
        elif scale == "auto":                # the same norm, a new top: the colour bar follows
            top = colour_norm(scale, w.max())
            self.image.set_clim(top.vmin, top.vmax)
        level = uniform_level(w)
        self.uniform.set_ydata([level, level])
        self.uniform_text.set_text(f"white line:\nuniform 1/N_k\n= {level:.2g}")
        self.uniform_level = level                            # the level marked, for tests and readers
        self.mark_unread(unread, nq, nk)
        heads = record.weights.shape[1]
        which = f"mean of {heads} heads" if head is None else f"head {head} (of 0–{heads - 1})"
        whose = "mean over the batch" if sample is None else f"sample {sample}"
        self.title.set_text(title or f"{record.name}: {which}, {whose}")
        return self.figure

    @themed()
    def restructure(self, qm, km, names):
        nq, nk = len(qm), len(km)
        ax, rows, cols = self.axes, (nq - 0.5, -0.5), (-0.5, nk - 0.5)
        self.image.set_data(np.zeros((nq, nk)))
        self.image.set_extent((*cols, *rows))
        ax.set_xlim(*cols)
        ax.set_ylim(*rows)
        self.left_band.set_data(band(qm, names)[:, None])
        self.left_band.set_extent((-0.5, 0.5, *rows))
        self.left.set_ylim(*rows)
        self.top_band.set_data(band(km, names)[None])
        self.top_band.set_extent((*cols, 0.5, -0.5))
        self.top.set_xlim(*cols)
        for line in list(ax.lines):
            line.remove()
        self.lines = [ax.axhline(y, color="white", lw=1.2) for y in boundaries(qm)]
        self.lines += [ax.axvline(x, color="white", lw=1.2) for x in boundaries(km)]
        if self.legend is not None:
            self.legend.remove()
        present = sorted(set(qm) | set(km), key=lambda m: (m == FUSED, m))
        handles = [Patch(color=modality_colour(m, names), label=modality_name(m, names)) for m in present]
        top = 1 - 0.3 * self.tick_pt / TICK_PT / self.figure.get_size_inches()[1]     # below the title
        self.legend = self.figure.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, top),
                                         ncol=min(4, len(handles)), frameon=False,
                                         fontsize=9 * self.tick_pt / TICK_PT, handlelength=1.2)

    def mark_unread(self, unread, nq, nk):
        """Grey and hatch the query rows the loss never reads; note how many (nothing if none)."""
        rows = np.zeros(nq, bool) if unread is None else np.asarray(unread)
        if rows.dtype != bool or rows.shape != (nq,):
            raise ValueError(f"unread must be None or a bool array of shape ({nq},) (one per query), got "
                             f"{rows.dtype} {rows.shape}")
        shade = np.zeros((nq, nk, 4))
        shade[rows] = (0.62, 0.62, 0.62, 0.8)
        self.shade.set_data(shade)
        self.shade.set_extent(self.image.get_extent())
        self.shade.set_visible(bool(rows.any()))     # a transparent layer costs as much as the map
        for patch in self.hatches:
            patch.remove()
        edges = np.flatnonzero(np.diff(np.r_[0, rows.astype(int), 0]))    # starts and stops of grey runs
        self.hatches = [self.axes.add_patch(Rectangle((-0.5, start - 0.5), nk, stop - start, fill=False,
                                                      hatch="//", edgecolor="#555555", lw=0, zorder=4))
                        for start, stop in zip(edges[::2], edges[1::2])]
        self.unread_rows = rows
        self.note.set_text(f"grey, hatched rows ({rows.sum()} of {nq} queries): never read by the loss"
                           if rows.any() else "")

    @themed()
    def set_labels(self, query_labels, key_labels, max_ticks):
        # Labels stay >= 9 pt: fewer of them (every k-th) where the axis has no room for all.
        width, height = self.axes.get_position().size * self.figure.get_size_inches() * 72
        pt = self.tick_pt
        fits = lambda points: max(1, min(max_ticks, int(points / (pt + 1.5))))  # noqa: E731
        ticks = thin(len(key_labels), fits(width))
        self.axes.set_xticks(ticks, [key_labels[i] for i in ticks], rotation=90, fontsize=pt)
        ticks = thin(len(query_labels), fits(height))
        self.left.set_yticks(ticks, [query_labels[i] for i in ticks], fontsize=pt)

    @property
    def layer(self):
        """What changes with the token layout or the sample's words, not from frame to frame: the modality
        bands (under their strips' spines), the legend, the tick labels."""
        return [self.left_band, self.top_band, *self.left.spines.values(), *self.top.spines.values(),
                self.axes.xaxis, self.left.yaxis, self.legend]

    @property
    def dynamic(self):
        """What changes from frame to frame, in z-order: the map's pixels, block lines and spines over
        them, grey unread rows, the uniform level (the whole colour bar on the "auto" scale), the title."""
        # "fixed": a static colour bar, the uniform level drawn on it under the bar's outline
        scale = [self.cax] if self.scale == "auto" else [self.uniform, self.colorbar.outline]
        shade = [self.shade, *self.hatches] if self.shade.get_visible() else []
        return [self.image, *self.lines, *self.axes.spines.values(), *shade, *scale, self.uniform_text,
                self.title, self.note]

    def png(self):
        """The current picture as PNG bytes, redrawing only what changed since the last layout."""
        return self.live.render(self.dynamic, self.layer, layer_key=(self.structure, self.labels))


def plot_attention(record: AttentionRecord, head: int | None = None, sample: int | None = 0,
                   query_labels: Sequence[str] | None = None, key_labels: Sequence[str] | None = None,
                   modality_names: Sequence[str] | None = None, max_ticks: int = 24, title: str | None = None,
                   scale: str = "auto", unread: torch.Tensor | None = None) -> MplFigure:
    """Heatmap of one AttentionRecord, tokens labelled on both axes and banded by modality.

    record.weights: (batch, heads, Nq, Nk); draws weights[sample, head] or, head=None, the mean of
    the heads (sample=None: the mean over the batch). Labels default to "M1:3" (modality 1, token 3),
    or "ima:3" with modality_names. unread: a bool (Nq,) from ``measure.unread_queries``: those rows
    are greyed and hatched, "never read by the loss".
    """
    return AttentionPicture().draw(record, head, sample, query_labels, key_labels, modality_names,
                                   max_ticks, title, scale, unread)


class BlocksPicture:
    """The M×M modality-block heatmap, redrawn in place (pixels, numbers, title) by a live widget."""

    @themed()
    def __init__(self, figsize=(4.4, 3.8), dpi=80, tick_pt=TICK_PT):
        self.figure = fig = Figure(figsize=figsize, dpi=dpi)
        self.live = LivePng(fig)
        self.tick_pt = tick_pt = max(TICK_PT, tick_pt)
        self.layout = None
        self.ax = ax = fig.add_axes((0.3, 0.25, 0.46, 0.56))     # made once: making axes is slow
        self.cax = fig.add_axes((0.79, 0.25, 0.03, 0.56))
        self.image = ax.imshow(np.zeros((1, 1)), cmap=ATTENTION_CMAP, vmin=0, vmax=1)
        fig.colorbar(self.image, cax=self.cax, label="share of attention")
        ax.set_xlabel("to keys of")
        ax.set_ylabel("from queries of")
        self.title = fig.text(0.5, 0.97, "", ha="center", va="top", fontsize=10 * tick_pt / TICK_PT)
        larger_type(fig, tick_pt)
        self.numbers = {}

    @themed()
    def draw(self, record_or_output, sample=None, head=None, stage=None, modality_names=None, title=None):
        mods, mass = modality_blocks(record_or_output, sample, head, stage)
        layout = (tuple(mods), tuple(modality_names or ()))
        if layout != self.layout:           # other modalities: other tick labels (the layer)
            self.restructure(mods, modality_names)
            self.layout = layout
        self.image.set_data(mass)
        for (i, j), text in self.numbers.items():
            empty = np.isnan(mass[i, j])
            text.set_text("no\nqueries" if empty else f"{mass[i, j]:.2f}")
            text.set_color("#777777" if empty else "black" if mass[i, j] > 0.6 else "white")
        cross = 1 - float(np.nanmean(np.diag(mass)))
        self.title.set_text(title or f"attention between modalities\ncross-modal share {cross:.0%}")
        self.mass = self.figure.modality_mass = mass      # the numbers drawn, for tests and readers
        self.key = (layout, mass.tobytes(), self.title.get_text())
        return self.figure

    @themed()
    def restructure(self, mods, names):
        ax, M = self.ax, len(mods)
        self.image.set_data(np.zeros((M, M)))
        self.image.set_extent((-0.5, M - 0.5, M - 0.5, -0.5))
        ax.set_xlim(-0.5, M - 0.5)
        ax.set_ylim(M - 0.5, -0.5)
        for text in self.numbers.values():
            text.remove()
        pt = self.tick_pt + 1
        self.numbers = {(i, j): ax.text(j, i, "", ha="center", va="center", fontsize=pt - 1)
                        for i in range(M) for j in range(M)}
        labels = [modality_name(m, names) for m in mods]
        ax.set_xticks(range(M), labels, rotation=30, ha="right", fontsize=pt)
        ax.set_yticks(range(M), labels, fontsize=pt)
        for ticks in (ax.get_xticklabels(), ax.get_yticklabels()):
            for text, m in zip(ticks, mods):
                text.set_color(modality_colour(m, names))
        self.dynamic = [self.image, *ax.spines.values(), *self.numbers.values(), self.title]

    def png(self):
        """The picture as PNG bytes; nothing drawn if neither the numbers nor the title changed."""
        return self.live.render(self.dynamic, [self.ax.xaxis, self.ax.yaxis], layer_key=self.layout,
                                key=self.key)


def plot_modality_blocks(record_or_output: AttentionRecord | Sequence[AttentionRecord] | FusionOutput,
                         sample: int | None = None, head: int | None = None, stage: str | None = None,
                         modality_names: Sequence[str] | None = None, title: str | None = None) -> MplFigure:
    """M×M heatmap of attention mass from each modality (rows, queries) to each one (columns, keys).

    Accepts one AttentionRecord, a list of them, or a FusionOutput (all its records; ``stage`` picks
    one stage). The diagonal is attention kept inside a modality, the rest is cross-modal interaction;
    the title gives the cross-modal share (off-diagonal mass averaged over the rows).
    ``fig.modality_mass`` holds the matrix drawn (rows sum to 1).
    """
    return BlocksPicture().draw(record_or_output, sample, head, stage, modality_names, title)


class AlphaPicture:
    """Early summation's modality weights: one bar per modality, α_m, and what each summed token holds.

    Its one summed sequence has a 1×1 modality-block matrix that says nothing; what matters is how much
    of each modality the sum keeps: Z = Σ_m α_m Z_m.
    """

    @themed()
    def __init__(self, figsize=(4.4, 3.8), dpi=80, tick_pt=TICK_PT):
        self.figure = fig = Figure(figsize=figsize, dpi=dpi)
        self.live = LivePng(fig)
        self.tick_pt = max(TICK_PT, tick_pt)
        self.ax = fig.add_axes((0.22, 0.16, 0.72, 0.52))          # room above for three lines of title
        self.title = fig.text(0.5, 0.97, "", ha="center", va="top", fontsize=10 * self.tick_pt / TICK_PT)
        self.names = self.alpha = None

    @themed()
    def draw(self, alpha, modality_names):
        alpha, names = [float(a) for a in alpha], list(modality_names)
        if len(alpha) != len(names):
            raise ValueError(f"alpha must hold one weight per modality ({len(names)}), got {len(alpha)}")
        if names != self.names:                          # new modalities: new bars and ticks
            self.restructure(names)
        for bar, text, a in zip(self.bars, self.numbers, alpha):
            bar.set_height(a)
            text.set_position((bar.get_x() + bar.get_width() / 2, a + 0.03))
            text.set_text(f"{a:.2f}")
        total = sum(alpha)
        shares = [f"{n} {a / total:.0%}" if total > 0 else f"{n} 0%" for n, a in zip(names, alpha)]
        lines = [", ".join(shares[i:i + 2]) for i in range(0, len(shares), 2)]     # two a line: it fits
        self.title.set_text("each summed token Z = Σ α_m Z_m holds\n" + "\n".join(lines))
        self.alpha = alpha
        return self.figure

    @themed()
    def restructure(self, names):
        ax = self.ax
        ax.clear()
        self.bars = list(ax.bar(range(len(names)), [0] * len(names), width=0.6,
                                color=[modality_colour(n) for n in names]))
        pt = self.tick_pt + 1
        self.numbers = [ax.text(i, 0, "", ha="center", va="bottom", fontsize=pt)
                        for i in range(len(names))]
        ax.set_xticks(range(len(names)), names, fontsize=pt)
        ax.set_ylim(0, 1.15)
        ax.set_ylabel("α (weight in the sum)", fontsize=pt)
        larger_type(self.figure, self.tick_pt)
        ax.grid(True, axis="y", alpha=0.3)
        self.names = names
        self.live.invalidate()

    def png(self):
        """Bars, spines over them (their z-order), numbers, title; nothing drawn if α did not change."""
        dynamic = [*self.bars, *self.ax.spines.values(), *self.numbers, self.title]
        return self.live.render(dynamic, key=(tuple(self.alpha), tuple(self.names)))
