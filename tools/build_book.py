"""Build the static book of the collection (make book): build/book/index.html, offline, from the committed
executed notebooks (nothing is run again).

Sphinx with MyST-NB and the Sphinx Book Theme (the Jupyter Book 1 stack): Jupyter Book 2 (mystmd)
fetches its site theme from the network at build time, which a lecture hall or this project's CI cannot.
This script stages the sources in build/book-src/ and runs Sphinx on them:

- every ``notebooks/NN_*.ipynb`` (found by glob) and every ``docs/*.md``, one page each;
- hidden-assert cells (tag ``hide-input``, slide type ``skip``) are left out, other ``skip`` code cells
  (helper code) are collapsed; a widget output shows its saved ``image/png`` picture;
- each picture's alt text is the ``alt="..."`` key of its cell's ``# %%`` header in ``notebooks/src/``,
  read here from the source, so adding one needs no rebuild of the notebook;
- links ``NN_name.ipynb#anchor`` to notebooks (from notebooks and docs/) point at the pages
  ``NN_name.html#anchor``;
- MathJax 3 (one file, from the ``django-static-mathjax`` wheel's static files) is copied into the site.

Usage: ``python tools/build_book.py [--out DIR]``.
"""
from __future__ import annotations

import argparse
import copy
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import jupytext
import nbformat

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS, SRC, DOCS = ROOT / "notebooks", ROOT / "notebooks" / "src", ROOT / "docs"
HERE = Path(__file__).resolve().parent / "book"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
# A link to a notebook, from a notebook (NN_name.ipynb) or from docs/ (../notebooks/NN_name.ipynb).
LINK = re.compile(r"\]\((?:\.\./)?(?:notebooks/)?(\d\d_[A-Za-z0-9_]+)\.ipynb(#[\w-]+)?\)")

INDEX = """# mmviz: multimodal Transformers you can run, see and move

An interactive teaching collection on Section 3 of *Multimodal Learning with Transformers: A Survey*
(Xu, Zhu, Clifton, IEEE TPAMI 2023): self-attention, LayerNorm placement, the Vision Transformer and
the six multimodal fusion variants, each shown by an experiment that runs on a laptop CPU.

This book is the collection as it was last run: every notebook's text, code, pictures and the saved
picture of each explorer. It needs no network: open `index.html` from a USB stick or serve the folder.
To move the sliders and rerun the experiments, open a notebook live with the rocket button at the top
of its page (Binder), or clone the repository and run `make lab`. Start with notebook 00.

{toctrees}
"""


def mathjax_file() -> Path:
    """MathJax 3's single-file TeX-to-SVG component, shipped by the django-static-mathjax wheel."""
    try:
        import mathjax  # the django-static-mathjax distribution: static files only, no Django needed
    except ImportError:
        raise SystemExit("make book needs MathJax 3 from the `django-static-mathjax` package: "
                         "pip install -e '.[book]'") from None
    path = Path(mathjax.__file__).parent / "static" / "mathjax" / "es5" / "tex-svg-full.js"
    if not path.exists():
        raise SystemExit(f"{path} not found: the installed django-static-mathjax has no MathJax 3 es5 build")
    return path


def alt_texts(name: str, cells: int) -> list:
    """Per cell of notebook ``name``, the ``alt`` key of its source's ``# %%`` header (None when absent;
    all None, with a warning, for a notebook without a source)."""
    if not (SRC / f"{name}.py").exists():
        print(f"warning: notebooks/src/{name}.py not found: {name}'s pictures get no alt text")
        return [None] * cells
    return [cell.metadata.get("alt") for cell in jupytext.read(SRC / f"{name}.py").cells]


def to_pages(markdown: str, up: str = "") -> str:
    """Links to notebooks pointed at their pages (``up``: from the linking page to the book's root)."""
    return LINK.sub(lambda m: f"]({up}{m[1]}.html{m[2] or ''})", markdown)


def page(nb: nbformat.NotebookNode, name: str, alts: list) -> tuple[nbformat.NotebookNode, list]:
    """The notebook as the book shows it, and the cells whose pictures have no alt text.

    Raises ValueError when the committed notebook and its source have different numbers of cells.
    """
    if len(alts) != len(nb.cells):
        raise ValueError(f"{name}.ipynb has {len(nb.cells)} cells, notebooks/src/{name}.py {len(alts)}: "
                         f"rebuild it with `make notebooks ARGS={name[:2]}`")
    nb = copy.deepcopy(nb)
    nb.metadata.pop("widgets", None)
    missing = []
    for i, (cell, alt) in enumerate(zip(nb.cells, alts)):
        if cell.cell_type == "markdown":
            cell.source = to_pages(cell.source)
            continue
        tags = cell.metadata.setdefault("tags", [])
        skip = cell.metadata.get("slideshow", {}).get("slide_type") == "skip"
        if skip and "hide-input" in tags:
            tags.append("remove-cell")        # a hidden assert: for the tests, not the reader
        elif skip or cell.metadata.get("jupyter", {}).get("source_hidden"):
            tags.append("hide-input")         # helper code: collapsed, one click shows it
        for output in cell.get("outputs", []):
            output.get("data", {}).pop(WIDGET_VIEW, None)   # the saved picture stands in for the widget
        if any("image/png" in o.get("data", {}) for o in cell.get("outputs", [])):
            if alt:
                cell.metadata["mystnb"] = {"image": {"alt": alt}}
            else:
                missing.append(f"{name} cell {i}")
    return nb, missing


def index_page(notebooks: list[str], docs: list[str]) -> str:
    toctree = "```{{toctree}}\n:caption: {}\n:maxdepth: 1\n\n{}\n```\n"
    parts = [toctree.format("Notebooks", "\n".join(notebooks))]
    if docs:
        parts.append(toctree.format("For teachers and readers", "\n".join(f"docs/{d}" for d in docs)))
    return INDEX.format(toctrees="\n".join(parts))


def stage(folder: Path) -> list:
    """Write the book's sources to ``folder``; returns the pictures without alt text."""
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "_static" / "mathjax").mkdir(parents=True)
    shutil.copy(HERE / "conf.py", folder / "conf.py")
    shutil.copy(HERE / "book.css", folder / "_static" / "book.css")
    shutil.copy(mathjax_file(), folder / "_static" / "mathjax" / "tex-svg-full.js")
    names = [p.stem for p in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))]
    if not names:
        raise SystemExit(f"no notebooks/NN_*.ipynb in {NOTEBOOKS}: run `make notebooks` first")
    missing = []
    for name in names:
        nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
        nb, lacking = page(nb, name, alt_texts(name, len(nb.cells)))
        nbformat.write(nb, folder / f"{name}.ipynb")
        missing += lacking
    docs = [p.stem for p in sorted(DOCS.glob("*.md"))]
    if docs:
        shutil.copytree(DOCS, folder / "docs", ignore=shutil.ignore_patterns("*.ipynb", ".*"))
        for doc in (folder / "docs").glob("*.md"):
            doc.write_text(to_pages(doc.read_text(), up="../"))
    (folder / "index.md").write_text(index_page(names, docs))
    return missing


def build(out: Path, staging: Path) -> None:
    missing = stage(staging)
    shutil.rmtree(out, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "sphinx", "-b", "html", "-q", "-d", str(staging / "_doctrees"),
                    str(staging), str(out)], check=True)
    if missing:
        print(f"{len(missing)} picture(s) without alt text (add alt=\"...\" to the cell's # %% header): "
              + ", ".join(missing))


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "book", help="where the site goes")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    out = args.out.resolve()
    build(out, out.parent / f"{out.name}-src")
    print(f"{out / 'index.html'} ({time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    main(sys.argv[1:])
