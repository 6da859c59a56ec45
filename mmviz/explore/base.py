"""What every explorer shares: a view, a message line, and a display bundle with a static picture.

Each explorer builds its figures once and updates them in place (``set_data``, blitting), then sends
PNG bytes to an ``ipywidgets.Image``. Displayed where no kernel runs (GitHub, nbviewer, HTML export),
an explorer shows its latest picture, because its display bundle carries an ``image/png`` too.
"""
from __future__ import annotations

import base64
import html
import io
import struct
from collections.abc import Sequence

import ipywidgets as W
import numpy as np
from matplotlib.figure import Figure as MplFigure
from PIL import Image

from .._threads import one_thread  # noqa: F401  (the explorers' one thread, from the layer below)
from ..data import Task

MEAN = -1                      # the head selector's value for "mean of the heads"
RATIO = 2                      # PNGs hold 2 pixels per CSS pixel: sharp on HiDPI screens, never upscaled
CSS_DPI = 80                   # a figure inch is 80 CSS pixels: 9 pt labels are 10 px high
ERROR_STYLE = "color:#B00020;background:#FDECEA;padding:6px 10px;border-radius:4px"


def side_by_side(*pngs: bytes) -> bytes:
    """One PNG holding the given PNGs left to right at their CSS size (the static picture of an explorer)."""
    images = [Image.open(io.BytesIO(at_css_size(p))).convert("RGB") for p in pngs if p]
    canvas = Image.new("RGB", (sum(i.width for i in images), max(i.height for i in images)), "white")
    x = 0
    for image in images:
        canvas.paste(image, (x, 0))
        x += image.width
    buffer = io.BytesIO()
    canvas.save(buffer, format="png")
    return buffer.getvalue()


class Explorer:
    """What both explorers share: a view, a message line, and a display bundle with a static picture."""

    view = None

    def say(self, text, error=False):
        style = ERROR_STYLE if error else "color:#333"
        self.message.value = f'<div style="{style}">{html.escape(text)}</div>' if text else ""

    def pictures(self):
        return []

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = dict(self.view._repr_mimebundle_(include=include, exclude=exclude) or {})
        pngs = self.pictures()
        if pngs:
            bundle["image/png"] = side_by_side(*pngs)
        bundle["text/plain"] = (f"{type(self).__name__}: {self.describe()} "
                                  "(run the notebook to use the controls)")
        return bundle

    def describe(self):
        return ""


def png_size(png: bytes) -> tuple[int, int]:
    """(width, height) in pixels, read from a PNG's header."""
    if len(png) < 24 or not bytes(png[:8]) == b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    return struct.unpack(">II", bytes(png[16:24]))


def show_png(image: W.Image, png: bytes, ratio: int = RATIO) -> bytes:
    """Put ``png`` in the Image widget ``image`` at its natural size: ``ratio`` PNG pixels per CSS pixel,
    width and height both set (never stretched by the box around it, never shrunk by flex)."""
    image.value = png
    try:
        width, height = png_size(png)
    except ValueError:                   # not a PNG (or empty): nothing to size
        return png
    layout = image.layout
    size = (f"{width / ratio:g}px", f"{height / ratio:g}px")
    if (layout.width, layout.height) != size:       # one message to the browser, not four per frame
        layout.width, layout.height = size
        layout.flex, layout.object_fit, layout.margin = "0 0 auto", "contain", "0 6px 6px 0"
    return png


def picture_row(children: Sequence[W.Widget]) -> W.Box:
    """A row of pictures that wraps onto the next line when the notebook column is narrow (the file
    browser open), instead of cutting off the last panel."""
    return W.Box(children, layout=W.Layout(display="flex", flex_flow="row wrap", align_items="flex-start",
                                           width="100%"))


def thumbnail_png(image: np.ndarray, css_width: int = 96, ratio: int = RATIO) -> bytes:
    """A small picture (H, W, 3) in [0, 1], upscaled by whole pixels (nearest, no blur) to ``css_width``."""
    array = (np.clip(np.asarray(image, dtype=float), 0, 1) * 255).astype(np.uint8)
    factor = max(1, round(css_width * ratio / array.shape[1]))
    picture = Image.fromarray(array).resize((array.shape[1] * factor, array.shape[0] * factor),
                                            Image.Resampling.NEAREST)
    buffer = io.BytesIO()
    picture.save(buffer, format="png")
    return buffer.getvalue()


def sample_html(task: Task, sample: int, predicted: int | None = None, trained: bool = False) -> str:
    """What one test sample is: each modality's tokens in words, the answer, and the model's answer."""
    labels = task.token_labels(sample)
    rows = []
    for spec, words in zip(task.modalities, labels):
        if spec.name == "image":
            continue                      # drawn beside this text as a thumbnail
        if list(map(str, words)) == list(map(str, spec.token_labels)):    # names of positions, not content
            shown = f"{len(words)} tokens, {words[0]} … {words[-1]}"
        else:
            shown = " ".join(map(str, words[:8])) + (" …" if len(words) > 8 else "")
        rows.append(f"<b>{html.escape(spec.name)}</b>: {html.escape(shown)}")
    answer = task.class_names[int(task.test.labels[sample])]
    line = f"<b>answer</b>: {html.escape(str(answer))}"
    if predicted is not None:
        said = task.class_names[int(predicted)]
        mark = "✓" if said == answer else "✗"
        line += (f" · <b>model says</b>: {html.escape(str(said))} {mark}"
                 + ("" if trained else " (untrained: a guess)"))
    rows.append(line)
    return (f'<div style="font-size:13px;line-height:1.5">test sample {sample} (0-based):<br>'
            + "<br>".join(rows) + "</div>")


def at_css_size(png: bytes, ratio: int = RATIO) -> bytes:
    """A 2× PNG scaled down to its CSS size, for the static picture shown where no kernel runs (there
    no widget sets its size); bytes that are not a PNG are returned as they are."""
    try:
        image = Image.open(io.BytesIO(bytes(png)))
        image.load()
    except Exception:
        return bytes(png)
    small = image.resize((max(1, image.width // ratio), max(1, image.height // ratio)),
                         Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    small.save(buffer, format="png")
    return buffer.getvalue()


def figure_png(figure: MplFigure, dpi: float = CSS_DPI * RATIO) -> bytes:
    """PNG bytes of a matplotlib figure, for an ``ipywidgets.Image`` that a slider updates: drawn at
    ``RATIO`` pixels per CSS pixel; ``with_picture`` (or ``show_png``) shows it at its natural size."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


class WithPicture:
    """A widget view that also carries the PNG of one ``ipywidgets.Image`` in its display bundle:
    live where a kernel runs, that picture where none does (GitHub, nbviewer, HTML export)."""

    def __init__(self, view: W.Box, image: W.Image) -> None:
        self.view, self.image = view, image
        image.observe(self.resize, names="value")     # every new picture at its natural size
        self.resize()

    def resize(self, change: object = None) -> None:
        if self.image.value:
            show_png(self.image, bytes(self.image.value))

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = dict(self.view._repr_mimebundle_(include=include, exclude=exclude) or {})
        bundle["image/png"] = base64.b64encode(at_css_size(self.image.value)).decode()
        bundle["text/plain"] = "a live picture (run the notebook to use the controls)"
        return bundle


def with_picture(view: W.Box, image: W.Image) -> WithPicture:
    """Display ``view`` (a widget box holding ``image``) so that its picture survives without a kernel,
    and every picture put into ``image`` shows at its natural size (``figure_png`` draws at 2×)."""
    return WithPicture(view, image)
