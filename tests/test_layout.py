"""The package's layers: imports point one way, from the pictures down to the maths, and only
``mmviz.explore`` imports ipywidgets (see the layer drawing in mmviz/__init__.py and README.md, which
a test here holds to the same layers)."""
from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "mmviz"

# Lower numbers sit lower. A module may import modules of a lower layer or of its own layer (no cycles).
# The drawings' bottom row (blocks.py · tokens.py · vit.py · outputs.py · stages.py · data/) is layers
# 0-1: data/ knows nothing of the models, so importing fusion (layer 2) from data/ is an upward import.
LAYERS = {
    "_validate": 0, "_random": 0, "_threads": 0, "outputs": 0, "stages": 0,
    "blocks": 1, "tokens": 1, "vit": 1, "data": 1,
    "fusion": 2,
    "measure": 4, "train": 4, "seeds": 4,
    "lessons": 5, "check": 5, "evidence": 5,
    "plot": 6,
    "explore": 7,
}


def module_name(path):
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def top(name):
    """The layer key of a module name such as 'mmviz.plot.base' → 'plot'."""
    return name.split(".")[1] if name.count(".") else "__init__"


def imports_of(path):
    """Absolute names of the mmviz modules (and third-party roots) that ``path`` imports."""
    tree = ast.parse(path.read_text())
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
                names = [target] if node.module else [f"{target}.{a.name}" for a in node.names]
            else:
                names = [node.module]
            found |= set(names)
    return found


MODULES = {module_name(p): p for p in PACKAGE.rglob("*.py")}


def test_every_module_has_a_layer():
    assert {top(m) for m in MODULES} - {"__init__"} <= set(LAYERS)


def upward_imports(imports):
    """["a imports b", ...] for every import of a higher layer in {module name: imported names}."""
    return [f"{name} imports {target}" for name, targets in imports.items() if name != "mmviz"  # front door
            for target in sorted(targets)
            if target.startswith("mmviz.") and LAYERS[top(target)] > LAYERS[top(name)]]


def test_imports_point_down_only():
    assert not upward_imports({name: imports_of(path) for name, path in MODULES.items()})


def test_data_importing_a_model_would_be_caught():
    assert upward_imports({"mmviz.data.tasks": {"mmviz.fusion", "mmviz._validate"}}) == [
        "mmviz.data.tasks imports mmviz.fusion"]
    assert upward_imports({"mmviz.plot.compare": {"mmviz.lessons.playground"}}) == []  # allowed, but:
    compare = imports_of(PACKAGE / "plot" / "compare.py")
    assert not {t for t in compare if t.startswith("mmviz.lessons")}, "a notebook's type belongs lower"


def drawn_rows(text):
    """The layer drawing's rows in ``text``, top row first: [[module, ...], ...] ("data/" → "data")."""
    rows = []
    for line in text.splitlines():
        found = re.match(r"\s*(\w+(?:\.py|/)(?: · \w+(?:\.py|/))*)(?:\s|$)", line)
        if found:
            rows.append([re.sub(r"(\.py|/)$", "", n) for n in found.group(1).split(" · ")])
    return rows


def test_readme_and_the_package_docstring_draw_these_layers():
    import mmviz

    readme = (PACKAGE.parent / "README.md").read_text()
    drawing = readme[readme.index("`mmviz` is layered"):]
    for text in (drawing[:drawing.index("```", drawing.index("```") + 3)], mmviz.__doc__):
        rows = drawn_rows(text)
        bottom = ["blocks", "tokens", "vit", "outputs", "stages", "data"]
        assert rows[0] == ["explore"] and rows[-1] == bottom, rows
        for upper, lower in zip(rows, rows[1:]):
            for high in upper:
                for low in lower:
                    assert LAYERS[low] < LAYERS[high], f"drawn below {high}, {low} must sit lower in LAYERS"


def test_no_import_cycles():
    graph = {}
    for name, path in MODULES.items():
        deps = set()
        for target in imports_of(path):
            if target.startswith("mmviz"):
                while target not in MODULES and "." in target:       # 'mmviz.data.make_task' → 'mmviz.data'
                    target = target.rsplit(".", 1)[0]
                if target in MODULES and target != name:
                    deps.add(target)
        graph[name] = deps
    graph.pop("mmviz")
    for deps in graph.values():
        deps.discard("mmviz")
    state = {}

    def visit(node, trail):
        if state.get(node) == "open":
            raise AssertionError("import cycle: " + " → ".join(trail + [node]))
        if state.get(node) == "done":
            return
        state[node] = "open"
        for dep in graph.get(node, ()):
            if dep.startswith(node + "."):
                continue                 # a package's __init__ importing its own modules is no cycle
            visit(dep, trail + [node])
        state[node] = "done"

    for node in graph:
        visit(node, [])


def test_only_explore_imports_ipywidgets():
    users = sorted(name for name, path in MODULES.items()
                   if any(t.split(".")[0] == "ipywidgets" for t in imports_of(path)))
    assert users and all(name.startswith("mmviz.explore") for name in users), users


def test_import_mmviz_stays_light():
    code = ("import sys, mmviz\n"
            "print(','.join(m for m in ('ipywidgets', 'seaborn', 'IPython') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "", f"import mmviz pulled in {out.strip()}"


def test_the_package_front_door_keeps_its_names():
    import mmviz

    missing = [name for name in mmviz.__all__ if not hasattr(mmviz, name)]
    assert not missing, missing
