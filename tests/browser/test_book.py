"""The static book (make book), read in Chromium with the network out of reach.

build/book/ is served on 127.0.0.1 and every other host is refused: each notebook's page shows every
picture (each explorer's saved one too) with alt text, typeset formulas and no raw TeX, no hidden-assert
cell, helper code collapsed, a Binder button for the notebook, and links between notebooks that land on
an anchor that exists; no code, table or formula is wider than the page at 1280 px. Search works
offline, and the site opens from file:// as from a USB stick.
"""
from __future__ import annotations

import functools
import http.server
import re
import sys
import threading
import urllib.parse
import urllib.request
from pathlib import Path

import driver
import nbformat
import pytest

pytestmark = [pytest.mark.browser,   # the book's and the decks' tools are locked for Python 3.11+ only
              pytest.mark.skipif(sys.version_info < (3, 11), reason="make book/slides need Python 3.11+")]

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
BOOK = ROOT / "build" / "book"
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def inputs_of_the_book():
    return [*NOTEBOOKS, *(ROOT / "notebooks" / "src").glob("*.py"), *(ROOT / "docs").glob("*.md"),
            *(ROOT / "tools" / "book").iterdir(), ROOT / "tools" / "build_book.py"]


@pytest.fixture(scope="module")
def book():
    """build/book/, built now unless a build newer than everything it is made from is there (~10 s)."""
    build_book, _ = driver.build_tools("book", "build_book", "myst_nb")
    if driver.stale([BOOK / "index.html"], inputs_of_the_book()):
        build_book.build(BOOK, ROOT / "build" / "book-src")
    return BOOK


@pytest.fixture(scope="module")
def site(book):
    """build/book/ on http://127.0.0.1:PORT, quietly, for this module."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(book))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def local_only(page, allowed):
    """Refuse every request whose URL does not start with one of ``allowed``; returns the refused URLs."""
    outside = []

    def route(route):
        if route.request.url.startswith(allowed):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()
    page.route("**/*", route)
    return outside


def expected(nb):
    """What a notebook's page must hold: its shown code cells, collapsed ones, pictures, explorers."""
    def hidden_assert(c):
        return "hide-input" in c.metadata.get("tags", []) and \
            c.metadata.get("slideshow", {}).get("slide_type") == "skip"
    code = [c for c in nb.cells if c.cell_type == "code" and not hidden_assert(c)]
    outputs = [o.get("data", {}) for c in code for o in c.get("outputs", [])]
    return {"cells": len(code),
            "collapsed": sum(c.metadata.get("slideshow", {}).get("slide_type") == "skip"
                             or bool(c.metadata.get("jupyter", {}).get("source_hidden")) for c in code),
            "pictures": sum("image/png" in d for d in outputs),
            "explorers": sum(WIDGET_VIEW in d for d in outputs)}


READ_PAGE = """async () => {
    await MathJax.startup.promise;
    const described = i => ({src: i.getAttribute('src'), alt: i.getAttribute('alt') || '',
                             ok: i.complete && i.naturalWidth > 0});
    const article = document.querySelector('article');
    const prose = article.cloneNode(true);
    prose.querySelectorAll('pre, code, .cell_output, mjx-container, script').forEach(e => e.remove());
    const pictures = [...article.querySelectorAll('.cell_output img')];
    return {
        cells: article.querySelectorAll('div.cell').length,
        collapsed: article.querySelectorAll('div.cell.tag_hide-input details').length,
        pictures: pictures.map(described),
        images: [...document.querySelectorAll('img')].map(described),
        maths: article.querySelectorAll('mjx-container').length,
        cut: [...article.querySelectorAll('pre, table, mjx-container[display="true"]')]
             .filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.textContent.slice(0, 60)),
        mathErrors: article.querySelectorAll('mjx-merror').length,
        rawTex: (prose.innerText.match(/\\$\\$|\\\\\\(|\\\\\\[|\\\\frac|\\\\mathrm/g) || []).length,
        links: [...article.querySelectorAll('a[href]')].map(a => a.getAttribute('href')),
        binder: [...document.querySelectorAll('a[href*="mybinder.org"]')].map(a => a.href),
        text: article.innerText,
    };
}"""


def test_every_notebook_page_reads_offline(site, page):
    outside = local_only(page, (site, "data:"))
    problems, links = [], set()
    readme_binder = re.search(r"https://mybinder\.org/v2/gh/[\w-]+/[\w-]+/\w+",
                              (ROOT / "README.md").read_text())[0]
    for path in NOTEBOOKS:
        page.goto(f"{site}/{path.stem}.html")
        seen = page.evaluate(READ_PAGE)
        want = expected(nbformat.read(path, as_version=4))
        say = functools.partial(lambda name, what: problems.append(f"{name}: {what}"), path.stem)
        if seen["cells"] != want["cells"]:
            say(f"{seen['cells']} code cells shown, expected {want['cells']} (hidden asserts left out)")
        if seen["collapsed"] != want["collapsed"]:
            say(f"{seen['collapsed']} collapsed code cells, expected {want['collapsed']} (helper code)")
        if len(seen["pictures"]) != want["pictures"]:
            say(f"{len(seen['pictures'])} pictures, expected {want['pictures']} "
                f"(of which {want['explorers']} explorers' saved pictures)")
        for image in seen["images"]:
            if not image["ok"]:
                say(f"broken image {image['src']}")
            if not image["alt"].strip() or image["alt"] == image["src"] or image["alt"].endswith(".png"):
                say(f"image {image['src']} has no alt text (alt={image['alt']!r})")
        if seen["maths"] == 0 or seen["mathErrors"] or seen["rawTex"]:
            say(f"{seen['maths']} typeset formulas, {seen['mathErrors']} MathJax errors, "
                f"{seen['rawTex']} pieces of raw TeX in the prose")
        if seen["cut"]:
            say(f"{len(seen['cut'])} code blocks, tables or formulas wider than the page: {seen['cut'][:3]}")
        if "Hidden check" in seen["text"]:
            say("a hidden check is shown")
        binder = [u for u in seen["binder"] if u.endswith(f"urlpath=lab/tree/notebooks/{path.stem}.ipynb")]
        if not binder or not binder[0].startswith(readme_binder):
            say(f"no Binder button for this notebook on {readme_binder} (links: {seen['binder']})")
        if any(".ipynb" in href for href in seen["links"] if not href.startswith("http")):
            say(f"links still point at .ipynb files: {[h for h in seen['links'] if '.ipynb' in h]}")
        links |= {(page.url, href) for href in seen["links"] if "#" in href and not href.startswith("http")}
    for doc in sorted((ROOT / "docs").glob("*.md")):      # docs pages link to the notebooks too
        page.goto(f"{site}/docs/{doc.stem}.html")
        hrefs = page.locator("article a[href]").evaluate_all("as => as.map(a => a.getAttribute('href'))")
        if any(".ipynb" in h for h in hrefs if not h.startswith("http")):
            problems.append(f"docs/{doc.name}: links still point at .ipynb files")
        links |= {(page.url, h) for h in hrefs if "#" in h and not h.startswith("http")}
    assert not outside, f"the book asked the network for {sorted(set(outside))[:5]}"
    assert not problems, "\n".join(problems)
    assert any(href.startswith("00_start_here.html#glossary") for _, href in links), "no glossary link found"
    missing, pages = [], {}
    for source, href in sorted(links):
        target, anchor = urllib.parse.urljoin(source, href).split("#", 1)
        if target not in pages:
            pages[target] = urllib.request.urlopen(target).read().decode()
        if f'id="{anchor}"' not in pages[target]:
            missing.append(f"{source}: {href}")
    assert not missing, f"links whose anchor does not exist: {missing}"


def test_index_lists_every_notebook_and_search_works_offline(site, page):
    outside = local_only(page, (site, "data:"))
    page.goto(f"{site}/index.html")
    toc = page.locator("article a.reference.internal").evaluate_all(
        "as => as.map(a => a.getAttribute('href'))")
    assert [p.stem + ".html" for p in NOTEBOOKS] == [h for h in toc if re.match(r"\d\d_", h)], toc
    docs = sorted((ROOT / "docs").glob("*.md"))
    assert all(any(h.startswith(f"docs/{d.stem}.html") for h in toc) for d in docs), "a docs/ page is missing"
    page.goto(f"{site}/search.html?q=summation")
    results = page.locator("#search-results li a")
    results.first.wait_for(timeout=20_000)
    hrefs = results.evaluate_all("as => as.map(a => a.getAttribute('href'))")
    assert any("05_early_summation" in h for h in hrefs), hrefs
    assert not outside, f"the book asked the network for {outside}"


def test_book_opens_from_disk(book, page):
    """As from a USB stick: file:// pages, maths typeset, nothing fetched from anywhere else."""
    outside = local_only(page, ("file:", "data:"))
    page.goto((book / "05_early_summation.html").as_uri())
    seen = page.evaluate(READ_PAGE)
    assert seen["maths"] > 0 and not seen["rawTex"] and not seen["mathErrors"]
    assert seen["pictures"] and all(p["ok"] for p in seen["pictures"])
    assert not outside, f"the book asked the network for {outside}"
