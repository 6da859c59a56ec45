"""What every explorer shares: a view, a message line, and a display bundle with a static picture.

Each explorer builds its figures once and updates them in place (``set_data``, blitting), then sends
PNG bytes to an ``ipywidgets.Image``. Displayed where no kernel runs (GitHub, nbviewer, HTML export),
an explorer shows its latest picture, because its display bundle carries an ``image/png`` too.
"""
from __future__ import annotations

import base64
import html
import io
from contextlib import contextmanager

import torch
from PIL import Image

MEAN = -1                      # the head selector's value for "mean of the heads"
ERROR_STYLE = "color:#B00020;background:#FDECEA;padding:6px 10px;border-radius:4px"


@contextmanager
def one_thread():
    """Run tiny models on one thread: on 2 shared cores, two threads contend and a 10 ms step takes 100s."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def side_by_side(*pngs):
    """One PNG holding the given PNGs left to right (the static picture of an explorer)."""
    images = [Image.open(io.BytesIO(p)).convert("RGB") for p in pngs if p]
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


def figure_png(figure, dpi=80):
    """PNG bytes of a matplotlib figure, for an ``ipywidgets.Image`` that a slider updates."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


class WithPicture:
    """A widget view that also carries the PNG of one ``ipywidgets.Image`` in its display bundle:
    live where a kernel runs, that picture where none does (GitHub, nbviewer, HTML export)."""

    def __init__(self, view, image):
        self.view, self.image = view, image

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = dict(self.view._repr_mimebundle_(include=include, exclude=exclude) or {})
        bundle["image/png"] = base64.b64encode(bytes(self.image.value)).decode()
        bundle["text/plain"] = "a live picture (run the notebook to use the controls)"
        return bundle


def with_picture(view, image):
    """Display ``view`` (a widget box holding ``image``) so that its picture survives without a kernel."""
    return WithPicture(view, image)
