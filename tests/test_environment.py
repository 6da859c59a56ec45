"""The set-up files agree with each other, and `make lab` really serves JupyterLab."""
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import yaml

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    tomllib = pytest.importorskip("tomli")

ROOT = Path(__file__).resolve().parents[1]
CONDA_NAME = {"torch": "pytorch-cpu"}  # conda-forge's CPU-only PyTorch


def name_of(requirement):
    return re.split(r"[<>=!~ \[;]", requirement, maxsplit=1)[0].strip().lower()


def pyproject():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def environment():
    return yaml.safe_load((ROOT / "environment.yml").read_text())


def test_environment_yml_names_the_runtime_packages_of_pyproject():
    deps = environment()["dependencies"]
    conda = {name_of(d) for d in deps if isinstance(d, str)} - {"python", "pip"}
    runtime = {CONDA_NAME.get(name_of(d), name_of(d)) for d in pyproject()["dependencies"]}
    assert conda == runtime


def test_environment_yml_is_binder_ready():
    env = environment()
    assert env["channels"] == ["conda-forge"]
    deps = env["dependencies"]
    assert "python=3.11" in deps
    assert [d["pip"] for d in deps if isinstance(d, dict)] == [["-e ."]]
    strings = [d for d in deps if isinstance(d, str)]
    assert not [d for d in strings if d.count("=") - d.count(">=") - d.count("<=") > 1], "no build strings"
    assert not any(name_of(d) in ("pytorch", "cpuonly", "torch") for d in strings)


def test_pyproject_has_lower_bounds_only_and_requirements_pin_everything():
    deps = pyproject()["dependencies"] + pyproject()["optional-dependencies"]["dev"]
    assert not [d for d in deps if "==" in d or "<" in d], "a library states lower bounds only"
    pins = {}
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        if line and not line.startswith("#"):
            assert re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[^=\s]+", line), f"not an exact pin: {line}"
            pins[name_of(line).replace("_", "-")] = line.split("==")[1]
    assert pins["torch"] == "2.13.0", "an unpinned or other torch pulls a multi-GB CUDA build"
    missing = {name_of(d).replace("_", "-") for d in deps} - set(pins)
    assert not missing, f"requirements.txt does not pin {missing}"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.skipif(not (ROOT / ".venv" / "bin" / "jupyter").exists(), reason="run through `make test`")
def test_make_lab_serves_jupyterlab():
    port, token = free_port(), "mmviz-test-token"
    args = f"--no-browser --ServerApp.ip=127.0.0.1 --port={port} --IdentityProvider.token={token}"
    proc = subprocess.Popen(["make", "-s", "lab", f"ARGS={args}"], cwd=ROOT, start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, "JUPYTER_PLATFORM_DIRS": "1"})
    try:
        deadline, status = time.monotonic() + 60, None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                url = f"http://127.0.0.1:{port}/api/status?token={token}"
                with urllib.request.urlopen(url, timeout=2) as r:
                    status = r.status
                    break
            except OSError:
                time.sleep(0.5)
        assert status == 200, f"JupyterLab did not answer on port {port}"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/lab?token={token}", timeout=5) as r:
            assert b"JupyterLab" in r.read()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        out = proc.communicate(timeout=30)[0]
    assert f"127.0.0.1:{port}" in out, "the URL is printed for the reader"


def test_python_is_new_enough():
    assert sys.version_info >= (3, 10)
