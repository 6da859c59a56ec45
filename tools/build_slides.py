"""Slide decks for the projector (make slides): build/slides/NN_name.slides.html, one reveal.js page per
committed executed notebook (nothing is run again), and build/slides/vendor/ with what they load.

No Node and no network: reveal.js 5 comes from the ``sphinx-revealjs`` wheel's static files, MathJax 3
(one file, SVG output) from the ``django-static-mathjax`` wheel's. The page template is tools/deck/
(nbconvert's reveal template without require.js, jQuery, mermaid or MathJax 2); tools/deck/deck.js sizes
each slide for 1280×720 in the browser: pictures grow into the room a slide leaves, or shrink.

What goes on the slides: cells marked ``skip`` are left out (helper code, hidden asserts); a code cell
whose source the notebook hides, or whose source is longer than ``LONG_CODE`` lines while it draws or
prints something, or whose source would leave its picture less than the picture's own size, shows its
output only; a long code cell without output stays, split into slides of at most ``LONG_CODE`` lines.
tools/slide_layout.py then cuts what is still too tall for one slide.

Usage: ``python tools/build_slides.py [--out DIR] [NAME ...]``.
"""
from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

import nbformat
import slide_layout

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
DECK = Path(__file__).resolve().parent / "deck"
LONG_CODE = 14          # source lines a code cell may show on a slide with its output
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def static_dir(module: str) -> Path:
    """Where an installed package keeps its static files; a clear error when it is not installed."""
    try:
        package = __import__(module)
    except ImportError:
        raise SystemExit(f"make slides needs the Python package providing `{module}` "
                         "(pip install -e '.[book]': sphinx-revealjs, django-static-mathjax)") from None
    return Path(package.__file__).parent


def vendor(folder: Path) -> None:
    """reveal.js (its script, style, white theme with its font, notes plugin), MathJax 3's tex-svg-full.js
    and the deck's own files."""
    reveal = static_dir("sphinx_revealjs") / "_static" / "revealjs"
    mathjax = static_dir("mathjax") / "static" / "mathjax" / "es5" / "tex-svg-full.js"
    shutil.rmtree(folder, ignore_errors=True)
    for name in ("dist/reveal.js", "dist/reveal.css", "dist/theme/white.css", "plugin/notes/notes.js"):
        (folder / "reveal" / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(reveal / name, folder / "reveal" / name)
    font = "dist/theme/fonts/source-sans-pro"
    shutil.copytree(reveal / font, folder / "reveal" / font)
    (folder / "mathjax").mkdir()
    shutil.copy(mathjax, folder / "mathjax" / "tex-svg-full.js")
    for name in ("deck.css", "deck.js"):
        shutil.copy(DECK / name, folder / name)


def on_slides(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The cells a lecturer projects, as described in the module's docstring."""
    nb = nbformat.from_dict(nb)
    nb.metadata.pop("widgets", None)       # no widget scripts: each explorer's saved picture stands in
    cells = []
    for cell in nb.cells:
        if slide_layout.slide_type(cell) == "skip":
            continue
        for output in cell.get("outputs", []):
            output.get("data", {}).pop(WIDGET_VIEW, None)
        if cell.cell_type != "code":
            cells.append(cell)
            continue
        lines = cell.source.splitlines()
        hidden = cell.metadata.get("jupyter", {}).get("source_hidden")
        long = len(lines) > LONG_CODE and cell.get("outputs")
        if hidden or long or slide_layout.crowds_its_picture(cell):
            cell.metadata.setdefault("transient", {})["remove_source"] = True
            cells.append(cell)
        elif len(lines) > LONG_CODE:        # code is the point here: split it over sub-slides
            for k in range(0, len(lines), LONG_CODE):
                part = nbformat.v4.new_code_cell("\n".join(lines[k:k + LONG_CODE]))
                kind = slide_layout.slide_type(cell) if k == 0 else "subslide"
                part.metadata["slideshow"] = {"slide_type": kind}
                cells.append(part)
        else:
            cells.append(cell)
    nb.cells = slide_layout.fitted(cells)
    return nb


def deck(nb: nbformat.NotebookNode, name: str) -> str:
    """The notebook as one reveal.js page that loads only files in vendor/ beside it."""
    from nbconvert import SlidesExporter

    exporter = SlidesExporter(extra_template_basedirs=[str(DECK.parent)], template_name=DECK.name,
                              exclude_input_prompt=True, exclude_output_prompt=True)
    html, _ = exporter.from_notebook_node(on_slides(nb), resources={"metadata": {"name": name}})
    return html


def write_slides(out: Path, names=()) -> list[Path]:
    """Decks in ``out`` and the files they load in ``out/vendor``: a folder to carry to the lecture hall."""
    files = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    if names:
        files = [f for f in files if any(n in f.stem for n in names)]
        if not files:
            raise SystemExit(f"no notebook in {NOTEBOOKS} matches {list(names)}")
    out.mkdir(parents=True, exist_ok=True)
    vendor(out / "vendor")
    written = []
    for path in files:
        target = out / f"{path.stem}.slides.html"
        target.write_text(deck(nbformat.read(path, as_version=4), path.stem))
        written.append(target)
    return written


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("names", nargs="*", help="notebooks, by number or name (default: all)")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "slides", help="where the decks go")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    for path in write_slides(args.out.resolve(), args.names):
        print(path)
    print(f"({time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    main(sys.argv[1:])
