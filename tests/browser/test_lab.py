"""Each notebook opened in JupyterLab in Chromium, run with Run > Run All Cells, as a student would.

Asserts: no error output anywhere in the page, every widget rendered, and moving sliders with the
keyboard redraws the picture (for the fusion playground: an α slider and the number of modalities).
A screenshot of each notebook is kept in test-artifacts/browser/.
"""
from __future__ import annotations

from pathlib import Path

import driver
import nbformat
import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK_FILES = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def committed_widgets(path):
    """How many widget views the committed notebook displays at top level."""
    nb = nbformat.read(path, as_version=4)
    return sum(WIDGET_VIEW in out.get("data", {}) for cell in nb.cells for out in cell.get("outputs", []))


def test_collection_is_not_empty():
    if not NOTEBOOK_FILES:
        pytest.skip("no notebooks/NN_*.ipynb yet")


@pytest.mark.parametrize("path", NOTEBOOK_FILES, ids=[p.stem for p in NOTEBOOK_FILES])
def test_notebook_in_jupyterlab(path, lab, page):
    driver.open_notebook(page, lab, path.name)
    driver.run_all_cells(page)
    problems = driver.problems_in(page, committed_widgets(path))
    assert not problems, f"{path.name} in JupyterLab:\n" + "\n".join(problems)

    areas = driver.widget_outputs(page)
    playgrounds = []
    for i in range(areas.count()):
        area = areas.nth(i)
        if driver.is_fusion_playground(area):
            playgrounds.append(area)
            continue
        # Any other slider that sits next to a picture must redraw it, too.
        slider = driver.slider_in(area, ".*")
        if slider is not None and driver.pictures(area):
            assert driver.picture_changes(page, area, slider), \
                f"{path.name}: widget output {i}: moving its first slider redraws nothing"
    if "fusion_explorer(" in path.read_text():
        assert playgrounds, f"{path.name} calls fusion_explorer but no explorer is on the page"
        failures = driver.check_fusion_playgrounds(page, playgrounds)
        assert not failures, f"{path.name}: " + "; ".join(failures)
    problems = driver.problems_in(page, committed_widgets(path))
    assert not problems, f"{path.name} after moving sliders:\n" + "\n".join(problems)
