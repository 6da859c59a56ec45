"""Real-browser fixtures: Debian's Chromium through Playwright, a JupyterLab server, a Voilà server.

Each server listens on 127.0.0.1 on a free port with a random token and serves a temporary copy of
the files, so a run never touches the committed notebooks. In CI (CI=true) a missing browser fails
the run; elsewhere the tests skip and say how to enable them.
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
CHROMIUM = Path(os.environ.get("MMVIZ_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = ROOT / "test-artifacts" / "browser"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A Jupyter-based server in a subprocess; ``url(path)`` adds the token."""

    def __init__(self, command, port, token, log, cwd, env, ready_path):
        self.port, self.token, self.log = port, token, log
        self.base = f"http://127.0.0.1:{port}"
        with open(log, "w") as out:
            self.process = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
        self.wait_ready(ready_path)

    def url(self, path):
        sep = "&" if "?" in path else "?"
        return f"{self.base}/{path.lstrip('/')}{sep}token={self.token}"

    def wait_ready(self, path, timeout=90):
        """Until ``path`` answers 200 (or, with path None, until the port accepts connections)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited with {self.process.returncode}; log:\n{self.tail()}")
            try:
                if path is None:
                    socket.create_connection(("127.0.0.1", self.port), timeout=5).close()
                    return
                with urllib.request.urlopen(self.url(path), timeout=5) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"server not ready after {timeout} s; log:\n{self.tail()}")

    def tail(self, lines=40):
        return "\n".join(Path(self.log).read_text(errors="replace").splitlines()[-lines:])

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def quiet_lab_settings(folder):
    """User settings in a folder of our own (no personal settings leak in): no "Jupyter news" pop-up,
    every cell kept in the page (no windowing), so the checks see all outputs, not only visible ones,
    and no autosave (the test's edits are never written back)."""
    settings = folder / "user-settings" / "@jupyterlab"
    wanted = {"apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
              "notebook-extension/tracker": {"windowingMode": "none"},
              # no autosave: a save during a long Run All rewrites the jupytext-paired source and the
              # page lost track of the running cells (notebook 10 stopped at cell 4)
              "docmanager-extension/plugin": {"autosave": False}}
    for extension, values in wanted.items():
        file = settings / f"{extension}.jupyterlab-settings"
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(json.dumps(values))
    env = dict(os.environ)
    env["JUPYTERLAB_SETTINGS_DIR"] = str(folder / "user-settings")
    env["JUPYTERLAB_WORKSPACES_DIR"] = str(folder / "workspaces")
    return env


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        message = (f"Chromium not found at {CHROMIUM}. To run the browser tests: "
                   "`apt-get install chromium` (Debian), or set MMVIZ_CHROMIUM to a Chromium binary.")
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message + " In CI a missing browser is a failure.", pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture()
def page(browser, request):
    """A fresh page (1280×1600, so a notebook's explorer fits); a screenshot is kept whatever happens."""
    context = browser.new_context(viewport={"width": 1280, "height": 1600})
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    name = request.node.name.replace("/", "_").replace("[", "-").rstrip("]")
    try:
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"))
    finally:
        context.close()


@pytest.fixture(scope="session")
def lab(tmp_path_factory, browser):
    """JupyterLab serving a temporary copy of notebooks/ alone: the notebooks read their evidence from the
    mmviz package (mmviz/evidence/data), not from files beside them."""
    home = tmp_path_factory.mktemp("lab")
    root = home / "notebooks"
    shutil.copytree(ROOT / "notebooks", root, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    port, token = free_port(), secrets.token_hex(16)
    command = [str(BIN / "jupyter"), "lab", "--no-browser", f"--ServerApp.root_dir={root}",
               "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
               f"--IdentityProvider.token={token}"]
    if os.geteuid() == 0:  # containers and CI run as root; JupyterLab refuses that unless told
        command.append("--ServerApp.allow_root=True")
    server = Server(command, port, token, home / "lab.log", home, quiet_lab_settings(home), "api/status")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def voila_app(tmp_path_factory, browser):
    """Voilà serving a temporary copy of app/playground.ipynb, as `make app` does."""
    home = tmp_path_factory.mktemp("voila")
    shutil.copytree(ROOT / "app", home / "app", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    port, token = free_port(), secrets.token_hex(16)
    command = [str(BIN / "voila"), "app/playground.ipynb", "--no-browser", f"--port={port}",
               "--Voila.ip=127.0.0.1", "--Voila.port_retries=0", f"--Voila.token={token}"]
    server = Server(command, port, token, home / "voila.log", home, dict(os.environ), None)
    yield server
    server.stop()
