"""Static checks over templates/ and static/: the CSP forbids inline code, and assets stay local."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from workflow import STATIC_DIR, TEMPLATES_DIR

TEMPLATES = sorted(TEMPLATES_DIR.rglob("*.html"))
INLINE = re.compile(r"<script(?![^>]*\ssrc=)[^>]*>|<style|\sstyle=|\son[a-z]+\s*=", re.IGNORECASE)
EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["'](?:https?:)?//|url\(\s*["']?(?:https?:)?//|@import""", re.IGNORECASE)


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(TEMPLATES_DIR)))
def test_template_has_no_inline_script_or_style_and_no_external_asset(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert not INLINE.search(text)
    assert not EXTERNAL.search(text)


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(TEMPLATES_DIR)))
def test_every_post_form_carries_a_csrf_field(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    for form in re.findall(r"<form[^>]*method=\"post\"[^>]*>.*?</form>", text, re.IGNORECASE | re.DOTALL):
        assert "csrf_field()" in form or "csrf_token()" in form, form[:120]


def test_stylesheet_is_local_and_has_focus_styles() -> None:
    css = (STATIC_DIR / "css" / "jejak.css").read_text(encoding="utf-8")
    assert not EXTERNAL.search(css)
    assert ":focus-visible" in css
    assert "outline: none" not in css.replace("main:focus { outline: none; }", "")
