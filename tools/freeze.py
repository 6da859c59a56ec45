"""Re-pin requirements.txt and requirements-dev.txt from what is installed in this Python (`make freeze`).

Unlike ``pip freeze``, it keeps what one environment cannot know: the header comments, the lines for
other Pythons or platforms (their markers do not hold here: left as they are), and torch's ``+cpu``
label on the Linux x86-64 line (PyTorch's CPU build; the default index's torch is the CUDA build).
A package installed here but pinned nowhere goes to requirements-dev.txt when only the test tools
need it, else to requirements.txt. Usage: ``.venv/bin/python tools/freeze.py``.
"""
from __future__ import annotations

import re
import sys
from importlib import metadata
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
RUNTIME, DEV = ROOT / "requirements.txt", ROOT / "requirements-dev.txt"
NOT_PINNED = {"pip", "setuptools", "wheel", "mmviz"}


def norm(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def installed():
    return {norm(d.metadata["Name"]): d.version for d in metadata.distributions()}


def needed_by(roots, versions):
    """Names installed here that ``roots`` need, directly or not (extras included: jsonschema[...])."""
    env, seen, todo = default_environment(), set(), [(norm(r), frozenset()) for r in roots]
    while todo:
        name, extras = todo.pop()
        if (name, extras) in seen or name not in versions:
            continue
        seen.add((name, extras))
        for text in metadata.distribution(name).requires or []:
            req = Requirement(text)
            if req.marker is None or any(req.marker.evaluate({**env, "extra": e}) for e in extras | {""}):
                todo.append((norm(req.name), frozenset(req.extras)))
    return {name for name, _ in seen}


def repin(path, versions, env):
    """The file's lines with this Python's versions; the names pinned for this Python."""
    lines, pinned = [], set()
    for line in path.read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            lines.append(line)
            continue
        req = Requirement(line)
        name = norm(req.name)
        if req.marker is not None and not req.marker.evaluate(env):
            lines.append(line)                      # for another Python or platform: kept as it is
            continue
        if name not in versions:
            print(f"dropped {req.name}: no longer installed", file=sys.stderr)
            continue
        version = versions[name]
        old = str(req.specifier).removeprefix("==")
        if "+cpu" in old and "+" not in version:
            version += "+cpu"                       # installed from the default index: keep the label
        marker = f" ; {req.marker}" if req.marker is not None else ""
        lines.append(f"{req.name}=={version}{marker}")
        pinned.add(name)
    return lines, pinned


def main():
    versions = {k: v for k, v in installed().items() if k not in NOT_PINNED}
    env = default_environment()
    runtime, runtime_pinned = repin(RUNTIME, versions, env)
    dev, dev_pinned = repin(DEV, versions, env)
    dev_only = needed_by(dev_pinned, versions) - needed_by(runtime_pinned, versions)
    for name in sorted(set(versions) - runtime_pinned - dev_pinned):
        print(f"added {name}=={versions[name]}", file=sys.stderr)
        (dev if name in dev_only else runtime).append(f"{name}=={versions[name]}")
    RUNTIME.write_text("\n".join(runtime) + "\n")
    DEV.write_text("\n".join(dev) + "\n")
    print(f"re-pinned {RUNTIME.name} and {DEV.name} for Python {env['python_full_version']}")


if __name__ == "__main__":
    main()
