"""The set-up files agree, install on every Python they claim, and `make lab` serves JupyterLab.

Offline checks read requirements*.txt, pyproject.toml, environment.yml, binder/ and run the Makefile's
install logic against a stand-in pip. Network checks resolve the pins with pip's dry run, for each
claimed Python, and skip with a message when the package index (or PyTorch's CPU index) is unreachable.
"""
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    tomllib = pytest.importorskip("tomli")

ROOT = Path(__file__).resolve().parents[1]
CONDA_NAME = {"torch": "pytorch-cpu", "matplotlib": "matplotlib-base"}  # CPU-only PyTorch; no Qt
PYTHONS = ["3.10.13", "3.11.7", "3.12.1", "3.13.0"]   # the claimed versions, one release of each
CPU_INDEX = "https://download.pytorch.org/whl/cpu"
LINUX_X86 = {"sys_platform": "linux", "platform_system": "Linux", "platform_machine": "x86_64"}
NOT_PINNED = {"pip", "setuptools"}      # pip freeze leaves them out; venv brings them


def norm(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def name_of(requirement):
    return norm(re.split(r"[<>=!~ \[;]", requirement, maxsplit=1)[0].strip())


def pyproject():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def environment(path="environment.yml"):
    return yaml.safe_load((ROOT / path).read_text())


def requirement_lines(*files):
    return [line for f in files for line in (ROOT / f).read_text().splitlines()
            if line.strip() and not line.startswith("#")]


def target_env(python, **platform):
    """Marker environment of ``python`` (X.Y.Z) on this machine's platform, or the one given."""
    return {**default_environment(), "python_version": python.rsplit(".", 1)[0],
            "python_full_version": python, **platform}


def pins_for(env, *files):
    """{name: version} of the lines whose markers hold in ``env``; a name pinned twice is an error."""
    pins = {}
    for line in requirement_lines(*files):
        req = Requirement(line)
        if req.marker is None or req.marker.evaluate(env):
            assert norm(req.name) not in pins, f"{req.name} pinned twice for {env['python_full_version']}"
            pins[norm(req.name)] = str(req.specifier).removeprefix("==")
    return pins


# --- offline: the files agree -------------------------------------------------------------------------

def test_environment_yml_names_the_runtime_packages_of_pyproject():
    runtime = {CONDA_NAME.get(name_of(d), name_of(d)) for d in pyproject()["dependencies"]}
    for path in ("environment.yml", "binder/environment.yml"):
        deps = environment(path)["dependencies"]
        conda = {name_of(d) for d in deps if isinstance(d, str)} - {"python", "pip"}
        assert conda == runtime, f"{path} differs from pyproject.toml's dependencies"


def test_environment_yml_is_for_conda_users_and_binder_has_its_own():
    env = environment()
    assert env["channels"] == ["conda-forge"]
    assert [d["pip"] for d in env["dependencies"] if isinstance(d, dict)] == [["-e ."]]
    binder = environment("binder/environment.yml")
    assert binder["channels"] == ["conda-forge"]
    assert not [d for d in binder["dependencies"] if isinstance(d, dict)], \
        "binder/environment.yml installs nothing from the repository, so repo2docker solves it before copying"
    for deps in (env["dependencies"], binder["dependencies"]):
        strings = [d for d in deps if isinstance(d, str)]
        assert "python=3.11" in strings
        assert not [d for d in strings if d.count("=") - d.count(">=") - d.count("<=") > 2], \
            "no build strings"
        assert not any(name_of(d) in ("pytorch", "cpuonly", "torch") for d in strings)


def test_binder_installs_mmviz_and_silences_the_news_pop_up():
    post = (ROOT / "binder" / "postBuild").read_text()
    assert os.access(ROOT / "binder" / "postBuild", os.X_OK), "postBuild must be executable"
    assert re.search(r"pip install .*--no-deps .*-e \.", post)
    assert '"fetchNews": "false"' in post and "overrides.json" in post
    config = (ROOT / "binder" / "jupyter_server_config.py").read_text()
    assert re.search(r"cull_idle_timeout\s*=\s*\d+", config), "idle kernels are culled on Binder"
    assert "extension_denylist" in config and '"jupyterlab-slideshow"' in config


def test_binder_pins_match_the_local_pins_where_conda_forge_has_them():
    """Each Binder version is requirements.txt's minor series (or exact version), or the file says why not."""
    pins = pins_for(target_env("3.11.7", **LINUX_X86), "requirements.txt")
    pypi_name = {conda: pypi for pypi, conda in CONDA_NAME.items()}
    text = (ROOT / "binder" / "environment.yml").read_text()
    for dep in environment("binder/environment.yml")["dependencies"]:
        if not isinstance(dep, str) or name_of(dep) in ("python", "pip"):
            continue
        assert re.fullmatch(r"[\w.-]+=[\d.]+", dep), f"binder pins every package to a version: {dep}"
        name, version = dep.split("=")
        local = pins[norm(pypi_name.get(name, name))].split("+")[0]
        if local != version and not local.startswith(version + "."):
            assert re.search(rf"{re.escape(name)}\D*{re.escape(version)}.*{re.escape(local)}", text), \
                f"binder pins {name}={version}, requirements.txt {local}: say why in a comment"


def test_requirements_are_exact_pins_for_every_claimed_python():
    assert pyproject()["requires-python"] == ">=3.10"
    deps, dev = pyproject()["dependencies"], pyproject()["optional-dependencies"]["dev"]
    assert not [d for d in deps + dev if "==" in d or "<" in d], "a library states lower bounds only"
    for line in requirement_lines("requirements.txt", "requirements-dev.txt"):
        assert len(Requirement(line).specifier) == 1 and str(Requirement(line).specifier).startswith("=="), \
            f"not an exact pin: {line}"
    for python in PYTHONS:
        for platform in (LINUX_X86, {"sys_platform": "darwin", "platform_system": "Darwin",
                                     "platform_machine": "arm64"}):
            runtime = pins_for(target_env(python, **platform), "requirements.txt")
            both = pins_for(target_env(python, **platform), "requirements.txt", "requirements-dev.txt")
            assert not {name_of(d) for d in deps} - set(runtime), "requirements.txt misses a dependency"
            assert not {name_of(d) for d in dev} - set(both), "requirements-dev.txt misses a test tool"
            torch = runtime["torch"]
            assert torch.split("+")[0] == "2.13.0", "an unpinned or other torch pulls another build"
            assert (torch == "2.13.0+cpu") == (platform is LINUX_X86), \
                "Linux x86-64 gets the CPU build (+cpu), other platforms PyPI's (CPU-only there)"


def test_this_python_keeps_todays_pins():
    """The course machines (Python 3.11, a local CPU wheel of torch 2.13.0) get exactly these versions."""
    pins = pins_for(target_env("3.11.7", **LINUX_X86), "requirements.txt")
    assert {k: pins[k] for k in ("torch", "numpy", "matplotlib", "ipython", "jupyterlab")} == {
        "torch": "2.13.0+cpu", "numpy": "2.4.6", "matplotlib": "3.11.2", "ipython": "9.18.1",
        "jupyterlab": "4.6.6"}


def test_test_tools_are_not_in_the_students_environment():
    runtime = set(pins_for(target_env("3.11.7"), "requirements.txt"))
    assert not {"pytest", "ruff", "playwright", "hypothesis", "pytest-xdist"} & runtime
    assert {"jupyterlab-rise", "jupyterlab-slideshow", "voila", "jupytext"} <= runtime, \
        "slides, the app and pairing are for students"


# --- offline: the Makefile's install logic, against a stand-in pip ----------------------------------

FAKE_PYTHON = """#!/bin/sh
# Stand-in for .venv/bin/python: records pip calls, runs everything else with the real Python.
if [ "$1" = "-m" ] && [ "$2" = "pip" ]; then echo "$@" >> "$(dirname "$0")/pip.log"; exit 0; fi
exec {python} "$@"
"""


def make_in_copy(tmp_path, *args, python=sys.executable):
    """`make ARGS` in a copy of the set-up files whose .venv/bin/python is the stand-in."""
    for name in ("Makefile", "requirements.txt", "requirements-dev.txt", "pyproject.toml"):
        if not (tmp_path / name).exists():     # a second call keeps the files, as a second `make` would
            (tmp_path / name).write_bytes((ROOT / name).read_bytes())
    fake = tmp_path / ".venv" / "bin" / "python"
    fake.parent.mkdir(parents=True, exist_ok=True)
    fake.write_text(FAKE_PYTHON.format(python=sys.executable))
    fake.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    done = subprocess.run(["make", "-s", *args, f"PYTHON={python}"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    log = fake.parent / "pip.log"
    return done, log.read_text() if log.exists() else ""


class _Index(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - the http.server API
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"<html></html>")

    def log_message(self, *args):
        pass


linux_x86_only = pytest.mark.skipif(os.uname().sysname != "Linux" or os.uname().machine != "x86_64",
                                    reason="the CPU index is used on Linux x86-64 only")


@linux_x86_only
def test_make_falls_back_to_the_default_index_in_one_line(tmp_path):
    with socket.socket() as s:      # a port nobody listens on: the "CPU index" cannot be reached
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    done, pip = make_in_copy(tmp_path, "setup", f"CPU_INDEX=http://127.0.0.1:{closed}/cpu")
    assert done.returncode == 0, done.stdout + done.stderr
    said = [line for line in done.stdout.splitlines() if "cannot be reached" in line]
    assert len(said) == 1 and "default index" in said[0], done.stdout
    assert "-r .venv/requirements-default-index.txt" in pip and "--extra-index-url" not in pip
    fallback = (tmp_path / ".venv" / "requirements-default-index.txt").read_text()
    assert "torch==2.13.0 ;" in fallback and "+cpu" not in fallback.replace("(+cpu", "")
    overrides = json.loads((tmp_path / ".venv/share/jupyter/lab/settings/overrides.json").read_text())
    assert overrides["@jupyterlab/apputils-extension:notification"]["fetchNews"] == "false"
    voila = json.loads((tmp_path / ".venv/etc/jupyter/voila.json").read_text())
    assert "jupyterlab-slideshow" in voila["VoilaConfiguration"]["extension_denylist"]


@linux_x86_only
def test_make_takes_torch_from_the_cpu_index_when_it_answers(tmp_path):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Index)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        index = f"http://127.0.0.1:{server.server_port}/cpu"
        done, pip = make_in_copy(tmp_path, "setup-test", f"CPU_INDEX={index}")
        again, pip_again = make_in_copy(tmp_path, "setup-test", f"CPU_INDEX={index}")
    finally:
        server.shutdown()
    assert done.returncode == 0, done.stdout + done.stderr
    assert "cannot be reached" not in done.stdout
    assert f"--extra-index-url {index} -r requirements.txt" in pip
    assert "-r requirements-dev.txt" in pip, "make test adds the test tools"
    assert again.returncode == 0 and pip_again == pip, "a second run installs nothing"


def test_make_refuses_a_python_it_is_not_pinned_for(tmp_path):
    old = tmp_path / "python3.9"
    old.write_text(f"#!{sys.executable}\nimport sys\nsys.version_info = (3, 9, 18, 'final', 0)\n"
                   "exec(sys.argv[2]) if sys.argv[1] == '-c' else sys.exit('unexpected')\n")
    old.chmod(0o755)
    (tmp_path / "copy").mkdir()
    done, pip = make_in_copy(tmp_path / "copy", "setup", python=str(old))
    assert done.returncode != 0 and not pip
    assert "pinned for Python 3.10 to 3.13" in done.stderr and "3.9" in done.stderr, done.stderr


def test_make_help_lists_the_two_commands():
    out = subprocess.run(["make", "-s", "help"], cwd=ROOT, capture_output=True, text=True).stdout
    assert re.search(r"make lab\s+open notebook 00", out) and re.search(r"make test\s+lint", out), out


# --- network: resolve the pins for every claimed Python ----------------------------------------------

@lru_cache(maxsize=1)
def cpu_index_reachable():
    try:
        urllib.request.urlopen(f"{CPU_INDEX}/torch/", timeout=10).close()
        return True
    except OSError:
        return False


def resolve(python, tmp, cpu_index):
    """pip's install plan for ``python`` on this platform: (returncode, {name: report item}, pip's output).

    pip's --python-version does not change how it reads markers, so the markers of our files are
    evaluated here for ``python`` and pip gets plain pins.
    """
    pins = pins_for(target_env(python), "requirements.txt", "requirements-dev.txt")
    flat = tmp / f"pins-{python}.txt"
    flat.write_text("".join(f"{n}=={v if cpu_index else v.split('+')[0]}\n" for n, v in pins.items()))
    report = tmp / f"report-{python}.json"
    command = [sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed",
               "--disable-pip-version-check", "--target", str(tmp / f"target-{python}"),
               "--python-version", python, "--only-binary=:all:", "--report", str(report), "-r", str(flat)]
    if cpu_index:
        command[4:4] = ["--extra-index-url", CPU_INDEX]
    done = subprocess.run(command, capture_output=True, text=True, timeout=900)
    plan = {}
    if done.returncode == 0:
        plan = {norm(i["metadata"]["name"]): i for i in json.loads(report.read_text())["install"]}
    return done.returncode, plan, done.stdout + done.stderr, pins


@pytest.fixture(scope="module")
def plans(tmp_path_factory):
    """The four resolutions, run at once (each takes about half a minute)."""
    tmp = tmp_path_factory.mktemp("resolve")
    cpu = cpu_index_reachable()
    with ThreadPoolExecutor(len(PYTHONS)) as pool:
        return dict(zip(PYTHONS, pool.map(lambda p: resolve(p, tmp, cpu), PYTHONS)))


UNREACHABLE = ("Name or service not known", "Temporary failure in name resolution", "Max retries",
               "Could not fetch URL", "Network is unreachable", "No route to host")


@pytest.mark.parametrize("python", PYTHONS)
def test_pins_resolve_on_every_claimed_python(python, plans):
    returncode, plan, output, pins = plans[python]
    if returncode != 0 and any(s in output for s in UNREACHABLE) and "No matching distribution" not in output:
        pytest.skip(f"the package index cannot be reached; pip said: {output.strip().splitlines()[-1]}")
    assert returncode == 0, f"Python {python}: the pins do not install:\n{output[-3000:]}"
    wrong = {n: (pins.get(n), item["metadata"]["version"]) for n, item in plan.items()
             if n in pins and pins[n].split("+")[0] != item["metadata"]["version"].split("+")[0]}
    assert not wrong, f"Python {python}: pip would install other versions than pinned: {wrong}"
    torch_extra = () if cpu_index_reachable() else ("nvidia-", "cuda-", "triton")   # the CUDA build's
    unpinned = sorted(n for n in plan
                      if n not in pins and n not in NOT_PINNED and not n.startswith(torch_extra))
    assert not unpinned, f"Python {python}: installed but pinned nowhere: {unpinned}"
    too_new = [n for n, item in plan.items() if item["metadata"].get("requires_python")
               and python not in SpecifierSet(item["metadata"]["requires_python"])]
    assert not too_new, f"Python {python}: these pins do not support it: {too_new}"


def test_linux_plan_has_no_nvidia_packages(plans):
    if not cpu_index_reachable():
        pytest.skip(f"PyTorch's CPU index ({CPU_INDEX}) cannot be reached from here, so this machine "
                    "cannot see what a Linux laptop gets from it; `make` falls back to the default index")
    if os.uname().sysname != "Linux" or os.uname().machine != "x86_64":
        pytest.skip("the plan is checked on Linux x86-64")
    for python, (returncode, plan, output, _) in plans.items():
        assert returncode == 0, output[-2000:]
        assert plan["torch"]["metadata"]["version"].endswith("+cpu")
        assert not [n for n in plan if n.startswith("nvidia-")], f"Python {python}: CUDA wheels planned"


# --- make lab -------------------------------------------------------------------------------------------

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.skipif(not (ROOT / ".venv" / "bin" / "jupyter").exists(), reason="run through `make test`")
def test_make_lab_serves_jupyterlab_on_notebook_00():
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
    assert f"127.0.0.1:{port}/lab/tree/00_start_here.ipynb?token=" in out, "make lab opens notebook 00"


def test_python_is_new_enough():
    assert sys.version_info >= (3, 10)


# --- pairing, citation, app title --------------------------------------------------------------------

def test_jupytext_pairs_each_source_with_its_notebook_and_a_sync_changes_nothing(tmp_path):
    """Opened in JupyterLab, notebooks/src/NN.py and notebooks/NN.ipynb are one notebook; saving writes
    both. A sync of the committed pair rewrites neither (the sources keep their exact text)."""
    import shutil

    jupytext = ROOT / ".venv" / "bin" / "jupytext"
    if not jupytext.exists():
        jupytext = Path(sys.executable).parent / "jupytext"
    copy = tmp_path / "notebooks"
    shutil.copytree(ROOT / "notebooks", copy, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    pairs = subprocess.run([str(jupytext), "--paired-paths", str(copy / "00_start_here.ipynb")],
                           capture_output=True, text=True).stdout.split()   # (its exit code is 1)
    assert pairs == [str(copy / "src" / "00_start_here.py")]
    for path in copy.glob("src/*.py"):
        os.utime(path)       # the source is the newer file, as after editing it
    done = subprocess.run([str(jupytext), "--sync", str(copy / "00_start_here.ipynb")],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert (copy / "src" / "00_start_here.py").read_text() == \
        (ROOT / "notebooks" / "src" / "00_start_here.py").read_text()


def test_citation_names_the_project_and_the_survey():
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    assert cff["cff-version"] == "1.2.0" and "mmviz" in cff["title"] and cff["license"] == "MIT"
    survey = cff["preferred-citation"]
    assert survey["title"] == "Multimodal Learning with Transformers: A Survey"
    assert [a["family-names"] for a in survey["authors"]] == ["Xu", "Zhu", "Clifton"]
    assert (survey["volume"], survey["issue"], survey["start"], survey["end"], survey["year"]) == \
        (45, 10, 12113, 12132, 2023)


def test_voila_page_title_says_what_it_is():
    """Voilà's page title is the notebook's metadata title (its lab template, as nbconvert's)."""
    from nbconvert import HTMLExporter

    html, _ = HTMLExporter(template_name="lab").from_filename(str(ROOT / "app" / "playground.ipynb"))
    title = re.search(r"<title>(.*?)</title>", html).group(1)
    assert "Fusion playground" in title and "mmviz" in title, title
