"""What every picture shares: the Figure class, the theme, one colour per modality, tick helpers, and
``LivePng``, which redraws a live widget's figure by blitting only what changed.

Every function of ``mmviz.plot`` returns a matplotlib ``Figure`` built without pyplot, so a notebook
shows it once. A modality's colour follows its *name* (sound is green in every notebook), from the
colour-blind-safe Okabe-Ito palette; a summed (FUSED) token is grey. seaborn is imported on the first
picture (it is slow to import), to compute the one theme of the collection; the theme applies only
inside :func:`themed` (mmviz's own drawing), so a reader's matplotlib settings never change.
"""
from __future__ import annotations

import io
import math
import struct
import zlib
from contextlib import contextmanager

import matplotlib as mpl
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgb, to_rgba
from matplotlib.figure import Figure as _Figure

from .._validate import positive_int
from ..data import MODALITY_ORDER
from ..fusion import VARIANTS, variant_of
from ..outputs import FUSED

# Okabe & Ito (2008): distinguishable under the common colour-vision deficiencies.
PALETTE = ("#E69F00", "#56B4E9", "#009E73", "#CC79A7", "#D55E00", "#0072B2", "#F0E442")
MODALITY_COLOURS = dict(zip(MODALITY_ORDER, PALETTE))      # image, caption, sound, sensor
FUSED_COLOUR = "#8C8C8C"
ATTENTION_CMAP = "viridis"
LAYERS_KEPT = 8                # a live picture's layers kept (~3 MB each at 2×): the 8 samples' labels
_theme = None


class Figure(_Figure):
    """A matplotlib Figure that shows itself as a PNG in a notebook, with or without pyplot.

    Figures are built without pyplot (no double display, no global state), so IPython's inline
    formatter may not be registered yet: ``_repr_png_`` draws the picture in any case.
    Some pictures keep the numbers they drew on the figure, for tests and readers (declared here).
    """

    patch_weights: np.ndarray            # plot_attention_on_image: the (rows, cols) weights drawn
    vmax: float                          # ... and the top of its colour scale
    uniform: float | None                # ... and the uniform level it marks, if any
    modality_mass: np.ndarray            # plot_modality_blocks: the M×M matrix drawn

    def _repr_png_(self):
        buffer = io.BytesIO()
        with themed():
            self.savefig(buffer, format="png", bbox_inches="tight")
        return buffer.getvalue()


def theme():
    """The rcParams of mmviz's seaborn theme (white, notebook context, Okabe-Ito colour cycle) that differ
    from matplotlib's defaults; computed once inside an rc_context, so matplotlib's own stay as they were."""
    global _theme
    if _theme is None:
        import seaborn as sns  # here, not at the top: importing seaborn takes ~1 s

        with mpl.rc_context():
            sns.set_theme(style="white", context="notebook", palette=list(PALETTE))
            _theme = {key: value for key, value in mpl.rcParams.items()
                      if key not in mpl.rcParamsDefault or str(mpl.rcParamsDefault[key]) != str(value)}
    return _theme


@contextmanager
def themed():
    """Draw with mmviz's theme inside the block (or the decorated function); matplotlib's global
    rcParams are restored on the way out, so a reader's own plots keep their look."""
    with mpl.rc_context(theme()):
        yield


def set_theme():
    """The theme's rcParams, without applying them globally (they apply inside :func:`themed`)."""
    return theme()


def modality_colour(m, names=None):
    """The colour of a modality: by name ("sound"), or by 0-based index ``m`` into ``names`` (default
    order image, caption, sound, sensor); grey for FUSED (-1)."""
    if isinstance(m, str):
        name = m
    elif m == FUSED:
        return FUSED_COLOUR
    else:
        order = list(names) if names is not None else list(MODALITY_ORDER)
        name = order[m] if 0 <= m < len(order) else None
    if name in MODALITY_COLOURS:
        return MODALITY_COLOURS[name]
    return PALETTE[(m if isinstance(m, int) else len(name)) % len(PALETTE)]


def variant_style(variant):
    """How curves draw ``variant``: its registry style (marker, line style) and a colour of its own."""
    spec = variant_of(variant)          # an unknown name: a ValueError listing the known ones
    i = list(VARIANTS).index(variant)
    return {"color": PALETTE[i % len(PALETTE)], **spec.style}


def modality_name(m, names=None):
    """A readable name of 0-based modality ``m``: names[m], else "modality m+1"; "summed" for FUSED."""
    if m == FUSED:
        return "summed"
    return names[m] if names is not None and m < len(names) else f"modality {m + 1}"


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
    """Tick positions: every token, or every k-th so that at most ``max_ticks`` (>= 1) labels show."""
    max_ticks = positive_int(max_ticks, "max_ticks")
    return list(range(0, n, max(1, math.ceil(n / max_ticks))))


def band(modality_of_tokens, names=None):
    """(N, 3) RGB colours of the tokens' modalities."""
    return np.array([to_rgb(modality_colour(int(m), names)) for m in modality_of_tokens])


def png_chunk(kind, data):
    """One PNG chunk: length, type, data, CRC of type and data."""
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bytes(canvas, compress_level=1):
    """PNG bytes of what ``canvas`` (Agg) holds; RGB when the figure's background is opaque, else RGBA.

    Written here, rows unfiltered and deflated by zlib: Pillow's encoder tries five filters on every
    row, which at 2× costs twice the compression itself (~18 ms against ~6 ms for a 960×864 frame,
    for a file ~5% smaller).
    """
    figure, pixels = canvas.figure, np.asarray(canvas.buffer_rgba())
    if figure.patch.get_visible() and to_rgba(figure.patch.get_facecolor())[3] == 1:
        pixels = pixels[..., :3]
    height, width, channels = pixels.shape
    rows = np.zeros((height, 1 + width * channels), np.uint8)       # a 0 byte per row: no filter
    rows[:, 1:] = pixels.reshape(height, width * channels)
    header = struct.pack(">IIBBBBB", width, height, 8, 2 if channels == 3 else 6, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header)
            + png_chunk(b"IDAT", zlib.compress(rows, compress_level)) + png_chunk(b"IEND", b""))


class LivePng:
    """PNG bytes of a figure for a live widget, drawn in three layers so that a frame redraws little.

    * the static part (axes, colour bars): one full draw, again after ``invalidate()``;
    * ``layer`` artists that change now and then (tick labels, legends: another sample's words, another
      token layout), named by ``layer_key``: drawn over the static part when the key changes, and kept
      for the last ``LAYERS_KEPT`` keys (at 2×, two axes of labels cost ~40 ms, a full draw ~100 ms);
    * ``dynamic`` artists, drawn over both at every frame (the map's pixels, the title).

    ``render(..., key=k)`` with the key of the last frame, and nothing invalidated since, returns that
    frame's PNG without drawing: a picture whose content did not change is not drawn or encoded again.
    """

    def __init__(self, figure):
        self.figure = figure
        self.canvas = FigureCanvasAgg(figure)
        self.static, self.layers = None, {}      # layer_key → the static part with that layer drawn
        self.layer_key, self.key, self.png = None, None, b""
        self.full_draws = self.layer_draws = self.frames = 0      # what the changes cost, for tests

    def invalidate(self):
        """The layout changed: draw everything again at the next frame."""
        self.static, self.layers, self.key = None, {}, None

    @themed()
    def render(self, dynamic, layer=(), layer_key=None, key=None):
        if key is not None and (key, layer_key) == (self.key, self.layer_key) and self.static is not None:
            return self.png
        if self.static is None:              # everything but the layer and the changing artists
            hidden = [a for a in (*dynamic, *layer) if a.get_visible()]
            for artist in hidden:
                artist.set_visible(False)
            self.canvas.draw()
            for artist in hidden:
                artist.set_visible(True)
            self.static = self.canvas.copy_from_bbox(self.figure.bbox)
            self.full_draws += 1
        renderer = self.canvas.get_renderer()
        if layer_key not in self.layers:
            self.canvas.restore_region(self.static)
            for artist in layer:
                artist.draw(renderer)
            self.layers[layer_key] = self.canvas.copy_from_bbox(self.figure.bbox)
            self.layer_draws += 1
            if len(self.layers) > LAYERS_KEPT:
                del self.layers[next(iter(self.layers))]            # the oldest
        self.canvas.restore_region(self.layers[layer_key])
        for artist in dynamic:
            artist.draw(renderer)
        self.frames += 1
        self.layer_key, self.key, self.png = layer_key, key, png_bytes(self.canvas)
        return self.png
