"""The set-up files agree, and `make lab` serves JupyterLab.

Offline checks read the lock (requirements*.txt), pyproject.toml, environment.yml, binder/ and run the
Makefile's install logic against a stand-in pip. That the lock installs on every (Python, platform) the
README names is tests/test_install_plans.py's (network) checks.
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
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml
from packaging.markers import default_environment
from packaging.requirements import Requirement

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    tomllib = pytest.importorskip("tomli")

ROOT = Path(__file__).resolve().parents[1]
CONDA_NAME = {"torch": "pytorch-cpu", "matplotlib": "matplotlib-base"}  # CPU-only PyTorch; no Qt
# The claimed Pythons (3.10-3.14): the lowest release of each and those distributions ship.
PYTHONS = ["3.10.0", "3.10.12", "3.11.0", "3.11.2", "3.12.3", "3.13.0", "3.14.0"]
LINUX_X86 = {"sys_platform": "linux", "platform_system": "Linux", "platform_machine": "x86_64"}
LINUX_ARM = {"sys_platform": "linux", "platform_system": "Linux", "platform_machine": "aarch64"}
MAC_ARM = {"sys_platform": "darwin", "platform_system": "Darwin", "platform_machine": "arm64"}
WINDOWS = {"sys_platform": "win32", "platform_system": "Windows", "platform_machine": "AMD64",
           "os_name": "nt"}


def norm(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def name_of(requirement):
    return norm(re.split(r"[<>=!~ \[;]", requirement, maxsplit=1)[0].strip())


def pyproject():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def environment(path="environment.yml"):
    return yaml.safe_load((ROOT / path).read_text())


def requirement_lines(*files):
    """The pins of a lock file (uv's `# via` annotations and option lines left out)."""
    return [line for f in files for line in (ROOT / f).read_text().splitlines()
            if line.strip() and not line.lstrip().startswith(("#", "-"))]


def target_env(python, **platform):
    """Marker environment of ``python`` (X.Y.Z) on this machine's platform, or the one given."""
    return {**default_environment(), "python_version": python.rsplit(".", 1)[0],
            "python_full_version": python, **platform}


def pins_for(env, *files):
    """{name: version} of the lines whose markers hold in ``env``; a name pinned to two versions is an error
    (requirements-dev.txt repeats requirements.txt's pins)."""
    pins = {}
    for line in requirement_lines(*files):
        req = Requirement(line)
        if req.marker is None or req.marker.evaluate(env):
            version = str(req.specifier).removeprefix("==")
            assert pins.get(norm(req.name), version) == version, \
                f"{req.name} pinned twice for {env['python_full_version']}"
            pins[norm(req.name)] = version
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
        for platform in (LINUX_X86, LINUX_ARM, MAC_ARM, WINDOWS):
            runtime = pins_for(target_env(python, **platform), "requirements.txt")
            both = pins_for(target_env(python, **platform), "requirements.txt", "requirements-dev.txt")
            assert not {name_of(d) for d in deps} - set(runtime), "requirements.txt misses a dependency"
            env = target_env(python, **platform)
            markers = {d: Requirement(d).marker for d in dev}
            wanted = {name_of(d) for d, m in markers.items() if m is None or m.evaluate(env)}
            assert not wanted - set(both), "requirements-dev.txt misses a test tool"
            torch = runtime["torch"]
            assert torch.split("+")[0] == "2.13.0", "an unpinned or other torch pulls another build"
            assert (torch == "2.13.0+cpu") == (platform["sys_platform"] == "linux"), \
                "every Linux gets the CPU build (+cpu), other platforms PyPI's (CPU-only there)"


def test_the_lock_is_uvs_universal_lock_with_torch_per_platform():
    """requirements*.txt are written by `make lock` (uv pip compile --universal); tools/freeze.py is gone."""
    for name in ("requirements.txt", "requirements-dev.txt"):
        head = (ROOT / name).read_text().splitlines()[:2]
        assert head == ["# This file was autogenerated by uv via the following command:",
                        "#    make lock"], head
    assert not (ROOT / "tools" / "freeze.py").exists()
    make = (ROOT / "Makefile").read_text()
    assert re.search(r"uv pip compile (--quiet )?pyproject\.toml --universal --python-version 3\.10", make)
    uv = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["uv"]
    cpu = [i for i in uv["index"] if i["name"] == "pytorch-cpu"]
    assert cpu == [{"name": "pytorch-cpu", "url": "https://download.pytorch.org/whl/cpu", "explicit": True}]
    assert {s["index"]: s["marker"] for s in uv["sources"]["torch"]} == {
        "pytorch-cpu": "sys_platform == 'linux'", "pypi": "sys_platform != 'linux'"}


def test_the_python_range_is_the_same_in_makefile_readme_and_tests():
    from test_install_plans import PYTHONS as RESOLVED

    make = (ROOT / "Makefile").read_text()
    assert "(3, 10) <= sys.version_info[:2] <= (3, 14)" in make and "Python 3.10 to 3.14" in make
    assert {p.rsplit(".", 1)[0] for p in RESOLVED} == {"3.10", "3.11", "3.12", "3.13", "3.14"}
    assert {"3.10.12", "3.11.2", "3.12.3"} <= set(RESOLVED), "Ubuntu 22.04's, Debian 12's, Ubuntu 24.04's"
    readme = (ROOT / "README.md").read_text()
    assert "Python 3.10–3.14" in readme and "3.10–3.13" not in readme


def test_makefile_hashes_with_python_not_sha1sum():
    """macOS has no sha1sum: the stamp names come from hashlib, the same on every machine."""
    import hashlib

    make = (ROOT / "Makefile").read_text()
    assert "| sha1sum" not in make and "hashlib" in make
    done = subprocess.run(["make", "-n", "-B", "setup"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0 and not done.stderr, done.stderr
    files = (ROOT / "requirements.txt", ROOT / "pyproject.toml")
    digest = hashlib.sha1(b"".join(f.read_bytes() for f in files)).hexdigest()[:12]
    assert f".stamp-lab-{digest}" in done.stdout


def test_book_and_slides_need_no_node_and_come_from_one_extra():
    """make book and make slides build offline with Python packages alone: the `book` extra, also in `dev`
    (the browser tests build both); the README's "Teach with it" says so."""
    make = (ROOT / "Makefile").read_text()
    for target in ("book", "slides"):
        assert re.search(rf"^{target}: setup-test .*## ", make, re.M), f"make {target} sets up its tools"
    tools = "".join((ROOT / "tools" / f).read_text() for f in ("build_book.py", "build_slides.py"))
    assert "npm" not in make and "subprocess.run([\"npm" not in tools and "node_modules" not in tools
    extras = pyproject()["optional-dependencies"]
    assert {name_of(d) for d in extras["book"]} <= {name_of(d) for d in extras["dev"]}
    assert {"sphinx", "myst-nb", "sphinx-book-theme"} <= {name_of(d) for d in extras["book"]}
    readme = (ROOT / "README.md").read_text()
    teach = readme[readme.index("## Teach with it"):]
    assert "make slides" in teach and "no Node" in teach


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


OTHER_PYTHON = """#!{python}
# Stand-in for a Python {version}: reports that version, runs `-c` code, makes no venv.
import sys
sys.version_info = {info}
if sys.argv[1] == "-c":
    code, sys.argv = sys.argv[2], ["-c", *sys.argv[3:]]
    exec(code)
else:
    sys.exit("unexpected: " + " ".join(sys.argv[1:]))
"""


def other_python(path, version):
    """An executable at ``path`` that says it is Python ``version`` (X.Y.Z)."""
    info = (*map(int, version.split(".")), "final", 0)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(OTHER_PYTHON.format(python=sys.executable, version=version, info=info))
    path.chmod(0o755)
    return path


def make_in_copy(tmp_path, *args, python=sys.executable, venv=True):
    """`make ARGS` in a copy of the set-up files whose .venv/bin/python is the stand-in (none: venv=False)."""
    for name in ("Makefile", "requirements.txt", "requirements-dev.txt", "pyproject.toml"):
        if not (tmp_path / name).exists():     # a second call keeps the files, as a second `make` would
            (tmp_path / name).write_bytes((ROOT / name).read_bytes())
    fake = tmp_path / ".venv" / "bin" / "python"
    if venv and not fake.exists():
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


linux_only = pytest.mark.skipif(os.uname().sysname != "Linux", reason="the CPU index is used on Linux only")


@linux_only
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
    assert "torch==2.13.0 ; sys_platform == 'linux'" in fallback and "+cpu" not in fallback
    again, pip = make_in_copy(tmp_path, "setup-test", f"CPU_INDEX=http://127.0.0.1:{closed}/cpu")
    assert again.returncode == 0 and "cannot be reached" not in again.stdout, "said once, at the first step"
    assert "-r .venv/requirements-dev-default-index.txt" in pip
    overrides = json.loads((tmp_path / ".venv/share/jupyter/lab/settings/overrides.json").read_text())
    assert overrides["@jupyterlab/apputils-extension:notification"]["fetchNews"] == "false"
    voila = json.loads((tmp_path / ".venv/etc/jupyter/voila.json").read_text())
    assert "jupyterlab-slideshow" in voila["VoilaConfiguration"]["extension_denylist"]


@linux_only
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


@pytest.mark.parametrize("version", ["3.9.18", "3.15.0"])
def test_make_refuses_a_python_it_is_not_locked_for(tmp_path, version):
    python = other_python(tmp_path / f"python{version}", version)
    (tmp_path / "copy").mkdir()
    done, pip = make_in_copy(tmp_path / "copy", "setup", python=str(python), venv=False)
    assert done.returncode != 0 and not pip
    short = version.rsplit(".", 1)[0]
    assert "locked for Python 3.10 to 3.14" in done.stderr and f"is {short}" in done.stderr, done.stderr


def test_make_says_so_when_python_is_missing(tmp_path):
    done, pip = make_in_copy(tmp_path, "setup", python="python3.99-not-here", venv=False)
    assert done.returncode != 0 and not pip
    assert "PYTHON=python3.99-not-here is not found" in done.stderr, done.stderr


@pytest.mark.parametrize("version", ["3.10.12", "3.11.2", "3.14.0"])
def test_make_takes_every_python_it_is_locked_for(tmp_path, version):
    """The guard lets 3.10-3.14 through, the lowest patch releases distributions ship included."""
    copy = tmp_path / "copy"
    fake = other_python(copy / ".venv" / "bin" / "real-python", version)   # .venv made by that Python
    (copy / ".venv" / "bin" / "python").write_text(FAKE_PYTHON.format(python=fake))
    (copy / ".venv" / "bin" / "python").chmod(0o755)
    python = other_python(tmp_path / f"python{version}", version)
    done, pip = make_in_copy(copy, "setup", "CPU_INDEX=http://127.0.0.1:9/cpu", python=str(python))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "requirements" in pip and "-e ." in pip


def test_make_refuses_python_that_did_not_make_the_venv(tmp_path):
    """PYTHON= is not silently ignored once .venv exists: make stops and says how to switch."""
    other = other_python(tmp_path / "python3.12", "3.12.3")
    (tmp_path / "copy").mkdir()
    done, pip = make_in_copy(tmp_path / "copy", "setup", python=str(other))
    assert done.returncode != 0 and not pip
    here = "%d.%d.%d" % sys.version_info[:3]
    assert f".venv was made by Python {here}, but PYTHON={other} is Python 3.12.3" in done.stderr, done.stderr
    assert "make clean" in done.stderr
    same, _ = make_in_copy(tmp_path / "copy", "setup", "CPU_INDEX=http://127.0.0.1:9/cpu")
    assert same.returncode == 0, "the Python that made .venv is accepted"


def test_make_help_lists_the_two_commands():
    out = subprocess.run(["make", "-s", "help"], cwd=ROOT, capture_output=True, text=True).stdout
    assert re.search(r"make lab\s+open notebook 00", out) and re.search(r"make test\s+lint", out), out


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


def test_citation_cites_mmviz_first_and_the_survey_as_a_reference():
    """GitHub's "Cite this repository" shows preferred-citation when there is one, else the file's root:
    the root is mmviz; the survey is a reference."""
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    assert cff["cff-version"] == "1.2.0" and "mmviz" in cff["title"] and cff["license"] == "MIT"
    assert cff["type"] == "software" and "preferred-citation" not in cff
    assert cff["version"] == tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert all(a.get("name") or a.get("family-names") for a in cff["authors"])
    title = "Multimodal Learning with Transformers: A Survey"
    [survey] = [r for r in cff["references"] if r["title"] == title]
    assert [a["family-names"] for a in survey["authors"]] == ["Xu", "Zhu", "Clifton"]
    assert (survey["volume"], survey["issue"], survey["start"], survey["end"], survey["year"]) == \
        (45, 10, 12113, 12132, 2023)


def test_voila_page_title_says_what_it_is():
    """Voilà's page title is the notebook's metadata title (its lab template, as nbconvert's)."""
    from nbconvert import HTMLExporter

    html, _ = HTMLExporter(template_name="lab").from_filename(str(ROOT / "app" / "playground.ipynb"))
    title = re.search(r"<title>(.*?)</title>", html).group(1)
    assert "Fusion playground" in title and "mmviz" in title, title
