"""The message catalogue is complete in both languages; the pure core imports no web or DB code."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest

from workflow.merit.messages import CATALOGUE, UnknownMessageError, render

MERIT_DIR = Path(__file__).resolve().parents[2] / "workflow" / "merit"
FORBIDDEN = {"flask", "flask_sqlalchemy", "sqlalchemy", "flask_login", "flask_babel", "workflow.models",
             "workflow.extensions", "workflow.nomination", "psycopg"}


def test_every_message_exists_in_both_languages_with_the_same_placeholders() -> None:
    for key, texts in CATALOGUE.items():
        assert set(texts) == {"id", "en"}, key
        fields = [{f for _, f, _, _ in string.Formatter().parse(t) if f} for t in texts.values()]
        assert fields[0] == fields[1], key


def test_every_key_used_in_the_code_is_in_the_catalogue() -> None:
    used: set[str] = set()
    for path in MERIT_DIR.glob("*.py"):
        used |= set(re.findall(r'"((?:education|golongan|feeder|experience|age|skp|discipline|lhkpn|assessment|jpm'
                               r'|reason|outcome|cutoff|box)\.[a-z_]+)"', path.read_text()))
    assert used and used <= set(CATALOGUE), used - set(CATALOGUE)


def test_unknown_key_or_language_is_an_error() -> None:
    with pytest.raises(UnknownMessageError):
        render("nope", None, "id")
    with pytest.raises(UnknownMessageError):
        render("box.9.label", None, "fr")


def test_nested_keys_render_in_the_same_language() -> None:
    en = render("jpm.unavailable", {"reason": "reason.no_assessment"}, "en")
    assert en == "JPM cannot be computed: no assessment."
    assert render("jpm.unavailable", {"reason": "reason.no_assessment"}, "id") == (
        "JPM tidak dapat dihitung: tidak ada hasil asesmen."
    )


def test_pure_core_imports_no_web_or_database_code() -> None:
    for path in MERIT_DIR.glob("*.py"):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert not any(name == f or name.startswith(f + ".") for f in FORBIDDEN), f"{path.name}: {name}"
