"""Build the committed notebooks from their plain-text sources, executed, outputs included.

Each notebook is written as a jupytext "percent" script, ``notebooks/src/NN_name.py``: readable diffs,
cell metadata (slides, hidden cells) in the ``# %%`` headers. This script turns each into
``notebooks/NN_name.ipynb`` and runs it top to bottom in a fresh kernel, so that GitHub and
nbviewer show the pictures. Usage: ``python tools/build_notebooks.py [NAME ...]``.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

import jupytext
import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
SRC, OUT = ROOT / "notebooks" / "src", ROOT / "notebooks"
KERNEL = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def sources(names=()):
    files = sorted(SRC.glob("[0-9][0-9]_*.py"))
    if names:
        files = [f for f in files if any(n in f.stem for n in names)]
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
                   resources={"metadata": {"path": str(OUT)}}).execute()
    return nb


def main(argv):
    for src in sources(argv):
        start = time.perf_counter()
        nb = execute(convert(src))
        nbformat.write(nb, OUT / f"{src.stem}.ipynb")
        print(f"{src.stem}: {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main(sys.argv[1:])
