"""The committed English catalogue: complete, and the compiled .mo matches the .po."""

from __future__ import annotations

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from workflow import ROOT_DIR

EN = ROOT_DIR / "translations" / "en" / "LC_MESSAGES"


def _po() -> dict[str, str]:
    with (EN / "messages.po").open("rb") as f:
        catalog = read_po(f)
    return {m.id: m.string for m in catalog if m.id and not m.fuzzy}


def test_every_english_entry_is_translated() -> None:
    untranslated = [msgid for msgid, text in _po().items() if not text]
    assert not untranslated


def test_compiled_mo_matches_the_po() -> None:
    # A fresh clone serves the committed .mo; forgetting `pybabel compile` would ship stale English.
    with (EN / "messages.mo").open("rb") as f:
        compiled = {m.id: m.string for m in read_mo(f) if m.id}
    assert compiled == _po(), "run the compile command in docs/i18n.md"
