"""The typed public API: every function and class of ``mmviz.__all__``, and every public function of
the modules they live in, states the types of its arguments and its result (``make test`` runs mypy
over ``mmviz/`` against them, configured in pyproject.toml)."""
from __future__ import annotations

import importlib
import inspect

import mmviz


def unannotated(function):
    """The parameters (and "return") of ``function`` that carry no annotation."""
    function = inspect.unwrap(function)
    signature = inspect.signature(function)
    missing = [name for name, p in signature.parameters.items() if name not in ("self", "cls")
               and p.annotation is inspect.Parameter.empty]
    if signature.return_annotation is inspect.Signature.empty:
        missing.append("return")
    return missing


def public_api():
    """{qualified name: function} for the package's public names, their methods and their modules'
    public functions."""
    found, modules = {}, set()
    for name in mmviz.__all__:
        obj = getattr(mmviz, name)
        if inspect.ismodule(obj) or not callable(obj):
            continue
        modules.add(obj.__module__)
        if inspect.isclass(obj):
            for attr, member in vars(obj).items():
                member = member.fget if isinstance(member, property) else member
                if inspect.isfunction(member) and (attr == "__init__" or not attr.startswith("_")):
                    found[f"{name}.{attr}"] = member
        else:
            found[name] = obj
    for module_name in modules:
        module = importlib.import_module(module_name)
        for name, obj in vars(module).items():
            if inspect.isfunction(obj) and obj.__module__ == module_name and not name.startswith("_"):
                found[f"{module_name}.{name}"] = obj
    return found


def test_the_public_api_is_annotated():
    api = public_api()
    assert len(api) > 150 and "build_fusion" in api and "mmviz.fusion.stage_masks" in api
    missing = {name: gaps for name, function in api.items() if (gaps := unannotated(function))}
    assert not missing, missing


def test_the_check_would_see_a_missing_annotation():
    def half(x: int, y=2) -> int:
        return x // y

    assert unannotated(half) == ["y"] and unannotated(lambda: 0) == ["return"]
