"""The fusion playground as Voilà serves it for the projector (`make app`): a page with no code cells.

Driven as in class: the page renders without errors and without code, switching to early summation,
moving an α slider and the number-of-modalities slider each redraw the picture.
"""
from __future__ import annotations

import driver
import pytest

pytestmark = pytest.mark.browser


def test_playground_in_voila(voila_app, page):
    page.goto(voila_app.url(""))
    page.locator(".jupyter-widgets .widget-slider").first.wait_for(timeout=120_000)
    problems = driver.problems_in(page, expected_widgets=2)
    assert not problems, "Voilà playground:\n" + "\n".join(problems)
    assert "fusion_explorer(" not in page.inner_text("body"), "the Voilà page shows the code cell"
    areas = [driver.widget_outputs(page).nth(i) for i in range(driver.widget_outputs(page).count())]
    playgrounds = [a for a in areas if driver.is_fusion_playground(a)]
    assert playgrounds, "no fusion explorer on the Voilà page"
    failures = driver.check_fusion_playgrounds(page, playgrounds, require=("alpha", "modalities"))
    assert not failures, "Voilà playground: " + "; ".join(failures)
    assert not driver.problems_in(page, expected_widgets=2)
