"""A finding: one broken check or raised red flag, in the words an inspector reads.

Import rule: standard library and ``workflow.compliance.messages`` only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

from workflow.compliance.messages import render, rule_title

Severity = Literal["hard", "soft"]
Lang = Literal["id", "en"]
HARD: Severity = "hard"
SOFT: Severity = "soft"

ParamValue = str | int


@dataclass(frozen=True, slots=True)
class Finding:
    """One finding.

    ``rule`` is a red-flag id (``R1``…``R20``, domain.md §5) or a replay check id (``C1``…);
    ``severity`` hard means the process broke a rule that must block the transition (exit 1),
    soft asks an inspector for a written disposition (domain.md §7.6). ``entries`` are the log
    indexes concerned (``-1``: a statement not yet appended, in the live guard); ``key`` and
    ``params`` render the plain-language message in Bahasa Indonesia or English.
    """

    rule: str
    severity: Severity
    process: str | int | None
    entries: tuple[int, ...]
    key: str
    params: Mapping[str, ParamValue] = field(default_factory=lambda: MappingProxyType({}))

    def message(self, lang: Lang = "id") -> str:
        """The finding in plain language."""
        return render(self.key, self.params, lang)

    def title(self, lang: Lang = "id") -> str:
        """The rule's short name."""
        return rule_title(self.rule, lang)

    def sort_key(self) -> tuple[str, int, str, tuple[int, ...], str]:
        return (str(self.process), 0 if self.severity == HARD else 1, self.rule, self.entries, self.key)

    def to_json(self) -> dict[str, Any]:
        """``{"rule", "severity", "process", "entries", "key", "params", "message": {"id", "en"}}``."""
        return {
            "rule": self.rule,
            "severity": self.severity,
            "process": self.process,
            "entries": list(self.entries),
            "key": self.key,
            "params": dict(self.params),
            "message": {"id": self.message("id"), "en": self.message("en")},
        }


def finding(
    rule: str, severity: Severity, process: str | int | None, entries: tuple[int, ...] | list[int], key: str,
    **params: ParamValue,
) -> Finding:
    """Build a :class:`Finding` (entries sorted and deduplicated; params frozen)."""
    return Finding(rule, severity, process, tuple(sorted(set(entries))), key, MappingProxyType(dict(params)))
