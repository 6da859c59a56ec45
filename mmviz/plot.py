"""Pictures of attention with its modality structure: heatmaps, modality blocks, maps on images.

Every function returns a matplotlib ``Figure`` built without pyplot, so a notebook shows it once.
Each modality has one colour-blind-safe colour (Okabe-Ito) everywhere; a summed (FUSED) token is grey.
seaborn is imported here, on the first picture, to set the one theme of the collection.
"""
from __future__ import annotations

import io
import math

import numpy as np
import torch
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure as _Figure
from matplotlib.patches import Patch

from .records import FUSED, AttentionRecord, FusionOutput

# Okabe & Ito (2008): distinguishable under the common colour-vision deficiencies.
MODALITY_COLOURS = ("#E69F00", "#56B4E9", "#009E73", "#CC79A7", "#D55E00", "#0072B2", "#F0E442")
FUSED_COLOUR = "#8C8C8C"
ATTENTION_CMAP = "viridis"
_themed = False


class Figure(_Figure):
    """A matplotlib Figure that shows itself as a PNG in a notebook, with or without pyplot.

    Figures are built without pyplot (no double display, no global state), so IPython's inline
    formatter may not be registered yet: ``_repr_png_`` draws the picture in any case.
    """

    def _repr_png_(self):
        buffer = io.BytesIO()
        self.savefig(buffer, format="png", bbox_inches="tight")
        return buffer.getvalue()


def set_theme():
    """The one seaborn theme of mmviz (set once; later calls do nothing)."""
    global _themed
    if not _themed:
        import seaborn as sns

        sns.set_theme(style="white", context="notebook", palette=list(MODALITY_COLOURS))
        _themed = True


def modality_colour(m):
    """The colour of 0-based modality ``m``; grey for FUSED (-1)."""
    return FUSED_COLOUR if m == FUSED else MODALITY_COLOURS[m % len(MODALITY_COLOURS)]


def modality_name(m, names=None):
    """A readable name of 0-based modality ``m``: names[m], else "modality m+1"; "summed" for FUSED."""
    if m == FUSED:
        return "summed"
    return names[m] if names is not None and m < len(names) else f"modality {m + 1}"


def check_record(record):
    if not isinstance(record, AttentionRecord):
        raise ValueError(f"expected an AttentionRecord, got {type(record).__name__}")
    w = record.weights
    if not isinstance(w, torch.Tensor) or w.dim() != 4:
        raise ValueError(f"record.weights must be a (batch, heads, Nq, Nk) tensor, got "
                         f"{tuple(w.shape) if isinstance(w, torch.Tensor) else type(w).__name__}")
    if len(record.query_modality) != w.shape[2] or len(record.key_modality) != w.shape[3]:
        raise ValueError(f"record modality labels ({len(record.query_modality)}, {len(record.key_modality)}) "
                         f"do not match weights of shape {tuple(w.shape)}")
    return record


def select_weights(record, head=None, sample=0):
    """(Nq, Nk) numpy array: one sample's weights, one head or (head=None) the mean over heads."""
    check_record(record)
    batch, heads = record.weights.shape[:2]
    if sample is not None and (isinstance(sample, bool) or not isinstance(sample, int)
                               or not 0 <= sample < batch):
        raise ValueError(f"sample must be an int in [0, {batch}) or None (mean over the batch), "
                         f"got {sample!r}")
    if head is not None and (isinstance(head, bool) or not isinstance(head, int) or not 0 <= head < heads):
        raise ValueError(f"head must be None (mean of the heads) or an int in [0, {heads}), got {head!r}")
    w = record.weights.detach().float()
    w = w.mean(0) if sample is None else w[sample]
    w = w.mean(0) if head is None else w[head]
    return w.cpu().numpy()


def default_token_labels(modality_of_tokens, names=None):
    """One label per token: its modality's name (first 3 letters) and its index inside the modality."""
    counts, labels = {}, []
    for m in (int(x) for x in modality_of_tokens):
        i = counts.get(m, 0)
        counts[m] = i + 1
        short = "Σ" if m == FUSED else (names[m][:3] if names is not None and m < len(names) else f"M{m + 1}")
        labels.append(f"{short}:{i}")
    return labels


def check_labels(labels, n, what):
    if labels is None:
        return None
    labels = [str(x) for x in labels]
    if len(labels) != n:
        raise ValueError(f"{what} must hold one label per token ({n}), got {len(labels)}")
    return labels


def boundaries(modality_of_tokens):
    """Positions i - 0.5 where the modality changes between token i-1 and token i."""
    m = [int(x) for x in modality_of_tokens]
    return [i - 0.5 for i in range(1, len(m)) if m[i] != m[i - 1]]


def thin(n, max_ticks):
    """Tick positions: every token, or every k-th so that at most ``max_ticks`` labels show."""
    return list(range(0, n, max(1, math.ceil(n / max_ticks))))


def band(modality_of_tokens):
    """(N, 3) RGB colours of the tokens' modalities."""
    return np.array([to_rgb(modality_colour(int(m))) for m in modality_of_tokens])


class LivePng:
    """PNG bytes of a figure for a live widget: one full draw, then only the changing artists.

    Redrawing every tick label costs ~85 ms per frame; restoring the static background and drawing
    the few artists that changed (blitting) costs a few ms. ``invalidate()`` after a layout change.
    """

    def __init__(self, figure):
        self.figure = figure
        self.canvas = FigureCanvasAgg(figure)
        self.background = None

    def invalidate(self):
        self.background = None

    def render(self, dynamic, compress_level=1):
        from PIL import Image

        if self.background is None:        # the static part: everything but the changing artists
            for artist in dynamic:
                artist.set_visible(False)
            self.canvas.draw()
            self.background = self.canvas.copy_from_bbox(self.figure.bbox)
            for artist in dynamic:
                artist.set_visible(True)
        self.canvas.restore_region(self.background)
        renderer = self.canvas.get_renderer()
        for artist in dynamic:
            artist.draw(renderer)
        width, height = self.canvas.get_width_height()
        buffer = io.BytesIO()
        Image.frombuffer("RGBA", (width, height), self.canvas.buffer_rgba(), "raw", "RGBA", 0, 1).save(
            buffer, format="png", compress_level=compress_level)
        return buffer.getvalue()


class AttentionPicture:
    """A heatmap of one AttentionRecord that can be redrawn in place (``set_data``) by a live widget.

    Queries are rows, keys columns; coloured bands on the left (query) and top (key) edges mark each
    token's modality; white lines separate the modality blocks; a colour bar gives the weight.
    """

    def __init__(self, figsize=(6.0, 5.4), dpi=80):
        set_theme()
        self.figure = fig = Figure(figsize=figsize, dpi=dpi)
        self.live = LivePng(fig)
        self.structure = self.labels = None
        # The axes are made once; a new record only changes their contents (making axes is slow).
        x0, y0, width, height, strip = 0.2, 0.2, 0.6, 0.6, 0.022
        self.axes = ax = fig.add_axes((x0, y0, width, height))
        self.left = fig.add_axes((x0 - strip - 0.004, y0, strip, height))
        self.top = fig.add_axes((x0, y0 + height + 0.005, width, strip))
        cax = fig.add_axes((x0 + width + 0.03, y0, 0.025, height))
        self.image = ax.imshow(np.zeros((1, 1)), cmap=ATTENTION_CMAP, aspect="auto", interpolation="nearest",
                               vmin=0, vmax=1)
        fig.colorbar(self.image, cax=cax, label="attention weight")
        self.left_band = self.left.imshow(np.ones((1, 1, 3)), aspect="auto", interpolation="nearest")
        self.top_band = self.top.imshow(np.ones((1, 1, 3)), aspect="auto", interpolation="nearest")
        ax.set_yticks([])
        ax.set_xlabel("key (attended to)")
        self.left.set_xticks([])
        self.left.set_ylabel("query (attending)")
        self.top.set_xticks([])
        self.top.set_yticks([])
        self.title = fig.text(0.5, 0.975, "", ha="center", va="top", fontsize=11)
        self.legend = None
        # what changes from frame to frame: pixels, block lines and spines over them, colour bar, title
        self.dynamic = [self.image, *ax.spines.values(), cax, self.title]

    def draw(self, record, head=None, sample=0, query_labels=None, key_labels=None, modality_names=None,
             max_ticks=24, title=None):
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
            self.live.invalidate()
        self.image.set_data(w)
        self.image.set_clim(0.0, max(float(w.max()), 1e-6))
        heads = record.weights.shape[1]
        which = f"mean of {heads} heads" if head is None else f"head {head + 1} of {heads}"
        whose = "mean over the batch" if sample is None else f"sample {sample}"
        self.title.set_text(title or f"{record.name}: {which}, {whose}")
        return self.figure

    def restructure(self, qm, km, names):
        nq, nk = len(qm), len(km)
        ax, rows, cols = self.axes, (nq - 0.5, -0.5), (-0.5, nk - 0.5)
        self.image.set_data(np.zeros((nq, nk)))
        self.image.set_extent((*cols, *rows))
        ax.set_xlim(*cols)
        ax.set_ylim(*rows)
        self.left_band.set_data(band(qm)[:, None])
        self.left_band.set_extent((-0.5, 0.5, *rows))
        self.left.set_ylim(*rows)
        self.top_band.set_data(band(km)[None])
        self.top_band.set_extent((*cols, 0.5, -0.5))
        self.top.set_xlim(*cols)
        for line in list(ax.lines):
            line.remove()
        lines = [ax.axhline(y, color="white", lw=1.2) for y in boundaries(qm)]
        lines += [ax.axvline(x, color="white", lw=1.2) for x in boundaries(km)]
        self.dynamic = [self.image, *lines, *ax.spines.values(), self.figure.axes[3], self.title]
        if self.legend is not None:
            self.legend.remove()
        present = sorted(set(qm) | set(km), key=lambda m: (m == FUSED, m))
        handles = [Patch(color=modality_colour(m), label=modality_name(m, names)) for m in present]
        self.legend = self.figure.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.925),
                                         ncol=min(4, len(handles)), frameon=False, fontsize=9,
                                         handlelength=1.2)

    def set_labels(self, query_labels, key_labels, max_ticks):
        small = 8 if max(len(query_labels), len(key_labels)) <= 16 else 6.5
        ticks = thin(len(key_labels), max_ticks)
        self.axes.set_xticks(ticks, [key_labels[i] for i in ticks], rotation=90, fontsize=small)
        ticks = thin(len(query_labels), max_ticks)
        self.left.set_yticks(ticks, [query_labels[i] for i in ticks], fontsize=small)

    def png(self):
        """The current picture as PNG bytes, redrawing only what changed since the last layout."""
        return self.live.render(self.dynamic)


def plot_attention(record, head=None, sample=0, query_labels=None, key_labels=None, modality_names=None,
                   max_ticks=24, title=None):
    """Heatmap of one AttentionRecord, tokens labelled on both axes and banded by modality.

    record.weights: (batch, heads, Nq, Nk); draws weights[sample, head] or, head=None, the mean of
    the heads (sample=None: the mean over the batch). Labels default to "M1:3" (modality 1, token 3),
    or "ima:3" with modality_names.
    """
    return AttentionPicture().draw(record, head, sample, query_labels, key_labels, modality_names,
                                   max_ticks, title)


def records_of(record_or_output, stage=None):
    """The records to summarise: one record, a list of records, or a FusionOutput's attention list."""
    if isinstance(record_or_output, AttentionRecord):
        records = [record_or_output]
    elif isinstance(record_or_output, FusionOutput):
        records = list(record_or_output.attention)
    elif isinstance(record_or_output, (list, tuple)) and record_or_output:
        records = list(record_or_output)
    else:
        raise ValueError(f"expected an AttentionRecord, a list of them or a FusionOutput, "
                         f"got {type(record_or_output).__name__}")
    if stage is not None:
        stages = sorted({r.stage for r in records})
        records = [r for r in records if r.stage == stage]
        if not records:
            raise ValueError(f"no record of stage {stage!r}; the stages are {stages}")
    for r in records:
        check_record(r)
    return records


def modality_blocks(record_or_output, sample=None, head=None, stage=None):
    """(modalities, M×M mass): the share of attention that queries of modality i give to keys of j.

    mass[i, j] = mean over all (record, query token of modality i) of Σ_{keys k of modality j} w[q, k].
    Rows sum to 1 (NaN for a modality with no query in these records). ``modalities`` lists the
    0-based indices (FUSED last) that label the rows/columns.
    """
    records = records_of(record_or_output, stage)
    mods = sorted({int(m) for r in records for m in torch.cat([r.query_modality, r.key_modality])},
                  key=lambda m: (m == FUSED, m))
    index = {m: i for i, m in enumerate(mods)}
    total, rows = np.zeros((len(mods), len(mods))), np.zeros(len(mods))
    for r in records:
        w = select_weights(r, head, sample)
        qi = np.array([index[int(m)] for m in r.query_modality])
        ki = np.array([index[int(m)] for m in r.key_modality])
        for j in np.unique(ki):
            np.add.at(total[:, j], qi, w[:, ki == j].sum(1))
        np.add.at(rows, qi, 1)
    mass = total / np.maximum(rows, 1)[:, None]
    mass[rows == 0] = np.nan                 # no query of that modality here: nothing to share out
    return mods, mass


class BlocksPicture:
    """The M×M modality-block heatmap, redrawn in place (pixels, numbers, title) by a live widget."""

    def __init__(self, figsize=(4.4, 3.8), dpi=80):
        set_theme()
        self.figure = fig = Figure(figsize=figsize, dpi=dpi)
        self.live = LivePng(fig)
        self.layout = None
        self.ax = ax = fig.add_axes((0.3, 0.25, 0.46, 0.56))     # made once: making axes is slow
        self.cax = fig.add_axes((0.79, 0.25, 0.03, 0.56))
        self.image = ax.imshow(np.zeros((1, 1)), cmap=ATTENTION_CMAP, vmin=0, vmax=1)
        fig.colorbar(self.image, cax=self.cax, label="share of attention")
        ax.set_xlabel("to keys of")
        ax.set_ylabel("from queries of")
        self.title = fig.text(0.5, 0.97, "", ha="center", va="top", fontsize=10)
        self.numbers = {}

    def draw(self, record_or_output, sample=None, head=None, stage=None, modality_names=None, title=None):
        mods, mass = modality_blocks(record_or_output, sample, head, stage)
        layout = (tuple(mods), tuple(modality_names or ()))
        if layout != self.layout:
            self.restructure(mods, modality_names)
            self.layout = layout
            self.live.invalidate()
        self.image.set_data(mass)
        for (i, j), text in self.numbers.items():
            empty = np.isnan(mass[i, j])
            text.set_text("no\nqueries" if empty else f"{mass[i, j]:.2f}")
            text.set_color("#777777" if empty else "black" if mass[i, j] > 0.6 else "white")
        cross = 1 - float(np.nanmean(np.diag(mass)))
        self.title.set_text(title or f"attention between modalities\ncross-modal share {cross:.0%}")
        self.mass = self.figure.modality_mass = mass      # the numbers drawn, for tests and readers
        return self.figure

    def restructure(self, mods, names):
        ax, M = self.ax, len(mods)
        self.image.set_data(np.zeros((M, M)))
        self.image.set_extent((-0.5, M - 0.5, M - 0.5, -0.5))
        ax.set_xlim(-0.5, M - 0.5)
        ax.set_ylim(M - 0.5, -0.5)
        for text in self.numbers.values():
            text.remove()
        self.numbers = {(i, j): ax.text(j, i, "", ha="center", va="center", fontsize=9)
                        for i in range(M) for j in range(M)}
        labels = [modality_name(m, names) for m in mods]
        ax.set_xticks(range(M), labels, rotation=30, ha="right")
        ax.set_yticks(range(M), labels)
        for ticks in (ax.get_xticklabels(), ax.get_yticklabels()):
            for text, m in zip(ticks, mods):
                text.set_color(modality_colour(m))
        self.dynamic = [self.image, *self.numbers.values(), *ax.spines.values(), self.title]

    def png(self):
        return self.live.render(self.dynamic)


def plot_modality_blocks(record_or_output, sample=None, head=None, stage=None, modality_names=None,
                         title=None):
    """M×M heatmap of attention mass from each modality (rows, queries) to each one (columns, keys).

    Accepts one AttentionRecord, a list of them, or a FusionOutput (all its records; ``stage`` picks
    one stage). The diagonal is attention kept inside a modality, the rest is cross-modal interaction;
    the title gives the cross-modal share (off-diagonal mass averaged over the rows).
    ``fig.modality_mass`` holds the matrix drawn (rows sum to 1).
    """
    return BlocksPicture().draw(record_or_output, sample, head, stage, modality_names, title)
