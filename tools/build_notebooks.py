"""Build the committed notebooks from their plain-text sources, executed, outputs included; or slide decks.

Each notebook is written as a jupytext "percent" script, ``notebooks/src/NN_name.py``: readable diffs,
cell metadata (slides, hidden cells) in the ``# %%`` headers. This script turns each into
``notebooks/NN_name.ipynb`` and runs it top to bottom in a fresh kernel, so that GitHub and
nbviewer show the pictures.

Static views: no widget state is saved (it held hundreds of models and PNG copies, and nbconvert drew
it as an empty box offline); each widget output keeps its ``image/png`` picture, which nbconvert,
GitHub and an untrusted JupyterLab show instead, and a widget id derived from the notebook, cell and
output, so rebuilding an unchanged notebook changes nothing. A live kernel draws live widgets as before.

Usage: ``python tools/build_notebooks.py [NAME ...]``;
``python tools/build_notebooks.py --slides DIR [NAME ...]`` writes offline reveal.js decks (make slides).
"""
from __future__ import annotations

import argparse
import hashlib
import shutil
import subprocess
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
# What the decks load, from the npm registry at build time (nbconvert's reveal template is for 4.0.2).
VENDOR = {"reveal.js": "4.0.2", "requirejs": "2.3.7", "jquery": "3.7.1", "mathjax": "2.7.9"}


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


# --- slides ----------------------------------------------------------------------------------------------

def vendor(folder: Path) -> Path:
    """reveal.js and what nbconvert's deck loads with it, installed from the npm registry (once)."""
    modules = folder / "node_modules"
    if not all((modules / name / "package.json").exists() for name in VENDOR):
        folder.mkdir(parents=True, exist_ok=True)
        print(f"Fetching {', '.join(f'{n}@{v}' for n, v in VENDOR.items())} from the npm registry ...")
        subprocess.run(["npm", "install", "--no-save", "--no-audit", "--no-fund", "--prefix", str(folder),
                        *[f"{n}@{v}" for n, v in VENDOR.items()]], check=True, stdout=subprocess.DEVNULL)
    (modules / "no-mermaid.js").write_text("export default {initialize() {}};\n")   # no diagrams here
    return modules


def deck(nb: nbformat.NotebookNode, name: str, modules: str) -> str:
    """The notebook as one reveal.js HTML page that loads nothing from the network.

    Cells marked ``skip`` are left out; code cells whose source the notebook hides show their output only.
    """
    from nbconvert import SlidesExporter

    nb = nbformat.from_dict(nb)
    nb.metadata.pop("widgets", None)       # no widget scripts from a CDN: the pictures stand in
    nb.cells = [c for c in nb.cells if c.metadata.get("slideshow", {}).get("slide_type") != "skip"]
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.metadata.get("jupyter", {}).get("source_hidden"):
            cell.metadata.setdefault("transient", {})["remove_source"] = True
    exporter = SlidesExporter(
        reveal_url_prefix=f"{modules}/reveal.js", reveal_scroll=True, reveal_theme="white",  # local fonts
        require_js_url=f"{modules}/requirejs/require.js", jquery_url=f"{modules}/jquery/dist/jquery.min.js",
        mathjax_url=f"{modules}/mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe",
        mermaid_js_url=f"{modules}/no-mermaid.js", font_awesome_url="")
    html, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": name}})
    return html


def write_slides(out: Path, names):
    """Decks in ``out`` with the files they load in ``out/vendor``: a folder to carry to the lecture hall."""
    out.mkdir(parents=True, exist_ok=True)
    vendor(out / "vendor")
    for nb_path in [OUT / f"{s.stem}.ipynb" for s in sources(names)]:
        html = deck(nbformat.read(nb_path, as_version=4), nb_path.stem, "vendor/node_modules")
        (out / f"{nb_path.stem}.slides.html").write_text(html)
        print(out / f"{nb_path.stem}.slides.html")


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("names", nargs="*", help="notebooks to build, by number or name (default: all)")
    parser.add_argument("--slides", type=Path, metavar="DIR", help="write reveal.js decks to DIR instead")
    args = parser.parse_args(argv)
    if args.slides:
        if shutil.which("npm") is None:
            raise SystemExit("make slides needs npm (Node.js) to fetch reveal.js from the npm registry")
        write_slides(args.slides.resolve(), args.names)
        return
    for src in sources(args.names):
        start = time.perf_counter()
        nbformat.write(build(src), OUT / f"{src.stem}.ipynb")
        print(f"{src.stem}: {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main(sys.argv[1:])
