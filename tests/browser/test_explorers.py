"""Every explorer as a student meets it: JupyterLab in Chromium with the file browser open.

For each notebook with an explorer (00, 02, 05, 06, 07, 09, 10, 11): Run All, then
- no panel is cut off: nothing in a widget reaches past the notebook column, nothing scrolls sideways;
- no picture is stretched: every picture shows at its natural size (PNG pixels / 2 per CSS pixel,
  the same in width and height);
- every control is moved (sliders by keyboard, dropdowns, toggle buttons, check boxes, buttons) with
  no error output;
- one exercise is answered wrongly in text form: the check says "Not yet", no traceback;
- notebook 02: the norm explorer's redraw after depth changes right after Run All, measured in the
  page (printed, and kept in test-artifacts/browser/norm_latency.json).

And each explorer alone (issue 21), in a 1280×720 page with the file browser open: its controls, picture
and status line on screen together without scrolling, and every control, moved once, changing a
picture or the status (screenshots: test-artifacts/browser/fit_1280x720_*.png).
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import driver
import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "browser"
EXPLORER_NOTEBOOKS = ["00_start_here", "02_pre_norm_vs_post_norm", "05_early_summation",
                      "06_early_concatenation", "07_hierarchical_multi_to_one", "09_cross_attention",
                      "10_fusion_playground", "11_missing_modality"]
PRESENT = [n for n in EXPLORER_NOTEBOOKS if (ROOT / "notebooks" / f"{n}.ipynb").exists()]
RATIO = 2                                   # mmviz.explore.base.RATIO: PNG pixels per CSS pixel

# A plausible wrong answer, in words, for the checks the notebooks call (anything else: a word).
WRONG = {"layernorm_norm": '"64"', "which_norm_needs_warmup": '"pre-norm"', "ignored_modality": '"the sound"',
         "cross_attention_remedy": '"cross-attention"', "why_summation_fails": '"(a)"',
         "summation_attention_flops": '"4 * 16 * 16 * 32"', "attention_edges": '"six"',
         "cross_attention_changed_tokens": '"15"', "single_key_weight": '"1/2"',
         "concatenation_attention_flops": '"4·16²·32"', "multi_to_one_special_case": '"variant 5"',
         "playground_pick_aligned": '"hierarchical multi→one"', "missing_best_accuracy": '"1/2"',
         "missing_which_refuses": '"cross-attention"'}

_LAYOUT_JS = """(area) => {
  const column = area.closest('.jp-Notebook').getBoundingClientRect();
  const out = {cut: [], stretched: [], scrolling: [], pictures: 0};
  const name = (e) => (e.className || e.tagName).toString().slice(0, 60);
  for (const e of area.querySelectorAll('.widget-slider, .widget-dropdown, .widget-toggle-buttons, '
                                        + '.widget-checkbox, .widget-button, img')) {
    if (e.offsetParent === null) continue;                       // hidden (display: none)
    const r = e.getBoundingClientRect();
    if (r.right > column.right + 1)
      out.cut.push(`${name(e)} ends at ${r.right|0}px, the column at ${column.right|0}px`);
  }
  for (const e of [area, ...area.querySelectorAll('.widget-box, .widget-hbox, .widget-vbox')]) {
    if (e.offsetParent !== null && e.scrollWidth > e.clientWidth + 1)
      out.scrolling.push(`${name(e)} scrolls sideways (${e.scrollWidth} > ${e.clientWidth})`);
  }
  for (const img of area.querySelectorAll('img')) {
    if (img.offsetParent === null || !img.naturalWidth) continue;
    out.pictures += 1;
    const r = img.getBoundingClientRect();
    const sx = r.width / img.naturalWidth, sy = r.height / img.naturalHeight;
    if (Math.abs(sx - sy) > 0.02 || Math.abs(sx - 1 / %d) > 0.02)
      out.stretched.push(`${img.naturalWidth}x${img.naturalHeight} PNG shown at ${r.width|0}x${r.height|0}`);
  }
  return out;
}""" % RATIO


def open_file_browser(page):
    """The left sidebar's file browser open, as a student has it (the notebook column is narrower)."""
    if not page.locator("#filebrowser").is_visible():
        page.locator('.jp-SideBar.jp-mod-left .lm-TabBar-tab[data-id="filebrowser"]').click()
    page.locator("#filebrowser").wait_for(state="visible")


def layout_problems(page):
    problems = []
    areas = driver.widget_outputs(page)
    for i in range(areas.count()):
        area = areas.nth(i)
        area.scroll_into_view_if_needed()
        seen = area.evaluate(_LAYOUT_JS)
        problems += [f"widget {i + 1}: cut off: {p}" for p in seen["cut"]]
        problems += [f"widget {i + 1}: {p}" for p in seen["scrolling"]]
        problems += [f"widget {i + 1}: stretched: {p}" for p in seen["stretched"]]
    return problems


def settle(page, timeout=120):
    page.wait_for_timeout(300)
    driver.wait_kernel_idle(page, timeout)


def move_every_control(page, area):
    """Each control once, as a student would; returns what was moved."""
    moved = []
    for i in range(area.locator(".widget-slider").count()):
        slider = area.locator(".widget-slider").nth(i)
        if slider.is_visible() and not slider.locator("[disabled]").count():
            driver.nudge(page, slider)
            settle(page)
            moved.append("slider")
    for i in range(area.locator(".widget-dropdown select").count()):
        select = area.locator(".widget-dropdown select").nth(i)
        if not select.is_visible() or select.is_disabled():
            continue
        options = select.locator("option").all_inner_texts()
        now = select.evaluate("s => s.selectedIndex")
        if len(options) > 1:
            select.select_option(index=(now + 1) % len(options))
            settle(page)
            select.select_option(index=now)            # back, so later controls see the notebook's setting
            settle(page)
            moved.append("dropdown")
    for i in range(area.locator(".widget-toggle-buttons").count()):
        group = area.locator(".widget-toggle-buttons").nth(i)
        buttons = group.locator("button:not(.mod-active)")
        if group.is_visible() and buttons.count():
            buttons.first.click()
            settle(page)
            moved.append("toggle")
    for i in range(area.locator(".widget-checkbox input").count()):
        box = area.locator(".widget-checkbox input").nth(i)
        if box.is_visible():
            box.click()
            settle(page)
            moved.append("checkbox")
    for i in range(area.locator("button.widget-button").count()):
        button = area.locator("button.widget-button").nth(i)
        if button.is_visible() and button.is_enabled():
            button.click()
            settle(page, timeout=300)
            moved.append("button")
    return moved


_SOURCES_JS = """() => [...document.querySelectorAll('.jp-CodeCell')].map(cell => {
  const editor = cell.querySelector('.jp-InputArea-editor .cm-content');
  return editor && editor.offsetParent !== null ? editor.innerText : '';
})"""


def answer_one_exercise_wrongly(page):
    """Fill the first exercise cell ("answer = None ... # mmviz.check.x(answer)") with a wrong answer in
    words, uncomment its check and run it; returns (check, answer, the cell's output text)."""
    for i, source in enumerate(page.evaluate(_SOURCES_JS)):
        found = re.search(r"mmviz\.check\.(\w+)\(answer", source)
        if not found or "answer = None" not in source:
            continue
        wrong = WRONG.get(found[1], '"no idea"')
        cell = page.locator(".jp-CodeCell").nth(i)
        cell.scroll_into_view_if_needed()
        cell.locator(".jp-InputArea-editor .cm-content").click()
        page.keyboard.press("Control+a")
        # the reader's two moves: write an answer, and remove the '#' before the check (exercises wait
        # for the reader: nothing is checked, and no solution shown, on Run All)
        answered = source.replace("answer = None", f"answer = {wrong}", 1)
        answered = re.sub(r"^# *(mmviz\.check\.)", r"\1", answered, flags=re.M)
        page.keyboard.insert_text(answered)
        page.keyboard.press("Shift+Enter")
        settle(page)
        page.wait_for_timeout(500)
        return found[1], wrong, cell.locator(".jp-OutputArea").inner_text()
    return None, None, ""


_WATCH_JS = """(area) => {
  window.__seen = {};
  const start = (area.querySelector('img') || {}).src;
  const srcs = () => [...area.querySelectorAll('img')].map(i => i.src).join('|');
  const before = srcs();
  window.__observer && window.__observer.disconnect();
  window.__observer = new MutationObserver(() => {
    const t = performance.now();
    if (!window.__seen.message && /measuring/.test(area.innerText)) window.__seen.message = t;
    if (!window.__seen.picture && srcs() !== before) window.__seen.picture = t;
  });
  window.__observer.observe(area, {subtree: true, childList: true, attributes: true, characterData: true});
  return performance.now();
}"""


def measure_depth_redraws(page, moves=3):
    """Right after Run All: move the norm explorer's depth slider ``moves`` steps down, one at a time, and
    time (in the page) the 'measuring' message and the new picture after each key press."""
    areas = driver.widget_outputs(page)
    area = next(areas.nth(i) for i in range(areas.count()) if driver.slider_in(areas.nth(i), "depth"))
    slider = driver.slider_in(area, "depth")
    results = []
    for _ in range(moves):
        area.evaluate(_WATCH_JS)
        start = page.evaluate("() => performance.now()")
        driver.nudge(page, slider, "ArrowLeft")       # down: works wherever notebook 02 opens the explorer
        page.wait_for_function("() => window.__seen.picture", timeout=60_000)
        seen = page.evaluate("() => window.__seen")
        first = min(v for v in seen.values())
        results.append({"depth": int(float(driver.readout(slider))),
                        "first_sign_ms": round(first - start), "picture_ms": round(seen["picture"] - start),
                        "said_measuring": "message" in seen})
        settle(page)
    return results


@pytest.mark.parametrize("name", PRESENT)
def test_explorer_in_jupyterlab_with_the_file_browser_open(name, lab, page):
    driver.open_notebook(page, lab, f"{name}.ipynb")
    open_file_browser(page)
    driver.run_all_cells(page, timeout=900)       # 10 trains six variants: minutes on a busy machine
    latency = measure_depth_redraws(page) if name.startswith("02_") else None
    if latency is not None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / "norm_latency.json").write_text(json.dumps(latency, indent=1))
        print("norm explorer, depth moves after Run All:", latency)
    problems = driver.problems_in(page) + layout_problems(page)
    assert not problems, f"{name} after Run All:\n" + "\n".join(problems)

    areas = driver.widget_outputs(page)
    moved = []
    for i in range(areas.count()):
        moved += move_every_control(page, areas.nth(i))
    assert moved, f"{name}: no control to move"
    problems = driver.problems_in(page) + layout_problems(page)
    assert not problems, f"{name} after moving {len(moved)} controls ({', '.join(sorted(set(moved)))}):\n" \
        + "\n".join(problems)

    check, wrong, said = answer_one_exercise_wrongly(page)
    if check is not None:
        assert "Not yet" in said and "Traceback" not in said, f"{name}: check.{check}({wrong}) said: {said!r}"
        assert not driver.problems_in(page)

    if latency is not None:  # a sign at once (the picture or "measuring…"), then the picture; the 1 s
        # target holds on a quiet machine (benchmarks), here a shared one: the median, and a ceiling
        signs = sorted(move["first_sign_ms"] for move in latency)
        assert signs[len(signs) // 2] <= 1000, latency
        assert all(move["picture_ms"] <= 10_000 for move in latency), latency


# --- issue 21: each explorer on a 1280×720 screen with the file browser open --------------------------
# One small notebook per explorer (its call as the notebooks make it, no lesson around it), in the
# session's lab: controls, picture and status must be on screen together without scrolling, and every
# control, moved once, must change a picture or the status line.

SMALL_SCREEN = {"width": 1280, "height": 720}
EXPLORER_CALLS = {
    "norm": "mmviz.norm_explorer(steps=40)",
    "fusion": ('mmviz.fusion_explorer(task=mmviz.make_task("tally", num_modalities=2, n_train=1000, '
               'n_test=200, seed=0), variant="early_concatenation")'),              # notebook 10's first
    "summation": 'mmviz.fusion_explorer(task="sync", variant="early_summation", num_modalities=3)',
    "stages": ('task = mmviz.make_task("locate", n_train=64, n_test=16)\n'
               'from mmviz.explore import stage_viewer\n'
               'stage_viewer(mmviz.FusionClassifier("cross_attention_to_concatenation", task), task)'),
    "absent": ('from mmviz.explore import absent_explorer\n'
               'task = mmviz.make_task("tally", num_modalities=2, n_train=300, n_test=100)\n'
               'absent_explorer(task, steps=20)'),
}

_ON_SCREEN_JS = """(area) => {
  const panel = area.closest('.jp-WindowedPanel-outer') || area.closest('.jp-Notebook');
  const p = panel.getBoundingClientRect();
  const view = {top: Math.max(p.top, 0), bottom: Math.min(p.bottom, window.innerHeight),
                left: Math.max(p.left, 0), right: Math.min(p.right, window.innerWidth)};
  const shown = (e) => e.offsetParent !== null && e.getBoundingClientRect().height > 0;
  const kinds = {control: '.widget-slider, .widget-dropdown, .widget-toggle-buttons, .widget-checkbox, '
                          + '.widget-button, .widget-toggle-button',
                 picture: 'img', status: '.mmviz-status', answer: '.mmviz-answer'};
  const out = {view, found: {}, off: []};
  for (const [kind, selector] of Object.entries(kinds)) {
    const elements = [...area.querySelectorAll(selector)].filter(shown);
    out.found[kind] = elements.length;
    for (const e of elements) {
      const r = e.getBoundingClientRect();
      if (r.top < view.top - 1 || r.bottom > view.bottom + 1
          || r.left < view.left - 1 || r.right > view.right + 1)
        out.off.push(`${kind} ${(e.className || e.tagName).toString().slice(0, 40)} at `
                     + `${r.left|0},${r.top|0}-${r.right|0},${r.bottom|0}`);
    }
  }
  return out;
}"""

_STATE_JS = """(area) => [...area.querySelectorAll('img')].filter(i => i.offsetParent !== null)
    .map(i => i.src).join('|')
  + '#' + [...area.querySelectorAll('.mmviz-status, .mmviz-answer')].map(e => e.innerText).join('|')"""


def write_notebook(folder, name, call):
    import nbformat

    check = (f"import mmviz\nassert mmviz.__file__.startswith({str(ROOT)!r}), "
             "f'the kernel runs {mmviz.__file__}, not this checkout'")
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(check),
                                               nbformat.v4.new_code_cell(call)])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, folder / f"{name}.ipynb")


def changed_after(page, area, act, timeout=120):
    """Run ``act`` and wait until a picture or the status under ``area`` changes; True if it did."""
    before = area.evaluate(_STATE_JS)
    act()
    deadline = page.evaluate("() => performance.now()") + timeout * 1000
    while page.evaluate("() => performance.now()") < deadline:
        page.wait_for_timeout(250)
        if area.evaluate(_STATE_JS) != before:
            settle(page, timeout)
            return True
    return False


def every_control(page, area):
    """(name, act) for each control a student can use now, the projector toggle last."""
    acts = []
    sliders = area.locator(".widget-slider")
    for i in range(sliders.count()):
        slider = sliders.nth(i)
        if slider.is_visible() and not slider.locator("[disabled]").count():
            label = slider.locator(".widget-label").first.inner_text()
            acts.append((f"slider {label}", lambda s=slider: driver.nudge(page, s)))
    selects = area.locator(".widget-dropdown select")
    for i in range(selects.count()):
        select = selects.nth(i)
        if select.is_visible() and not select.is_disabled() and select.locator("option").count() > 1:
            count, now = select.locator("option").count(), select.evaluate("s => s.selectedIndex")
            acts.append((f"dropdown {select.input_value()}",
                         lambda s=select, n=(now + 1) % count: s.select_option(index=n)))
    groups = area.locator(".widget-toggle-buttons")
    for i in range(groups.count()):
        group = groups.nth(i)
        if group.is_visible():
            acts.append((f"toggle {group.inner_text()!r}",
                         lambda g=group: g.locator("button:not(.mod-active)").first.click()))
    boxes = area.locator(".widget-checkbox input")
    for i in range(boxes.count()):
        box = boxes.nth(i)
        if box.is_visible():
            acts.append(("checkbox", lambda b=box: b.click()))
    buttons = area.locator("button.widget-button, button.widget-toggle-button:not(.widget-toggle-buttons *)")
    for i in range(buttons.count()):
        button = buttons.nth(i)
        if button.is_visible() and button.is_enabled():
            acts.append((f"button {button.inner_text()!r}", lambda b=button: b.click()))
    return sorted(acts, key=lambda a: "projector" in a[0])


@pytest.fixture(scope="module")
def small_screen(browser):
    context = browser.new_context(viewport=SMALL_SCREEN)
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


@pytest.mark.parametrize("name", list(EXPLORER_CALLS))
def test_explorer_fits_1280x720_with_the_file_browser_open_and_every_control_answers(name, lab, small_screen):
    page = small_screen
    folder = Path(lab.log).parent / "notebooks"
    write_notebook(folder, f"fit_{name}", EXPLORER_CALLS[name])
    driver.open_notebook(page, lab, f"fit_{name}.ipynb")
    open_file_browser(page)
    driver.run_all_cells(page, timeout=300)
    assert not driver.problems_in(page, 1), driver.problems_in(page, 1)
    area = driver.widget_outputs(page).first
    area.evaluate("e => e.scrollIntoView({block: 'start'})")
    page.wait_for_timeout(500)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"fit_1280x720_{name}.png"))
    seen = area.evaluate(_ON_SCREEN_JS)
    wanted = {"control": 3, "picture": 1, "status": 1}
    if name in ("fusion", "summation"):
        wanted["answer"] = 1                     # the sample's answer and the model's, beside the map
    missing = {k: n for k, n in wanted.items() if seen["found"].get(k, 0) < n}
    assert not missing, f"{name}: not shown at all: {missing} (found {seen['found']})"
    assert not seen["off"], f"{name}: outside the 1280×720 screen ({seen['view']}): {seen['off']}"
    assert not layout_problems(page), layout_problems(page)

    silent = []
    for label, act in every_control(page, area):
        if not changed_after(page, area, act):
            silent.append(label)
    page.screenshot(path=str(ARTIFACTS / f"fit_1280x720_{name}_after.png"))
    assert not silent, f"{name}: moving these changed no picture and no status: {silent}"
    assert not driver.problems_in(page, 1), driver.problems_in(page, 1)
