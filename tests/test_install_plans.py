"""The lock installs on every (Python, platform) the README names, with no CUDA package.

requirements.txt and requirements-dev.txt are one universal lock (`make lock`: uv pip compile --universal).
Each target gets uv's install plan from the lock, evaluated with that target's markers and wheel tags
(`uv pip compile --python-platform --python-version`: pip's --python-version changes neither how markers
are read nor which platform's wheels count). A plan must pin exactly the lock's lines for the target, from
wheels alone. Checks that need the package index skip with a message when it cannot be reached; on Linux,
when PyTorch's CPU index cannot be reached, the plan is the one `make` falls back to (torch from the default
index), checked for everything but torch's CPU build, and the test then skips naming what it left out.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import urllib.request
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
LOCKS = ("requirements.txt", "requirements-dev.txt")   # the second holds the first (checked offline)
CPU_INDEX = "https://download.pytorch.org/whl/cpu"
# The lowest patch release each minor series has, and the ones current distributions ship:
# Ubuntu 22.04's 3.10.12, Debian 12's 3.11.2, Ubuntu 24.04's 3.12.3.
PYTHONS = ("3.10.0", "3.10.12", "3.11.0", "3.11.2", "3.12.0", "3.12.3", "3.13.0", "3.14.0")
CUDA = re.compile(r"^(nvidia-|cuda-|triton$)")


@dataclass(frozen=True, eq=False)   # hashed by identity: plan() caches per target
class Platform:
    name: str            # as the README says it
    uv: str              # uv's --python-platform
    markers: dict
    macos: str | None = None  # MACOSX_DEPLOYMENT_TARGET: the oldest macOS the README names


LINUX_X86 = Platform("Linux x86-64", "x86_64-manylinux_2_28", {
    "sys_platform": "linux", "platform_system": "Linux", "platform_machine": "x86_64", "os_name": "posix"})
LINUX_ARM = Platform("Linux aarch64", "aarch64-manylinux_2_28", {
    "sys_platform": "linux", "platform_system": "Linux", "platform_machine": "aarch64", "os_name": "posix"})
MAC_ARM = Platform("macOS 14+ on Apple silicon", "aarch64-apple-darwin", {
    "sys_platform": "darwin", "platform_system": "Darwin", "platform_machine": "arm64", "os_name": "posix"},
    macos="14.0")
WINDOWS = Platform("Windows x86-64", "x86_64-pc-windows-msvc", {
    "sys_platform": "win32", "platform_system": "Windows", "platform_machine": "AMD64", "os_name": "nt"})
# Named by the README as not supported (it points to Binder): the lock does not install there.
MAC_INTEL = Platform("macOS on Intel", "x86_64-apple-darwin", {
    "sys_platform": "darwin", "platform_system": "Darwin", "platform_machine": "x86_64", "os_name": "posix"},
    macos="13.0")
MAC_ARM_13 = Platform("macOS 13 on Apple silicon", "aarch64-apple-darwin", MAC_ARM.markers, macos="13.0")
SUPPORTED = (LINUX_X86, LINUX_ARM, MAC_ARM, WINDOWS)

UNREACHABLE = ("dns error", "Could not connect", "error sending request", "Network is unreachable",
               "failed to lookup address", "Connection refused", "timed out", "client error (Connect)")


def norm(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def lock_pins(python, platform, *files):
    """{name: version} of the lock's lines whose markers hold on the target, read by `packaging`."""
    env = {**default_environment(), "implementation_name": "cpython",
           "platform_python_implementation": "CPython",
           "python_version": python.rsplit(".", 1)[0], "python_full_version": python, **platform.markers}
    pins = {}
    for f in files:
        for line in (ROOT / f).read_text().splitlines():
            if not line.strip() or line.lstrip().startswith("#") or line.startswith("-"):
                continue
            req = Requirement(line)
            if req.marker is None or req.marker.evaluate(env):
                version = str(req.specifier).removeprefix("==")
                assert pins.get(norm(req.name), version) == version, f"{req.name} pinned twice in {f}"
                pins[norm(req.name)] = version
    return pins


def uv():
    try:
        import uv as uv_package
        return [uv_package.find_uv_bin()]
    except (ImportError, FileNotFoundError):
        pytest.skip("uv is not installed here (make test installs it from requirements-dev.txt)")


@lru_cache(maxsize=1)
def cpu_index_reachable():
    try:
        urllib.request.urlopen(f"{CPU_INDEX}/torch/", timeout=10).close()
        return True
    except OSError:
        return False


@lru_cache(maxsize=None)
def plan(lock, python, platform, fallback=False):
    """uv's plan for ``lock`` on (python, platform): (returncode, {name: version}, uv's words).

    Linux with ``fallback``: `make`'s fallback (torch's pin without +cpu, from the default index);
    Linux without it: PyTorch's CPU index beside the default one, best version of either, as pip has it.
    """
    text = (ROOT / lock).read_text()
    if lock != "requirements.txt":        # requirements-dev.txt is constrained by requirements.txt
        text = text.replace("-c requirements.txt", "")
    if fallback:
        text = text.replace("+cpu ", " ")
    flat = Path(os.environ.get("TMPDIR", "/tmp")) / f"mmviz-plan-{os.getpid()}-{lock}-{fallback}.txt"
    flat.write_text(text)
    command = [*uv(), "pip", "compile", str(flat), "--no-config", "--no-header", "--no-annotate",
               "--python-platform", platform.uv, "--python-version", python, "--only-binary", ":all:",
               "--python", sys.executable]
    if platform.markers["sys_platform"] == "linux" and not fallback:
        command += ["--index", CPU_INDEX, "--index-strategy", "unsafe-best-match"]
    env = {**os.environ, "UV_PYTHON_DOWNLOADS": "never", "NO_COLOR": "1"}
    if platform.macos:
        env["MACOSX_DEPLOYMENT_TARGET"] = platform.macos
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, env=env, cwd=ROOT)
    flat.unlink()
    pins = {}
    for line in done.stdout.splitlines():
        if "==" in line and not line.startswith("#"):
            name, version = line.split(";")[0].strip().split("==")
            pins[norm(name)] = version
    return done.returncode, pins, done.stderr


def skip_if_unreachable(returncode, words):
    if returncode != 0 and any(s in words for s in UNREACHABLE):
        pytest.skip(f"the package index cannot be reached; uv said: {words.strip().splitlines()[-1]}")


def test_the_test_lock_holds_the_students_lock_line_for_line():
    """So resolving requirements-dev.txt resolves requirements.txt too: same versions, same markers."""
    dev = {line for line in (ROOT / LOCKS[1]).read_text().splitlines() if "==" in line}
    runtime = {line for line in (ROOT / LOCKS[0]).read_text().splitlines() if "==" in line}
    assert runtime and not runtime - dev, f"in requirements.txt only: {sorted(runtime - dev)}"
    assert not {line for line in dev - runtime if line.startswith("torch")}, \
        "torch comes from requirements.txt"


@pytest.mark.parametrize("python", PYTHONS)
@pytest.mark.parametrize("platform", SUPPORTED, ids=lambda p: p.uv)
def test_lock_installs_without_cuda(platform, python, lock=LOCKS[1]):
    wanted = lock_pins(python, platform, lock)
    linux = platform.markers["sys_platform"] == "linux"
    fallback = linux and not cpu_index_reachable()
    returncode, got, words = plan(lock, python, platform, fallback)
    skip_if_unreachable(returncode, words)
    assert returncode == 0, f"{lock} does not install on {platform.name}, Python {python}:\n{words[-3000:]}"
    cuda = sorted(n for n in got if CUDA.match(n))
    if fallback:
        wanted["torch"] = wanted["torch"].removesuffix("+cpu")
        got = {n: v for n, v in got.items() if not CUDA.match(n)}
    else:
        assert not cuda, f"{platform.name}, Python {python}: CUDA packages planned: {cuda}"
    differ = {n: (wanted.get(n), got.get(n)) for n in set(got) | set(wanted) if got.get(n) != wanted.get(n)}
    assert not differ, f"{platform.name}, Python {python}: lock and plan differ: {differ}"
    if linux:
        assert wanted["torch"].endswith("+cpu") != fallback, "Linux takes torch's CPU build, on every machine"
    if fallback:
        pytest.skip(f"PyTorch's CPU index ({CPU_INDEX}) cannot be reached from here: the lock's {len(got)} "
                    f"packages resolve for {platform.name}, Python {python}, but torch {wanted['torch']}+cpu "
                    f"was not checked; `make`'s fallback here would add {len(cuda)} CUDA packages")


@pytest.mark.parametrize("platform", (MAC_INTEL, MAC_ARM_13), ids=lambda p: f"{p.uv}-macos{p.macos}")
def test_lock_does_not_install_where_the_readme_says_so(platform):
    """README: Intel Macs are not supported (no torch 2.13.0 wheel for them; Binder instead), and Apple
    silicon needs macOS 14 (torch's wheel is tagged macosx_14_0_arm64)."""
    returncode, _, words = plan("requirements.txt", "3.12.3", platform)
    skip_if_unreachable(returncode, words)
    assert returncode != 0, f"the lock installs on {platform.name}: update the README"
    readme = (ROOT / "README.md").read_text()
    assert "Intel" in readme and "macOS 14" in readme


def test_the_resolver_sees_a_patch_release_too_old_for_a_pin():
    """Debian 12's Python 3.11.2 and soupsieve 4.1.3 (requires 3.11.5): the plan must fail, so the test
    above would see such a pin (pip's --python-version 3.11 read 3.11 as 3.11.7 and missed it)."""
    need = "soupsieve==4.1.3"
    flat = Path(os.environ.get("TMPDIR", "/tmp")) / f"mmviz-old-{os.getpid()}.txt"
    flat.write_text(need + "\n")
    try:
        done = subprocess.run([*uv(), "pip", "compile", str(flat), "--no-config", "--python", sys.executable,
                               "--python-version", "3.11.2", "--python-platform", LINUX_X86.uv],
                              capture_output=True, text=True, timeout=300,
                              env={**os.environ, "UV_PYTHON_DOWNLOADS": "never", "NO_COLOR": "1"})
    finally:
        flat.unlink()
    skip_if_unreachable(done.returncode, done.stderr)
    assert done.returncode != 0 and "3.11.5" in done.stderr, done.stdout + done.stderr
