"""Build the committed notebooks from their plain-text sources, executed, outputs included; or slide decks.

Each notebook is written as a jupytext "percent" script, ``notebooks/src/NN_name.py``: readable diffs,
cell metadata (slides, hidden cells) in the ``# %%`` headers. This script turns each into
``notebooks/NN_name.ipynb`` and runs it top to bottom in a fresh kernel, so that GitHub and
nbviewer show the pictures.

Static views: no widget state is saved (it held hundreds of models and PNG copies, and nbconvert drew
it as an empty box offline); each widget output keeps its ``image/png`` picture, which nbconvert,
GitHub and an untrusted JupyterLab show instead, and a widget id derived from the notebook, cell and
output, so rebuilding an unchanged notebook changes nothing. A live kernel draws live widgets as before.

Usage: ``python tools/build_notebooks.py [NAME ...]``.
Decks: tools/build_slides.py (make slides); the book: tools/build_book.py (make book).
"""
from __future__ import annotations

import argparse
import hashlib
import sys
import time
from pathlib import Path

import jupytext
import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
SRC, OUT = ROOT / "notebooks" / "src", ROOT / "notebooks"
KERNEL = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def sources(names=()):
    files = sorted(SRC.glob("[0-9][0-9]_*.py"))
    if names:
        files = [f for f in files if any(n in f.stem for n in names)]
        if not files:
            raise SystemExit(f"no notebook source in {SRC} matches {list(names)}")
    return files


def convert(src: Path) -> nbformat.NotebookNode:
    """The notebook a source describes, without outputs."""
    nb = jupytext.read(src)
    nb.metadata.pop("jupytext", None)
    nb.metadata["kernelspec"] = KERNEL
    nb.metadata["language_info"] = {"name": "python"}
    for i, cell in enumerate(nb.cells):      # stable ids: rebuilding changes only what really changed
        cell.id = f"cell-{i:03d}"
    return nb


def execute(nb: nbformat.NotebookNode, timeout=600) -> nbformat.NotebookNode:
    NotebookClient(nb, timeout=timeout, kernel_name="python3", record_timing=False,
                   store_widget_state=False, resources={"metadata": {"path": str(OUT)}}).execute()
    return nb


def static_views(nb: nbformat.NotebookNode, name: str) -> nbformat.NotebookNode:
    """No saved widget state; each widget output with a picture and an id that depends only on where it is.

    Raises ValueError for a widget output without an ``image/png`` (it would show nothing offline).
    """
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        for k, output in enumerate(cell.get("outputs", [])):
            view = output.get("data", {}).get(WIDGET_VIEW)
            if view is None:
                continue
            if "image/png" not in output["data"]:
                raise ValueError(f"{name}, {cell.id}, output {k}: a widget without an image/png picture "
                                 "shows nothing where no kernel runs; display it through with_picture")
            view["model_id"] = hashlib.sha1(f"{name}/{cell.id}/{k}".encode()).hexdigest()[:32]
    return nb


def build(src: Path) -> nbformat.NotebookNode:
    return static_views(execute(convert(src)), src.stem)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("names", nargs="*", help="notebooks to build, by number or name (default: all)")
    args = parser.parse_args(argv)
    for src in sources(args.names):
        start = time.perf_counter()
        nbformat.write(build(src), OUT / f"{src.stem}.ipynb")
        print(f"{src.stem}: {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main(sys.argv[1:])
