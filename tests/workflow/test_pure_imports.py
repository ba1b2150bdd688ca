"""The pure parts of ``workflow`` import without Flask or a database driver (offline replay)."""

from __future__ import annotations

import ast
import subprocess
import sys

from workflow import ROOT_DIR

WEB_AND_DB = {
    "flask",
    "flask_sqlalchemy",
    "flask_login",
    "flask_wtf",
    "flask_babel",
    "sqlalchemy",
    "psycopg",
    "werkzeug",
}


def _loaded_top_level_modules(statement: str) -> set[str]:
    probe = f"import sys; {statement}; print(sorted({{m.split('.')[0] for m in sys.modules}}))"
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT_DIR, capture_output=True, text=True, check=True)
    return set(ast.literal_eval(out.stdout))


def test_merit_rules_and_lifecycle_load_no_web_or_database_code() -> None:
    loaded = _loaded_top_level_modules("import workflow.merit, workflow.lifecycle")
    assert WEB_AND_DB.isdisjoint(loaded), WEB_AND_DB & loaded


def test_the_probe_sees_flask_when_the_app_factory_is_imported() -> None:
    assert "flask" in _loaded_top_level_modules("import workflow.app")
