"""`pip install mmviz` carries the lessons: the wheel holds every evidence file the notebooks read, and a
notebook runs from a folder that is not the repository, importing the installed copy.

The wheel is built from a copy of the package's files (pip wheel --no-deps, no build isolation: offline,
with this environment's setuptools), installed into a temporary venv that sees this environment's
packages (torch and Jupyter are not downloaded again) but not the repository, and the notebook runs there
in a kernel of that venv.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = "mmviz/evidence/data"
# Notebook 10 runs outside the clone: it reads every committed number through mmviz.evidence.
OUTSIDE = ["10_fusion_playground.ipynb"]      # reads its evidence through importlib.resources
TIMEOUT = 300      # per cell


def build_wheel(tmp, extra=None):
    """The wheel of a copy of the package's files (``extra``: {relative path: text} added to the copy)."""
    src = tmp / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(ROOT / name, src / name)
    shutil.copytree(ROOT / "mmviz", src / "mmviz", ignore=shutil.ignore_patterns("__pycache__"))
    for path, text in (extra or {}).items():
        (src / path).parent.mkdir(parents=True, exist_ok=True)
        (src / path).write_text(text)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    done = subprocess.run([*pip, "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-q",
                           "-w", str(tmp / "dist"), str(src)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    [wheel] = (tmp / "dist").glob("mmviz-*.whl")
    return wheel


def test_wheel_carries_the_evidence_files_as_package_data(tmp_path):
    """pyproject.toml's package-data takes every mmviz/evidence/data/*.json (a probe file proves it even
    before the evidence is committed), and the repository's own files are all there."""
    wheel = build_wheel(tmp_path, extra={f"{DATA}/probe-0.json": json.dumps({"probe": True})})
    names = set(zipfile.ZipFile(wheel).namelist())
    committed = {p.relative_to(ROOT).as_posix() for p in (ROOT / DATA).glob("*.json")}
    assert f"{DATA}/probe-0.json" in names
    assert committed <= names, f"not in the wheel: {sorted(committed - names)}"


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(python of a venv where the wheel is installed, the wheel). The venv sees this environment's
    site-packages through a .pth line (no .pth of theirs runs, so not the editable mmviz of the repo)."""
    tmp = tmp_path_factory.mktemp("wheel")
    wheel = build_wheel(tmp)
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    Path(site, "_outer_environment.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--python", str(python)]
    done = subprocess.run([*pip, "install", "--no-deps", "--no-index", "--ignore-installed", str(wheel)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return python, wheel


@pytest.mark.notebook
@pytest.mark.parametrize("notebook", OUTSIDE)
def test_a_notebook_runs_outside_the_clone_from_the_installed_wheel(notebook, installed, tmp_path,
                                                                    offline_env, monkeypatch):
    """The notebook alone in a new folder, its kernel in the venv of the wheel: every cell runs, mmviz is
    the installed copy, and its evidence folder holds exactly the committed files."""
    from nbclient import NotebookClient

    python, _ = installed
    folder = tmp_path / "lesson"
    folder.mkdir()
    shutil.copy2(ROOT / "notebooks" / notebook, folder / notebook)
    spec = tmp_path / "jupyter" / "kernels" / "mmviz-wheel"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "mmviz from its wheel", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))      # where the client finds the kernel
    nb = nbformat.read(folder / notebook, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(
        "import importlib.resources, json, mmviz\n"
        "data = importlib.resources.files('mmviz.evidence') / 'data'\n"
        "names = [p.name for p in data.iterdir() if p.name.endswith('.json')] if data.is_dir() else []\n"
        "print(json.dumps({'file': mmviz.__file__, 'evidence': sorted(names)}))"))
    client = NotebookClient(nb, timeout=TIMEOUT, kernel_name="mmviz-wheel",
                            resources={"metadata": {"path": str(folder)}})
    client.execute(env={**offline_env, "MPLBACKEND": "Agg"})
    printed = "".join(o.get("text", "") for o in nb.cells[-1].outputs if o.output_type == "stream")
    seen = json.loads(printed)
    assert Path(seen["file"]).is_relative_to(python.parents[1]), f"mmviz imported from {seen['file']}"
    assert seen["evidence"] == sorted(p.name for p in (ROOT / DATA).glob("*.json"))
    assert ROOT not in folder.parents
