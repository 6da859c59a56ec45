"""What a student does in the page, as Playwright calls: run everything, read what is shown, move sliders.

Works on JupyterLab 4 and on Voilà pages: both render ipywidgets 8 (sliders are noUiSlider handles
that take arrow keys) and matplotlib pictures as <img> elements.
"""
from __future__ import annotations

import re
import time

WIDGET_ERRORS = ("Error displaying widget", "model not found", "Failed to create view",
                 "Open Browser Console for more detailed log")

# A rendered widget view: an output whose child is a widget, not one nested inside another widget.
WIDGET_OUTPUT = ".jp-OutputArea-output:has(> .jupyter-widgets):not(.jupyter-widgets .jp-OutputArea-output)"

# Who is in the page: error outputs, every widget view, and the page's text.
_SURVEY_JS = """() => ({
  stderr: [...document.querySelectorAll('[data-mime-type="application/vnd.jupyter.stderr"]')]
          .map(e => e.innerText),
  views: document.querySelectorAll('%s').length,
  body: document.body.innerText,
})""" % WIDGET_OUTPUT


def survey(page):
    return page.evaluate(_SURVEY_JS)


def problems_in(page, expected_widgets=0):
    """Error outputs and widgets that failed to render, as readable lines (empty when all is well).

    expected_widgets: how many widget views the page must show (those of the committed notebook).
    """
    seen = survey(page)
    problems = [f"error output: {t.strip()[:300]}" for t in seen["stderr"]
                if "Traceback" in t or re.search(r"\w+Error\b", t)]
    problems += [f"widget failed to render: {msg!r} on the page"
                 for msg in WIDGET_ERRORS if msg in seen["body"]]
    if seen["views"] < expected_widgets:
        problems.append(f"{seen['views']} widgets rendered, expected {expected_widgets}")
    return problems


def open_notebook(page, lab, name):
    page.goto(lab.url(f"lab/tree/{name}?reset"))
    page.locator(".jp-Notebook").first.wait_for()
    wait_kernel_idle(page)


def wait_kernel_idle(page, timeout=60):
    page.wait_for_function("""() => {
        const s = document.querySelector('.jp-Notebook-ExecutionIndicator');
        return s && s.getAttribute('data-status') === 'idle';
    }""", timeout=timeout * 1000)


_PROMPTS_JS = """() => [...document.querySelectorAll('.jp-CodeCell')]
    .filter(c => !c.classList.contains('jp-mod-collapsed') && c.querySelector('.jp-InputArea'))
    .map(c => c.querySelector('.jp-InputPrompt').innerText.trim())
    .filter(p => p !== '')"""


def run_all_cells(page, timeout=180):
    """Edit > Clear Outputs of All Cells, Run > Run All Cells, then wait until every code cell shows an
    execution count. Clearing first tells this run's counts from the committed ones.

    (Cells whose input is hidden show no prompt; they are judged by their outputs.)
    """
    menu(page, "Edit", "Clear Outputs of All Cells")
    page.wait_for_function(f"() => ({_PROMPTS_JS})().every(p => !/\\d/.test(p))")
    menu(page, "Run", "Run All Cells")
    page.wait_for_function(f"""() => {{
        const prompts = ({_PROMPTS_JS})();
        const s = document.querySelector('.jp-Notebook-ExecutionIndicator');
        return prompts.length > 0 && prompts.every(p => /\\[\\d+\\]/.test(p))
               && s && s.getAttribute('data-status') === 'idle';
    }}""", timeout=timeout * 1000)


def menu(page, name, item):
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(f"^{name}$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(f"^{item}$")).click()


def prompts(page):
    return page.evaluate(_PROMPTS_JS)


def widget_outputs(page):
    """Locator of every rendered widget view (a notebook's output, or a Voilà page's widget area)."""
    return page.locator(WIDGET_OUTPUT)


def slider_in(area, label):
    """The first slider under ``area`` whose description matches the regex ``label``, or None."""
    sliders = area.locator(".widget-slider")
    for i in range(sliders.count()):
        slider = sliders.nth(i)
        labels = slider.locator(".widget-label")
        text = labels.first.inner_text() if labels.count() else ""
        if re.search(label, text, re.IGNORECASE):
            return slider
    return None


def readout(slider):
    return slider.locator(".widget-readout").first.inner_text()


def pictures(area):
    """What the pictures under ``area`` show: the src of each <img> (a data: URL of the PNG)."""
    return area.locator("img").evaluate_all("imgs => imgs.map(i => i.src)")


def nudge(page, slider):
    """Move a slider one step with the keyboard, right unless it is already at its maximum."""
    handle = slider.locator(".noUi-handle").first
    now, top = handle.get_attribute("aria-valuenow"), handle.get_attribute("aria-valuemax")
    handle.focus()
    page.keyboard.press("ArrowLeft" if now is not None and now == top else "ArrowRight")


def picture_changes(page, area, slider, timeout=20):
    """Nudge ``slider`` and report whether any picture under ``area`` is redrawn within ``timeout`` s."""
    before, value = pictures(area), readout(slider)
    nudge(page, slider)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        after = pictures(area)
        if after and after != before:
            assert readout(slider) != value, f"the picture changed but the slider still reads {value}"
            return True
        page.wait_for_timeout(200)
    return False
