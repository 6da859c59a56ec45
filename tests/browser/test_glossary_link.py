"""The glossary link works in JupyterLab: `00_start_here.ipynb#glossary` reaches the glossary.

JupyterLab 4 keeps no `id` in Markdown: `<a id="glossary"></a>` becomes `data-jupyter-id="glossary"`,
and a heading "Glossary" gets `data-jupyter-id="Glossary"` (case kept). A link's fragment is looked up
among those, so `#glossary` needs the explicit anchor above the heading. JupyterLab applies the
fragment only once the target notebook has rendered: the click that first opens 00 shows its top;
with 00 open, the link scrolls to the glossary. This test checks both.
"""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

GLOSSARY_TOP = """() => {
    const h = [...document.querySelectorAll('.jp-RenderedMarkdown h2')]
              .find(e => e.textContent.startsWith('Glossary'));
    return h ? h.getBoundingClientRect().top : null;
}"""


def test_glossary_link_reaches_the_glossary(lab, page):
    page.set_viewport_size({"width": 1280, "height": 700})     # the glossary starts below the fold
    page.goto(lab.url("lab/tree/04_multimodal_tokens.ipynb?reset"))
    page.locator(".jp-Notebook").first.wait_for()
    link = page.locator(".jp-RenderedMarkdown a[href*='00_start_here.ipynb'][href$='#glossary']").first
    link.wait_for()
    assert page.locator("[data-jupyter-id='glossary']").count() == 0     # 00 is not open yet
    link.click()
    page.locator("[data-jupyter-id='glossary']").first.wait_for(state="attached")   # 00 opened
    page.wait_for_timeout(1500)
    page.locator(".lm-TabBar-tab", has_text="04_multimodal_tokens").first.click()
    link.click()
    near_top = f"() => {{ const top = ({GLOSSARY_TOP})(); return top !== null && top >= 0 && top < 350; }}"
    page.wait_for_function(near_top, timeout=20_000)
