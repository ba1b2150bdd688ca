"""``workflow.lifecycle`` imports only the standard library and ``transitions`` (STYLE.md §3 rule 2).

Two independent checks, each shown able to fail:

1. static: every import statement in the package's modules (``TYPE_CHECKING`` blocks included)
   names the standard library, ``transitions`` or ``workflow.lifecycle`` itself, and no module
   imports dynamically;
2. dynamic: a fresh, isolated interpreter imports every module of the package, with a bare
   top-level ``workflow`` package whose path is the real one (so ``workflow/__init__.py``, which
   builds the Flask app, is not run, and nothing else is stubbed), then reports ``sys.modules``.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "workflow" / "lifecycle"
ALLOWED_THIRD_PARTY = {"transitions", "six"}  # six: transitions' own dependency
ALLOWED_PROJECT = ("workflow.lifecycle", "workflow.reference")
FORBIDDEN = ("flask", "sqlalchemy", "marshmallow", "audit", "werkzeug", "alembic", "flask_sqlalchemy", "rfc8785")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_names(source: str, module: str, is_package: bool = False) -> list[str]:
    """Return every module an import statement in ``source`` names, relative ones resolved."""
    package = module if is_package else module.rpartition(".")[0]
    names: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")
            if node.level:
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            # "from pkg import x" may import the submodule pkg.x: record that spelling too. A bare
            # "workflow" base is left to its aliases, since "from workflow.lifecycle import x" and
            # "from workflow import lifecycle" are the same import.
            if target != "workflow":
                names.append(target)
            names += [f"{target}.{alias.name}" for alias in node.names if alias.name != "*"]
        elif isinstance(node, ast.Call):
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if called in {"import_module", "__import__"}:
                names.append("<dynamic import>")
    return names


def violations(names: list[str]) -> list[str]:
    """Return the names that are neither stdlib, allowed third-party, nor this package."""
    return [
        name
        for name in names
        if name.split(".")[0] not in sys.stdlib_module_names
        and name.split(".")[0] not in ALLOWED_THIRD_PARTY
        and not name.startswith(ALLOWED_PROJECT)
    ]


def package_imports() -> dict[str, list[str]]:
    out = {}
    for path in sorted(PACKAGE.glob("*.py")):
        names = imported_names(path.read_text(encoding="utf-8"), module_name(path), path.name == "__init__.py")
        out[path.name] = names
    return out


def test_package_has_the_expected_modules() -> None:
    assert {p.name for p in PACKAGE.glob("*.py")} >= {
        "__init__.py",
        "stages.py",
        "rules.py",
        "flow.py",
        "committee.py",
        "votes.py",
        "roles.py",
    }


@pytest.mark.parametrize("filename", sorted(p.name for p in PACKAGE.glob("*.py")))
def test_static_imports_are_stdlib_transitions_or_own(filename: str) -> None:
    names = package_imports()[filename]
    assert names, "the AST walk found no import at all: the check would be vacuous"
    assert violations(names) == []


@pytest.mark.parametrize(
    "source",
    [
        "import flask",
        "from sqlalchemy import orm",
        "from workflow import models",
        "import workflow",
        "from workflow.models.users import Role",
        "from .. import extensions",
        "from ..errors import WorkflowError",
        "import audit.merkle",
        "import importlib\nimportlib.import_module('flask')",
        "def f():\n    import marshmallow",
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from workflow.models import Process",
    ],
)
def test_static_check_catches_forbidden_imports(source: str) -> None:
    assert violations(imported_names(source, "workflow.lifecycle.flow")) != []


PROBE = """
import importlib, json, sys, types
root, names = sys.argv[1], sys.argv[2:]
sys.path.insert(0, root)
before = set(sys.modules)
bare = types.ModuleType("workflow")  # the real directory, without running its __init__ (Flask app)
bare.__path__ = [root + "/workflow"]
sys.modules["workflow"] = bare
for name in names:
    importlib.import_module(name)
print(json.dumps({"new": sorted(set(sys.modules) - before),
                  "files": {n: sys.modules[n].__file__ for n in names}}))
"""


def probe(*modules: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-I", "-c", PROBE, str(ROOT), *modules],
        capture_output=True,
        text=True,
        check=True,
        cwd=PACKAGE,  # -I drops the cwd from sys.path anyway; ROOT is inserted explicitly
        timeout=60,
    )
    result: dict[str, object] = json.loads(done.stdout)
    return result


def foreign(loaded: list[str]) -> list[str]:
    """Return loaded modules outside the allowed set (the bare ``workflow`` stand-in excepted)."""
    return [name for name in violations(loaded) if name != "workflow"]


LIFECYCLE_MODULES = sorted(module_name(p) for p in PACKAGE.glob("*.py"))


def test_fresh_interpreter_loads_nothing_but_stdlib_and_transitions() -> None:
    result = probe(*LIFECYCLE_MODULES)
    loaded = result["new"]
    assert isinstance(loaded, list)
    files = result["files"]
    assert isinstance(files, dict)
    # The probe really imported the package from this tree, transitions included.
    assert all(str(PACKAGE) in files[name] for name in LIFECYCLE_MODULES)
    assert "transitions.core" in loaded and "workflow.lifecycle.flow" in loaded
    assert foreign(loaded) == []
    assert not [m for m in loaded if m.split(".")[0] in FORBIDDEN]


def test_probe_notices_a_module_that_pulls_in_flask() -> None:
    result = probe("workflow.lifecycle.rules", "workflow.extensions")
    loaded = result["new"]
    assert isinstance(loaded, list)
    assert "flask" in loaded and foreign(loaded)
