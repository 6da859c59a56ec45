"""What a student does in the page, as Playwright calls: run everything, read what is shown, move sliders.

Works on JupyterLab 4 and on Voilà pages: both render ipywidgets 8 (sliders are noUiSlider handles
that take arrow keys) and matplotlib pictures as <img> elements.
"""
from __future__ import annotations

import importlib
import os
import re
import time
from pathlib import Path

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
    """Until the notebook's kernel is connected and idle (toolbar indicator and status bar agree)."""
    page.wait_for_function("""() => {
        const s = document.querySelector('.jp-Notebook-ExecutionIndicator');
        return s && s.getAttribute('data-status') === 'idle' && /\\|\\s*Idle/.test(document.body.innerText);
    }""", timeout=timeout * 1000)


_PROMPTS_JS = """() => [...document.querySelectorAll('.jp-CodeCell')]
    .filter(c => !c.classList.contains('jp-mod-collapsed') && c.querySelector('.jp-InputArea'))
    .map(c => c.querySelector('.jp-InputPrompt').innerText.trim())
    .filter(p => p !== '')"""


# A cell that raised: JupyterLab renders the traceback as a stderr output.
_RAISED_JS = """() => [...document.querySelectorAll('[data-mime-type="application/vnd.jupyter.stderr"]')]
    .map(e => e.innerText).filter(t => /Traceback|\\w+Error\\b/.test(t))"""


def run_all_cells(page, timeout=300):
    """Edit > Clear Outputs of All Cells, Run > Run All Cells, then wait until every code cell shows an
    execution count. Clearing first tells this run's counts from the committed ones.

    (Cells whose input is hidden show no prompt; they are judged by their outputs.)
    """
    menu(page, "Edit", "Clear Outputs of All Cells")
    page.wait_for_function(f"() => ({_PROMPTS_JS})().every(p => !/\\d/.test(p))")
    for _ in range(3):
        # On a just-started server the first Run All can be lost while the kernel connects: cells are
        # cleared and selected but never queued. Retry when nothing starts.
        menu(page, "Run", "Run All Cells")
        try:
            page.wait_for_function(f"() => ({_PROMPTS_JS})().some(p => /\\*|\\d/.test(p))", timeout=20_000)
            break
        except Exception:
            page.wait_for_timeout(2000)
    try:   # done when every cell has its count; or stopped at a cell that raised (Run All stops there)
        page.wait_for_function(f"""() => {{
            const prompts = ({_PROMPTS_JS})();
            const s = document.querySelector('.jp-Notebook-ExecutionIndicator');
            const idle = s && s.getAttribute('data-status') === 'idle';
            return idle && (({_RAISED_JS})().length > 0
                            || (prompts.length > 0 && prompts.every(p => /\\[\\d+\\]/.test(p))));
        }}""", timeout=timeout * 1000)
    except Exception as error:
        raise AssertionError(f"Run All Cells did not finish in {timeout} s; "
                             f"prompts: {prompts(page)}") from error
    raised = page.evaluate(_RAISED_JS)
    if raised:
        raise AssertionError("Run All Cells stopped at an error:\n" + raised[0][-2000:])


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
    shown = "imgs => imgs.filter(i => i.offsetParent !== null).map(i => i.src)"   # hidden ones don't count
    return area.locator("img").evaluate_all(shown)


def nudge(page, slider, key=None):
    """Move a slider one step with the keyboard: right unless it is at its maximum; returns the key."""
    handle = slider.locator(".noUi-handle").first
    now, top = handle.get_attribute("aria-valuenow"), handle.get_attribute("aria-valuemax")
    handle.focus()
    key = key or ("ArrowLeft" if now is not None and now == top else "ArrowRight")
    page.keyboard.press(key)
    return key


def settle(page, area, quiet=1.0, timeout=20):
    """Wait until the pictures and messages under ``area`` have stayed the same for ``quiet`` s.

    A redraw replaces the pictures one by one; a "before" sampled half-way through would make the next
    picture of the *same* redraw look like an answer to the next move (seen on a slow first run)."""
    last, since = None, time.monotonic()
    deadline = since + timeout
    while time.monotonic() < deadline:
        now = (pictures(area), explorer_error(area))
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return True
        page.wait_for_timeout(200)
    return False


def picture_changes(page, area, slider, timeout=20):
    """Nudge ``slider`` and report whether any picture under ``area`` is redrawn within ``timeout`` s."""
    settle(page, area)
    before, value = pictures(area), readout(slider)
    nudge(page, slider)
    if wait_for_new_pictures(page, area, before, timeout):
        assert readout(slider) != value, f"the picture changed but the slider still reads {value}"
        return True
    return False


def choose(page, area, label, option):
    """Pick ``option`` in the dropdown under ``area`` whose description matches the regex ``label``."""
    boxes = area.locator(".widget-dropdown")
    for i in range(boxes.count()):
        labels = boxes.nth(i).locator(".widget-label")
        if labels.count() and re.search(label, labels.first.inner_text(), re.IGNORECASE):
            boxes.nth(i).locator("select").select_option(label=option)
            return
    raise AssertionError(f"no dropdown labelled {label!r}")


ALPHA, MODALITIES = r"^α|alpha", r"modalit"


def is_fusion_playground(area):
    """Whether a widget output holds a fusion explorer (a variant dropdown and a modalities slider)."""
    return slider_in(area, MODALITIES) is not None and area.locator(".widget-dropdown").count() > 0


def explorer_error(area):
    """The explorer's own message when a combination cannot run ("" when none)."""
    text = area.inner_text()
    return next((line for line in text.splitlines() if "cannot run" in line), "")


def drive_fusion_playground(page, area):
    """As in class: move the number of modalities, then switch to early summation and move an α slider.

    Returns {"modalities": outcome, "alpha": outcome}; an outcome is "redrawn", "refused: <the explorer's
    own message>" (a combination the task cannot run, explained in the widget), or "silent: <what>"
    (nothing happened and nothing was said: a bug).
    """
    result = {}
    slider = slider_in(area, MODALITIES)
    if slider is None:
        result["modalities"] = "silent: no modalities slider"
    elif slider.locator("[disabled]").count():
        result["modalities"] = "refused: the slider is disabled (this task has a fixed number of modalities)"
    else:
        settle(page, area)
        before = pictures(area)
        key = nudge(page, slider)
        changed = wait_for_new_pictures(page, area, before)
        refused = explorer_error(area)
        result["modalities"] = (f"refused: {refused}" if refused else
                                "redrawn" if changed else "silent: moving it redraws nothing")
        if refused:   # a task with a fixed number of modalities: go back, as a student would
            nudge(page, slider, {"ArrowLeft": "ArrowRight", "ArrowRight": "ArrowLeft"}[key])
            recover(page, area)
    select = area.locator(".widget-dropdown select").first
    original = select.input_value()
    if original != "early_summation":
        settle(page, area)
        before = pictures(area)
        choose(page, area, r"variant", "early_summation")
        wait_for_new_pictures(page, area, before)
        settle(page, area)
    slider = slider_in(area, ALPHA)
    if explorer_error(area):
        result["alpha"] = f"refused: early summation: {explorer_error(area)}"
    elif slider is None:
        result["alpha"] = "silent: no α slider under early summation"
    elif not picture_changes(page, area, slider):
        result["alpha"] = "silent: moving it redraws nothing"
    else:
        result["alpha"] = "redrawn"
    if original != "early_summation":   # leave the explorer as the notebook set it up
        choose(page, area, r"variant", original)
        recover(page, area)
    return result


def recover(page, area, timeout=20):
    """Wait until the explorer shows pictures and no refusal message."""
    page.wait_for_timeout(500)
    for _ in range(int(timeout / 0.2)):
        if pictures(area) and not explorer_error(area):
            return True
        page.wait_for_timeout(200)
    return False


def check_fusion_playgrounds(page, areas, require=()):
    """Failures (empty when fine) after driving every fusion explorer in ``areas``.

    No control may do nothing silently; a control may be refused with the explorer's own message (early
    summation needs equal token counts; most tasks fix the number of modalities). Controls named in
    ``require`` ("alpha", "modalities") must redraw in at least one of the explorers.
    """
    results = [drive_fusion_playground(page, a) for a in areas]
    failures = [f"explorer {i + 1}: {what} slider: {outcome}" for i, r in enumerate(results)
                for what, outcome in r.items() if outcome.startswith("silent")]
    failures += [f"no explorer redraws for the {what} slider: " + "; ".join(r[what] for r in results)
                 for what in require if all(r[what] != "redrawn" for r in results)]
    for i, (area, r) in enumerate(zip(areas, results)):
        if "redrawn" not in r.values():
            # Neither applies to this task (both refused with a reason): the explorer must still be alive.
            slider = slider_in(area, r"sample")
            if slider is None or not picture_changes(page, area, slider):
                failures.append(f"explorer {i + 1}: α and modalities refused ({r}) and the sample slider "
                                "redraws nothing either")
    return failures


def wait_for_new_pictures(page, area, before, timeout=20):
    """True once a picture under ``area`` differs from ``before``; False on timeout, or at once when the
    explorer says the combination cannot run (it hides its pictures then)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        after = pictures(area)
        if after and after != before:
            return True
        if not after and explorer_error(area):
            return False
        page.wait_for_timeout(200)
    return False


def build_tools(what, *modules):
    """The modules ``make {what}`` builds with, imported; a missing one skips the test (fails it on CI)."""
    import pytest
    try:
        return [importlib.import_module(m) for m in modules]
    except ImportError as error:
        message = f"the {what}'s tools are not installed ({error}): pip install -e '.[book]'"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)


def stale(outputs: list[Path], inputs: list[Path]) -> bool:
    """True unless every output exists and is newer than every input (then it is built again)."""
    newest = max(p.stat().st_mtime for p in inputs)
    return not all(p.exists() and p.stat().st_mtime > newest for p in outputs)
