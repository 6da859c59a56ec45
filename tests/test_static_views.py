"""Where no kernel runs (GitHub, nbviewer, an offline HTML export) every explorer shows its picture, and
rebuilding an unchanged notebook changes nothing.

The committed notebooks save no widget state: each widget output carries an ``image/png``, which
nbconvert and an untrusted JupyterLab draw instead of the widget; a kernel draws live widgets as before.
"""
from __future__ import annotations

import copy
import json
import re
import sys
from pathlib import Path

import nbformat
import pytest
from nbconvert import HTMLExporter

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
sys.path.insert(0, str(ROOT / "tools"))
from build_notebooks import WIDGET_VIEW, build, sources, static_views  # noqa: E402

NOTEBOOK_FILES = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
IDS = [p.stem for p in NOTEBOOK_FILES]


def widget_outputs(nb):
    return [out for cell in nb.cells for out in cell.get("outputs", []) if WIDGET_VIEW in out.get("data", {})]


def test_every_notebook_with_an_explorer_is_checked():
    assert sum(bool(widget_outputs(nbformat.read(p, as_version=4))) for p in NOTEBOOK_FILES) >= 5


@pytest.mark.parametrize("path", NOTEBOOK_FILES, ids=IDS)
def test_committed_notebook_has_static_views(path):
    nb = nbformat.read(path, as_version=4)
    assert "widgets" not in nb.metadata, f"{path.name} saves widget state: rebuild it with `make notebooks`"
    for out in widget_outputs(nb):
        assert out["data"].get("image/png"), f"{path.name}: a widget output without a picture"
    assert static_views(copy.deepcopy(nb), path.stem) == nb, \
        f"{path.name}: widget ids are not the deterministic ones; rebuild it with `make notebooks`"


@pytest.mark.parametrize("path", NOTEBOOK_FILES, ids=IDS)
def test_offline_html_export_shows_a_picture_for_every_explorer(path):
    """Only the widget outputs, exported as nbconvert does: one inline PNG each, no widget script."""
    nb = nbformat.read(path, as_version=4)
    views = widget_outputs(nb)
    if not views:
        pytest.skip(f"{path.name} shows no widget")
    only = nbformat.v4.new_notebook(metadata=nb.metadata)
    only.cells = [nbformat.v4.new_code_cell(outputs=[out]) for out in views]
    html, _ = HTMLExporter().from_notebook_node(only)
    body = html[html.index("<body"):]
    assert len(re.findall(r'<img[^>]* src="data:image/png;base64,', body)) == len(views), \
        f"{path.name}: {len(views)} explorers, but the export does not show one picture for each"
    assert WIDGET_VIEW not in body and "@jupyter-widgets/html-manager" not in html


def test_a_widget_without_picture_is_refused():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(outputs=[nbformat.v4.new_output(
        "display_data", data={WIDGET_VIEW: {"model_id": "abc", "version_major": 2, "version_minor": 0},
                              "text/plain": "VBox()"})])]
    nb.cells[0].id = "cell-000"
    with pytest.raises(ValueError, match="without an image/png"):
        static_views(nb, "99_test")


def test_widget_ids_depend_on_the_place_only():
    def one(model_id):
        nb = nbformat.v4.new_notebook(metadata={"widgets": {"state": {}}})
        nb.cells = [nbformat.v4.new_code_cell(outputs=[nbformat.v4.new_output(
            "display_data", data={WIDGET_VIEW: {"model_id": model_id, "version_major": 2, "version_minor": 0},
                                  "image/png": "iVBORw0KGgo=", "text/plain": "VBox()"})])]
        nb.cells[0].id = "cell-007"
        return static_views(nb, "05_x")

    a, b = one("0123"), one("4567")
    assert a == b and "widgets" not in a.metadata
    assert widget_outputs(static_views(a, "06_x"))[0]["data"][WIDGET_VIEW]["model_id"] != "0123"


@pytest.mark.notebook
def test_rebuilding_an_unchanged_notebook_changes_nothing():
    """Notebook 00 (explorers, pictures, printed numbers) built twice gives the same file, byte for byte."""
    src = sources(["00_"])[0]
    first, second = (nbformat.writes(build(src)) for _ in range(2))
    if first != second:
        a, b = json.loads(first), json.loads(second)
        changed = [c["id"] for c, d in zip(a["cells"], b["cells"]) if c != d]
        pytest.fail(f"two builds of {src.stem} differ in cells {changed} (metadata equal: "
                    f"{a['metadata'] == b['metadata']})")
