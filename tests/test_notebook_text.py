"""What the notebooks' sources promise a reader, read from notebooks/src/ without running them: checks
print nothing on Run All, the glossary's first part stays short, every claim the collection
registers is quoted by its notebook, each notebook says how to rerun its claims, and every picture has
alt text for the book."""
import re
from pathlib import Path

import pytest

from mmviz import evidence

SRC = Path(__file__).resolve().parents[1] / "notebooks" / "src"
SOURCES = sorted(SRC.glob("[0-9][0-9]_*.py"))


def code_lines(path):
    """The lines of a notebook's code cells (markdown cells are comment blocks under '# %% [markdown]')."""
    lines, in_markdown = [], False
    for line in path.read_text().splitlines():
        if line.startswith("# %%"):
            in_markdown = "[markdown]" in line
        elif not in_markdown:
            lines.append(line)
    return lines


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.stem)
def test_no_self_check_runs_or_prints_at_the_top_level_of_a_cell(path):
    """A check called at a cell's top level would run on Run All (answering the exercise with None) and
    print a stray True/False Out line; checks sit under `if answer is not None:` or in comments."""
    top = [line for line in code_lines(path) if re.match(r"(mmviz\.)?check\.\w+\(", line)]
    assert not top, top


def test_the_glossary_before_the_first_code_holds_the_general_terms_only():
    text = (SRC / "00_start_here.py").read_text()
    first_code = text.index("\n# %% slideshow")
    before = text[:first_code]
    rows = [line for line in before.splitlines() if line.startswith("# | **")]
    assert 10 <= len(rows) <= 25, len(rows)                    # was ~40, half of them for notebooks 04–10
    assert "glossary-multimodal" in before and "how-we-know" in before
    assert '<a id="glossary-multimodal"></a>' in text[first_code:]


@pytest.mark.parametrize("number", evidence.notebooks())
def test_each_notebook_reads_its_claims_and_says_how_to_rerun_them(number):
    path = next(SRC.glob(f"{number}_*.py"))
    text = path.read_text()
    assert f'evidence.notebook("{number}")' in text or f"evidence.notebook('{number}')" in text or \
        f'evidence.load("{number}"' in text, f"notebook {number} does not read its committed evidence"
    assert f"python -m mmviz.evidence {number}" in text or "claims.show()" in text, \
        f"notebook {number} does not say how to rerun its claims"


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.stem)
def test_every_picture_has_alt_text_in_its_source(path):
    """The book's alt text for a picture is the ``alt="..."`` key of its cell's ``# %%`` header: a sentence
    for every cell whose committed output holds a picture, in ASCII (jupytext writes header metadata as
    JSON with escapes: any other character would be rewritten on the next save in JupyterLab)."""
    import jupytext
    import nbformat

    committed = path.parents[1] / f"{path.stem}.ipynb"
    if not committed.exists():
        pytest.skip(f"{committed.name} is not built yet")
    source = jupytext.read(path)
    assert jupytext.writes(source, "py:percent") == path.read_text(), "a jupytext save would rewrite it"
    cells = nbformat.read(committed, as_version=4).cells
    drawing = [i for i, c in enumerate(cells)
               if any("image/png" in o.get("data", {}) for o in c.get("outputs", []))]
    lacking = [i for i in drawing if i >= len(source.cells) or not source.cells[i].metadata.get("alt")]
    assert not lacking, f"cells {lacking} draw a picture but have no alt=\"...\" in their # %% header"
    for i in drawing:
        alt = source.cells[i].metadata["alt"]
        assert alt.isascii() and len(alt.split()) >= 6 and alt.endswith("."), f"cell {i}: alt={alt!r}"
