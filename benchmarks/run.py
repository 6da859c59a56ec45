"""What matters to a class of 100 on Binder, measured: `make bench` writes benchmarks/RESULTS.md.

Per notebook: wall time top to bottom in a fresh kernel (kernel start included) and the kernel's peak
memory (VmHWM of the kernel process); per explorer interaction: control → redraw p50/p95 over 50
interactions (benchmarks/bench_explorers.py); the size of the installed .venv. With --full, also the
time of a first `make test` in a fresh clone (new venv, pip from its cache) and of a second one.
Usage: python benchmarks/run.py [--full] [--rounds 50] [--notebooks 00 05 ...]
"""
from __future__ import annotations

import argparse
import datetime
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import numpy as np
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
OUT = Path(__file__).with_name("RESULTS.md")
TARGET_NOTEBOOK_S, TARGET_COLLECTION_S, TARGET_MEMORY_MB, TARGET_P95_MS = 30, 180, 1024, 150

# Appended to each notebook: the kernel reports its own peak resident memory before it shuts down.
PEAK_MEMORY = ("print(next(int(line.split()[1]) for line in open('/proc/self/status') "
               "if line.startswith('VmHWM')))")


def run_notebook(path):
    """(seconds top to bottom in a fresh kernel, peak kernel memory in MB, error or "")."""
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nb.cells.append(nbformat.v4.new_code_cell(PEAK_MEMORY))
    client = NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(NOTEBOOKS)}})
    start = time.perf_counter()
    try:
        client.execute()
    except Exception as exc:  # report it in the table and go on with the others
        return time.perf_counter() - start, float("nan"), type(exc).__name__
    seconds = time.perf_counter() - start
    printed = "".join(o.get("text", "") for o in nb.cells[-1].outputs).strip()
    return seconds, int(printed) / 1024, ""


def notebooks_table(names):
    paths = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    if names:
        paths = [p for p in paths if any(p.stem.startswith(n) for n in names)]
    rows, total, worst_memory = [], 0.0, 0.0
    for path in paths:
        seconds, memory, error = run_notebook(path)
        total += seconds
        worst_memory = max(worst_memory, memory) if memory == memory else worst_memory
        ok = not error and seconds <= TARGET_NOTEBOOK_S and memory <= TARGET_MEMORY_MB
        rows.append(f"| {path.stem} | {seconds:.1f} | {memory:.0f} | {'yes' if ok else 'NO'} {error} |")
        print(rows[-1], flush=True)
    ok = total <= TARGET_COLLECTION_S
    rows.append(f"| **collection ({len(paths)} notebooks)** | **{total:.1f}** | "
                f"**{worst_memory:.0f}** (max) | {'yes' if ok else 'NO'} |")
    return ["## Notebooks: top to bottom in a fresh kernel",
            "",
            f"Targets: each <= {TARGET_NOTEBOOK_S} s, the collection <= {TARGET_COLLECTION_S / 60:.0f} min, "
            f"peak kernel memory <= {TARGET_MEMORY_MB} MB (a Binder user has 2 GB). "
            "Time includes the kernel's start (about 1-2 s); "
            "memory is the kernel process's peak resident set (VmHWM).",
            "",
            "| notebook | wall s | peak kernel MB | within targets |",
            "|---|---|---|---|",
            *rows, ""]


def explorers_table(rounds):
    sys.path.insert(0, str(Path(__file__).parent))
    from bench_explorers import fusion_cases, norm_cases

    cases = {**fusion_cases(rounds), **norm_cases(rounds)}
    wall = {name: np.asarray(t)[:, 0] for name, t in cases.items()}   # columns: wall, CPU, pictures sent
    rows = [f"| {name} | {len(t)} | {np.percentile(t, 50):.0f} | {np.percentile(t, 95):.0f} | "
            f"{'yes' if np.percentile(t, 95) <= TARGET_P95_MS else 'NO'} |" for name, t in wall.items()]
    return ["## Explorers: control → redrawn picture",
            "",
            f"{rounds} interactions each, measured in-process by `benchmarks/bench_explorers.py` "
            "(model forward, in-place redraw, PNG encoding; not the browser's paint). "
            f"Target: p95 <= {TARGET_P95_MS} ms. "
            "Details: [EXPLORERS.md](EXPLORERS.md).",
            "",
            "| interaction | n | wall p50 ms | wall p95 ms | p95 within target |",
            "|---|---|---|---|---|",
            *rows, ""]


def du_mb(path):
    out = subprocess.run(["du", "-sb", str(path)], capture_output=True, text=True, check=True).stdout
    return int(out.split()[0]) / 2**20


def dev_tools_mb():
    """MB on disk of the packages only requirements-dev.txt pins (what `make test` adds to `make lab`)."""
    from importlib import metadata

    def pinned(file):         # uv's lock: "name==version ; marker" lines, "# via" comments indented
        return {line.split("==")[0].strip().lower() for line in (ROOT / file).read_text().splitlines()
                if "==" in line and not line.lstrip().startswith("#")}

    names = pinned("requirements-dev.txt") - pinned("requirements.txt")    # the dev lock repeats the lab one
    total = 0
    for name in names:
        try:
            files = metadata.distribution(name).files or []
        except metadata.PackageNotFoundError:
            continue
        total += sum(f.locate().stat().st_size for f in files if Path(f.locate()).is_file())
    return total / 2**20


def make_test_times():
    """Seconds of a first `make test` in a fresh clone (sets up its own .venv) and of a second one."""
    times = []
    # A newcomer's plain `make test`: not the flags of the `make bench ARGS=--full` that runs this.
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "ARGS")}
    with tempfile.TemporaryDirectory() as tmp:
        clone = Path(tmp) / "mmviz"
        subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
        for _ in range(2):
            start = time.perf_counter()
            done = subprocess.run(["make", "test"], cwd=clone, capture_output=True, text=True, env=env)
            times.append((time.perf_counter() - start, done.returncode))
    return times


def seeds_section():
    """What 3 seeds cost against one in each notebook's training run (benchmarks/bench_seeds.py)."""
    sys.path.insert(0, str(Path(__file__).parent))
    from bench_seeds import seeds_table
    return seeds_table()


def evidence_section():
    """What rerunning each notebook's claims on 5 new seeds costs (benchmarks/bench_evidence.py)."""
    sys.path.insert(0, str(Path(__file__).parent))
    from bench_evidence import evidence_table
    return evidence_table()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--full", action="store_true",
                        help="also time a first and a second `make test` (slow)")
    parser.add_argument("--rounds", type=int, default=50, help="interactions per explorer control")
    parser.add_argument("--notebooks", nargs="*", default=[], help="only these notebooks (number prefixes)")
    args = parser.parse_args(argv)

    started = datetime.datetime.now(datetime.timezone.utc)
    load = os.getloadavg()
    lines = ["# Benchmarks",
             "",
             f"Run {started:%Y-%m-%d %H:%M} UTC on {os.cpu_count()} CPU cores ({platform.machine()}, "
             f"Python {platform.python_version()}), load average at start {load[0]:.1f}. "
             "Written by `make bench` (`benchmarks/run.py`); other jobs on a shared machine "
             "inflate the numbers, so compare runs at a quiet moment.",
             ""]
    lines += notebooks_table(args.notebooks)
    lines += explorers_table(args.rounds)
    venv, tools = du_mb(ROOT / ".venv"), dev_tools_mb()
    lines += ["## Environment", "",
              f"Installed environment `.venv` after `make test`: {venv:.0f} MB on disk; of it, what "
              f"`make lab` installs for a student: {venv - tools:.0f} MB (the test tools of "
              f"requirements-dev.txt take {tools:.0f} MB, counted from their installed files).", ""]
    if args.full:
        (first, rc1), (second, rc2) = make_test_times()
        lines += [f"`make test` in a fresh clone: first {first:.0f} s (sets up .venv; exit {rc1}), "
                  f"second {second:.0f} s (exit {rc2}).", ""]
    else:
        lines += ["`make test` first/second times: run `make bench ARGS=--full` "
                  "(slow: builds a fresh .venv).", ""]
    lines += seeds_section()
    lines += evidence_section()
    lines += ["## Training", "",
              "How fast and how well the tiny models learn: [TRAINING.md](TRAINING.md) "
              "(`benchmarks/bench_training.py`).", ""]
    OUT.write_text("\n".join(lines))
    print(f"wrote {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
