"""Every notebook as an nbgrader assignment (tools/build_assignments.py), graded for real.

For each assignment, in a course folder of its own: generate the student copy; submit it untouched (one
student) and the lecturer's copy with its solutions (another); autograde both, export the grades to CSV
and compare. Solutions earn every autograded point and raise no error; the untouched copy earns
nothing, and only its test cells fail. The hand-graded points (written answers, code read by the lecturer) are
in the maximum but not in either autograded score. Each assignment executes its notebook twice (about
2 × 6–20 s): the assignments are parameters, so `pytest -n 2` grades two at a time.
"""
from __future__ import annotations

import csv
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
from build_assignments import (  # noqa: E402
    CODE_STUB,
    DETAILS,
    TEXT_STUB,
    build_course,
    config,
    lecturer_notebook,
    points,
)
from build_notebooks import sources  # noqa: E402

NAMES = [src.stem for src in sources()]
pytestmark = [pytest.mark.notebook,   # nbgrader 0.9.6 warns of its own gradebook sessions
              pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")]


def failing_cells(nb):
    """grade_ids (or cell ids, for cells without one) of the code cells whose output is an error."""
    return [c.metadata.get("nbgrader", {}).get("grade_id", c.id) for c in nb.cells
            if c.cell_type == "code" and any(o.output_type == "error" for o in c.get("outputs", []))]


def test_every_notebook_is_an_assignment_with_graded_work():
    assert len(NAMES) >= 11
    for src in sources():
        auto, by_hand = points(lecturer_notebook(src))
        assert auto >= 2 and by_hand >= 1, (src.stem, auto, by_hand)


@pytest.mark.parametrize("name", NAMES)
def test_untouched_copy_scores_nothing_and_the_solutions_every_autograded_point(name, tmp_path):
    from nbgrader.apps import NbGraderAPI

    course = tmp_path / "course"
    assert build_course(course, [name]) == [name]
    source = nbformat.read(course / "source" / name / f"{name}.ipynb", as_version=4)
    release = course / "release" / name / f"{name}.ipynb"
    text = release.read_text()
    for leak in ("BEGIN SOLUTION", "HIDDEN TESTS", "<details>", "### END", '"exercise"'):
        assert leak not in text, f"the student copy of {name} holds {leak!r}"
    assert CODE_STUB in text and TEXT_STUB in text

    for student, copy in (("untouched", release), ("solved", course / "source" / name / f"{name}.ipynb")):
        folder = course / "submitted" / student / name
        folder.mkdir(parents=True)
        shutil.copy(copy, folder / f"{name}.ipynb")
    settings = config(course)
    settings.Exchange.root = str(tmp_path / "exchange")     # unused; nbgrader checks that it is writable
    api = NbGraderAPI(config=settings)
    for student in ("untouched", "solved"):
        result = api.autograde(name, student)
        assert result["success"], result.get("log", "") + result.get("error", "")
    subprocess.run([sys.executable, "-m", "nbgrader", "export", "--to", "grades.csv"], cwd=course,
                   check=True, capture_output=True)
    with open(course / "grades.csv") as file:
        grades = {row["student_id"]: row for row in csv.DictReader(file)}

    auto, by_hand = points(source)
    for row in grades.values():
        assert float(row["max_score"]) == auto + by_hand
    assert float(grades["solved"]["score"]) == auto, grades["solved"]
    # Below full marks; in fact nothing: a hidden test left out of the graded copy would pass, empty.
    assert float(grades["untouched"]["score"]) == 0 < auto, grades["untouched"]

    def graded(student):
        return nbformat.read(course / "autograded" / student / name / f"{name}.ipynb", as_version=4)

    assert failing_cells(graded("solved")) == []
    tests = {c.metadata["nbgrader"]["grade_id"] for c in source.cells
             if c.metadata.get("nbgrader", {}).get("grade") and not c.metadata["nbgrader"]["solution"]}
    assert set(failing_cells(graded("untouched"))) <= tests


def test_details_are_matched_to_exercises_and_bad_markers_are_refused(tmp_path):
    nb = lecturer_notebook(sources(["00"])[0])
    assert not any(DETAILS.search(c.source) for c in nb.cells)
    src = tmp_path / "99_bad.py"
    src.write_text('# %% exercise={"points": -1}\nanswer = None\n')
    with pytest.raises(ValueError, match="points=-1"):
        lecturer_notebook(src)
    src.write_text('# %%\nanswer = None\nif answer is not None:\n    mmviz.check.x(answer)\n')
    with pytest.raises(ValueError, match="check without exercise"):
        lecturer_notebook(src)
    src.write_text('# %% exercise={"points": 1}\nanswer = None\n'
                   'if answer is not None:\n    check.x(answer)\n')
    with pytest.raises(ValueError, match="no solution"):
        lecturer_notebook(src)
