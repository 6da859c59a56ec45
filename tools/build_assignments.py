"""Build an nbgrader course from the notebooks' sources: ``make assignments`` writes ``build/course/``.

One assignment per notebook ``notebooks/src/NN_name.py`` (found by glob, so a new notebook joins by
itself): ``build/course/source/NN_name/NN_name.ipynb``, the lecturer's copy with solutions, and
``release/NN_name/NN_name.ipynb``, the student's copy made from it by nbgrader's ``generate_assignment``.
The notebooks students open today (``notebooks/*.ipynb``) are not touched.

**The convention, for every notebook's exercises** (one key in a code cell's jupytext header):

    # %% slideshow={"slide_type": "subslide"} exercise={"points": 1, "solution": "answer = 36"}

marks the cell the student edits. Its ``exercise`` value (JSON) may hold:

- ``points`` (default 1): the points of each check of the cell; of the cell itself if it has none.
- ``solution``: the solution code. Without it, the first ```` ```python ```` block of the exercise's
  ``<details>`` solution (a ``<details>`` after the cell and before the next exercise cell) is used.
- ``hidden`` (default false): grade the cell's checks with hidden tests only. Use it where a visible
  verdict gives the answer away: True/False, two or three choices (a student flips until "Right").
- ``predict`` (default false): a predict-then-run question: a written answer cell, graded by hand (worth
  ``points``), follows the cell's own; the ``<details>`` text is its model answer. A predict cell without
  checks and ``solution`` (its code to run commented out) stays as it is.

A cell's checks are found, not marked: each block ``if NAME is not None:`` (its last line is the check,
asserted) and each commented-out check call such as ``# mmviz.check.first_stage_mask(mask)``. Each
becomes an autograded test cell. A cell with no check and no ``predict`` is graded by hand.
The ``<details>`` solutions are removed from both copies: in the lecturer's copy their text follows the
solution code as comments (or is the model answer of a written answer). A code cell with a check but
without the ``exercise`` key is an error: the public notebook and the assignment would disagree. In the
public notebooks the key is cell metadata, which JupyterLab does not show.

Usage: ``python tools/build_assignments.py [--course DIR] [NAME ...]`` (default: every notebook).
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_notebooks import ROOT, convert, sources  # noqa: E402

COURSE = ROOT / "build" / "course"
CODE_STUB = "# YOUR CODE HERE"
TEXT_STUB = "YOUR ANSWER HERE"
# The course's settings: written to its nbgrader_config.py, and given to nbgrader here and in the tests.
SETTINGS = {
    "CourseDirectory.course_id": "mmviz",
    # No `raise NotImplementedError()` in an answer cell: an untouched copy fails its tests, nothing else.
    "ClearSolutions.code_stub": {"python": CODE_STUB},
    "ClearSolutions.text_stub": TEXT_STUB,
    "Execute.timeout": 600,           # seconds per cell: some cells train models for tens of seconds
}
GUARD = re.compile(r"^if (\w+) is not None:")
COMMENTED_CHECK = re.compile(r"^#\s*((?:mmviz\.)?[\w.]*check[\w.]*\(.*\))(\s+#.*)?$")
DETAILS = re.compile(r"<details>\s*<summary>(.*?)</summary>(.*?)</details>\s*", re.S)
FENCE = re.compile(r"```python\n(.*?)```", re.S)
KEYS = {"points", "solution", "hidden", "predict"}


def grader(grade_id, *, grade=False, solution=False, points=None, locked=False):
    meta = {"grade": grade, "solution": solution, "locked": locked, "grade_id": grade_id,
            "schema_version": 3}
    if points is not None:
        meta["points"] = points
    return meta


def split_checks(source: str, where: str):
    """(the cell's lines without its checks, [check lines]); a check is a list of lines whose last is
    the call to assert."""
    lines, keep, checks = source.splitlines(), [], []
    i = 0
    while i < len(lines):
        line = lines[i]
        commented = COMMENTED_CHECK.match(line)
        if GUARD.match(line):
            body = []
            i += 1
            while i < len(lines) and (lines[i].startswith((" ", "\t")) or not lines[i].strip()):
                if lines[i].strip():
                    body.append(lines[i].strip())
                i += 1
            if not body:
                raise ValueError(f"{where}: `{line.strip()}` guards nothing")
            checks.append(body)
            continue
        if commented:
            checks.append([commented[1]])
        else:
            keep.append(line)
        i += 1
    while keep and not keep[-1].strip():
        keep.pop()
    return keep, checks


def as_comments(text: str) -> list[str]:
    return [f"# {line}".rstrip() for line in text.strip().splitlines()]


def spec_of(cell, where):
    spec = cell.metadata.pop("exercise")
    if not isinstance(spec, dict) or not set(spec) <= KEYS:
        raise ValueError(f"{where}: exercise={spec!r}; expected a JSON object with keys from {sorted(KEYS)}")
    points = spec.get("points", 1)
    if not isinstance(points, (int, float)) or points <= 0:
        raise ValueError(f"{where}: points={points!r}; expected a positive number")
    return spec


def details_of(nb):
    """{exercise cell index: [(summary, body)]}: each <details> belongs to the exercise cell before it."""
    found, current = {}, None
    for i, cell in enumerate(nb.cells):
        if "exercise" in cell.metadata:
            current = i
            found[i] = []
        elif cell.cell_type == "markdown" and current is not None:
            found[current] += [(m[1].strip(), m[2].strip()) for m in DETAILS.finditer(cell.source)]
    return found


def exercise_cells(cell, spec, details, number, where):
    """The lecturer's cells for one exercise cell: its answer cell, then a test or written answer cells."""
    ident = f"exercise-{number}"
    points = spec.get("points", 1)
    prose = "\n\n".join(FENCE.sub("", body).strip() for _, body in details).strip()
    written = []
    if spec.get("predict"):
        written = [nbformat.v4.new_markdown_cell(
            f"**Exercise {number}: your prediction, then what you saw** (graded by hand)\n\n"
            f"### BEGIN SOLUTION\n{prose or 'No model answer in the source.'}\n### END SOLUTION")]
        written[0].metadata["nbgrader"] = grader(f"{ident}-written", grade=True, solution=True, points=points)
    keep, checks = split_checks(cell.source, where)
    solution = spec.get("solution")
    if spec.get("predict") and not checks and solution is None:
        return [cell, *written]        # the cell to run stays as it is; the written answer is graded
    if solution is None:
        fences = [m[1] for _, body in details for m in FENCE.finditer(body)]
        if not fences:
            raise ValueError(f"{where}: no solution: give exercise={{\"solution\": ...}} or a ```python "
                             "block in the <details> after the cell")
        solution = fences[0]
    cell.source = "\n".join(keep + ["### BEGIN SOLUTION", solution.rstrip(), *as_comments(prose),
                                    "### END SOLUTION"])
    if not checks:
        cell.metadata["nbgrader"] = grader(ident, grade=True, solution=True, points=points)
        return [cell, *written]
    cell.metadata["nbgrader"] = grader(ident, solution=True)
    out = [cell]
    for k, check in enumerate(checks, 1):
        test = check[:-1] + [f"assert {check[-1]}"]
        if spec.get("hidden"):
            test = ["# Graded by a hidden test: a verdict here would give the answer away.",
                    "### BEGIN HIDDEN TESTS", *test, "### END HIDDEN TESTS"]
        cell_ = nbformat.v4.new_code_cell("\n".join(test))
        cell_.metadata["nbgrader"] = grader(f"{ident}-check-{k}", grade=True, points=points, locked=True)
        out.append(cell_)
    return out + written


def without_details(source: str) -> str:
    return DETAILS.sub("", source).strip()


def lecturer_notebook(src: Path) -> nbformat.NotebookNode:
    """The notebook ``src`` as nbgrader's source: solution, test and written answer cells marked."""
    nb = convert(src)
    details = details_of(nb)
    cells, number = [], 0
    for i, cell in enumerate(nb.cells):
        where = f"{src.name}, cell {i}"
        if "exercise" in cell.metadata:
            if cell.cell_type != "code":
                raise ValueError(f"{where}: the exercise key belongs on a code cell")
            number += 1
            cells += exercise_cells(cell, spec_of(cell, where), details[i], number, where)
            continue
        if cell.cell_type == "code" and split_checks(cell.source, where)[1]:
            raise ValueError(f"{where}: a check without exercise={{...}} in the cell's header")
        if cell.cell_type == "markdown" and number:
            cell.source = without_details(cell.source)
            if not cell.source:
                continue
        cells.append(cell)
    if not number:
        raise ValueError(f"{src.name}: no cell marked exercise={{...}}; nothing to grade")
    nb.cells = cells
    for k, cell in enumerate(nb.cells):        # ids in order again: cells were added and removed
        cell.id = f"cell-{k:03d}"
    return nb


def points(nb) -> tuple[float, float]:
    """(autograded points, points graded by hand) of a lecturer's notebook."""
    graded = [c.metadata["nbgrader"] for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]
    return (sum(m["points"] for m in graded if not m["solution"]),
            sum(m["points"] for m in graded if m["solution"]))


def config(course: Path):
    """The course's nbgrader configuration (SETTINGS, its root and gradebook), for nbgrader's Python API."""
    from traitlets.config import Config

    settings = Config()
    for key, value in {**SETTINGS, "CourseDirectory.root": str(course),
                       "CourseDirectory.db_url": f"sqlite:///{course / 'gradebook.db'}"}.items():
        section, name = key.split(".")
        settings[section][name] = value
    return settings


def config_file() -> str:
    lines = [f"c.{key} = {value!r}" for key, value in SETTINGS.items()]
    return ("# The mmviz course for nbgrader, written by tools/build_assignments.py (make assignments).\n"
            "c = get_config()  # noqa: F821\n" + "\n".join(lines) + "\n")


def build_course(course: Path, names=()) -> list[str]:
    """Write ``course``'s config, source and release folders; return the assignments' names."""
    from nbgrader.apps import NbGraderAPI

    # nbgrader's gradebook runs the `alembic` command: the one beside this Python, venv activated or not.
    os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    course.mkdir(parents=True, exist_ok=True)
    (course / "nbgrader_config.py").write_text(config_file())
    built = []
    for src in sources(names):
        folder = course / "source" / src.stem
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        nbformat.write(lecturer_notebook(src), folder / f"{src.stem}.ipynb")
        built.append(src.stem)
    api = NbGraderAPI(config=config(course))
    for name in built:
        result = api.generate_assignment(name, force=True)
        if not result["success"]:
            raise RuntimeError(f"nbgrader generate_assignment {name} failed:\n{result['log']}"
                               f"\n{result.get('error', '')}")
    return built


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("names", nargs="*", help="notebooks, by number or name (default: all)")
    parser.add_argument("--course", type=Path, default=COURSE, help=f"the course folder (default: {COURSE})")
    args = parser.parse_args(argv)
    try:
        import nbgrader  # noqa: F401
    except ImportError:
        raise SystemExit("make assignments needs nbgrader: pip install 'mmviz[teach]' "
                         "(make assignments installs it with the test tools)") from None
    course = args.course.resolve()
    for name in build_course(course, args.names):
        auto, by_hand = points(nbformat.read(course / "source" / name / f"{name}.ipynb", as_version=4))
        print(f"{course / 'release' / name / name}.ipynb: {auto:g} points autograded, {by_hand:g} by hand")


if __name__ == "__main__":
    main(sys.argv[1:])
