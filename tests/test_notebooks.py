"""Every committed notebook: clean as committed, in step with its source, and re-run once, offline.

Hygiene checks read the committed files (no kernel). Then each notebook is executed ONCE in a fresh
python3 kernel whose network is blocked except loopback, and that run must raise no error and print
the same numbers as the committed outputs (determinism).
"""
from __future__ import annotations

import copy
import difflib
import json
import re
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
sys.path.insert(0, str(ROOT / "tools"))
from build_notebooks import convert  # noqa: E402

NOTEBOOK_FILES = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))  # the tests grow with the collection
IDS = [p.stem for p in NOTEBOOK_FILES]
SLIDE_TYPES = {"slide", "subslide", "fragment", "skip", "notes", "-"}
PRIVATE_PATHS = ("/root", "/home/", "/work/")
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
TIMEOUT = 300  # per cell; the 30 s per notebook target is measured by `make bench`, not here


def read(path):
    return nbformat.read(path, as_version=4)


def code_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


def output_texts(output):
    """All text an output shows: stream text, text/* and JSON-ish data, tracebacks (images skipped)."""
    if output.output_type == "stream":
        return [output.text]
    if output.output_type == "error":
        return [output.ename, output.evalue, *output.traceback]
    data = output.get("data", {})
    return [v if isinstance(v, str) else str(v) for k, v in data.items()
            if k.startswith("text/") or k.endswith("json")]


_VOLATILE = [
    (re.compile(r"\b0x[0-9a-fA-F]+"), "0x…"),                                 # memory addresses
    (re.compile(r"\[\d+:\d+(<[^\]]*)?\]"), "[…]"),                             # tqdm elapsed<remaining
    (re.compile(r"\d+(\.\d+)?\s?(it/s|s/it)"), "…it/s"),                       # tqdm rate
    (re.compile(r"\b\d+(\.\d+)?\s?(ms|s|sec|seconds|min)\b"), "… s"),          # printed timings
]


def printed_numbers(nb):
    """Per code cell, what it printed or returned as text: stdout and text/plain, volatile parts masked.

    stderr (warnings, progress bars) and widget views (their text/plain is a repr) are left out.
    """
    result = []
    for cell in code_cells(nb):
        texts = []
        for out in cell.get("outputs", []):
            if out.output_type == "stream" and out.name == "stdout":
                texts.append(out.text)
            elif out.output_type in ("execute_result", "display_data"):
                data = out.get("data", {})
                if WIDGET_VIEW not in data and "text/plain" in data:
                    texts.append(data["text/plain"])
        text = "".join(texts)
        for pattern, replacement in _VOLATILE:
            text = pattern.sub(replacement, text)
        result.append(text)
    return result


def errors_in(nb):
    return [f"cell {i}: {out.ename}: {out.evalue}"
            for i, cell in enumerate(nb.cells) if cell.cell_type == "code"
            for out in cell.get("outputs", []) if out.output_type == "error"]


def comparable(cell):
    """What the source decides about a cell: its type, text and metadata (not run-time timing)."""
    metadata = {k: v for k, v in cell.metadata.items() if k not in ("execution", "ExecuteTime")}
    return {"cell_type": cell.cell_type, "source": cell.source, "metadata": metadata}


def execute(nb, env, timeout=TIMEOUT):
    """Run ``nb`` top to bottom in a fresh python3 kernel, cwd notebooks/, with the given environment."""
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(NOTEBOOKS)}})
    return client.execute(env=env)


def test_collection_is_not_empty():
    if not NOTEBOOK_FILES:
        pytest.skip("no notebooks/NN_*.ipynb yet: run `make notebooks` after writing notebooks/src/")


# --- hygiene: the committed files, no kernel --------------------------------------------------------

@pytest.mark.parametrize("path", NOTEBOOK_FILES, ids=IDS)
def test_committed_notebook_is_clean(path):
    nb = read(path)
    problems = errors_in(nb)
    counts = [c.execution_count for c in code_cells(nb) if c.source.strip()]
    if counts != list(range(1, len(counts) + 1)):
        problems.append(f"execution counts are not 1..{len(counts)} in order: {counts}")
    kernel = nb.metadata.get("kernelspec", {}).get("name")
    if kernel != "python3":
        problems.append(f"kernelspec name is {kernel!r}, expected 'python3'")
    for i, cell in enumerate(nb.cells):
        slide = cell.metadata.get("slideshow", {}).get("slide_type")
        if slide not in SLIDE_TYPES:
            problems.append(f"cell {i}: slideshow.slide_type is {slide!r}, "
                            f"expected one of {sorted(SLIDE_TYPES)}")
        for out in cell.get("outputs", []):
            for text in output_texts(out):
                for private in PRIVATE_PATHS:
                    if private in text:
                        line = next(ln for ln in text.splitlines() if private in ln)
                        problems.append(f"cell {i}: output shows a private path {private!r}: "
                                        f"{line.strip()[:120]}")
    assert not problems, f"{path.name}:\n" + "\n".join(problems)


@pytest.mark.parametrize("path", NOTEBOOK_FILES, ids=IDS)
def test_committed_notebook_matches_its_source(path):
    src = NOTEBOOKS / "src" / f"{path.stem}.py"
    assert src.exists(), (f"{path.name} has no source {src.relative_to(ROOT)}: "
                          "edit the .py, then `make notebooks`")
    committed = [comparable(c) for c in read(path).cells]
    expected = [comparable(c) for c in convert(src).cells]
    if committed != expected:
        diff = difflib.unified_diff([json.dumps(c, sort_keys=True) for c in expected],
                                    [json.dumps(c, sort_keys=True) for c in committed],
                                    "from source", "committed", lineterm="", n=0)
        pytest.fail(f"{path.name} differs from {src.name}; "
                    f"rebuild it with `make notebooks ARGS={path.stem[:2]}`:\n"
                    + "\n".join(list(diff)[:20]))


# --- one fresh run per notebook, offline ------------------------------------------------------------

@pytest.mark.notebook
@pytest.mark.parametrize("path", NOTEBOOK_FILES, ids=IDS)
def test_notebook_runs_offline_and_reprints_its_numbers(path, offline_env):
    committed = read(path)
    nb = copy.deepcopy(committed)
    for cell in code_cells(nb):
        cell.outputs, cell.execution_count = [], None
    try:
        execute(nb, offline_env)
    except Exception as exc:  # nbclient's CellExecutionError carries the traceback text
        pytest.fail(f"{path.name} failed in a fresh offline kernel:\n{str(exc)[-3000:]}")
    assert not errors_in(nb), f"{path.name}: error outputs: {errors_in(nb)}"
    before, after = printed_numbers(committed), printed_numbers(nb)
    changed = [i for i, (a, b) in enumerate(zip(before, after)) if a != b]
    if changed:
        i = changed[0]
        diff = "\n".join(difflib.unified_diff(before[i].splitlines(), after[i].splitlines(),
                                              "committed", "this run", lineterm="", n=1))
        pytest.fail(f"{path.name}: {len(changed)} code cell(s) print different results than committed "
                    "(not deterministic, or the notebook was not rebuilt); "
                    f"first, code cell {i}:\n{diff[:2000]}")


@pytest.mark.notebook
def test_offline_guard_blocks_the_network_but_not_loopback(offline_env):
    probe = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import socket\n"
        "server = socket.socket(); server.bind(('127.0.0.1', 0)); server.listen(1)\n"
        "socket.create_connection(server.getsockname(), timeout=2).close()\n"
        "print('loopback ok')\n"
        "for attempt in (lambda: socket.create_connection(('192.0.2.1', 80), timeout=2),\n"
        "                lambda: socket.getaddrinfo('pypi.org', 443),\n"
        "                lambda: socket.socket(type=socket.SOCK_DGRAM).sendto(b'x', ('8.8.8.8', 53))):\n"
        "    try:\n"
        "        attempt()\n"
        "        print('NOT BLOCKED')\n"
        "    except OSError as exc:\n"
        "        print(type(exc).__name__, exc)\n")])
    probe.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    execute(probe, offline_env, timeout=60)
    text = "".join(o.get("text", "") for o in probe.cells[0].outputs)
    assert "loopback ok" in text, text
    assert "NOT BLOCKED" not in text, text
    assert text.count("OfflineError") == 3, text
