"""The structured result of one rule evaluation, shared by eligibility, 9-box, JPM and ranking.

Pure (stdlib only). Values and requirements are text so that a result serialises canonically
(RFC 8785) and reads the same on the ASN page, the committee view and the compliance replay.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

Params = Mapping[str, str | int]


@dataclass(frozen=True, slots=True)
class RuleResult:
    """One rule applied to one employee.

    ``message``/``params`` say what was found; ``hint``/``hint_params`` (failed rules only, when
    a way exists) say the nearest way to pass. Both are keys of ``messages.CATALOGUE``.
    """

    rule: str
    basis: str
    field: str
    value: str
    requirement: str
    passed: bool
    message: str
    params: Params = field(default_factory=dict)
    hint: str | None = None
    hint_params: Params = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain data for canonical JSON (no rendered text: wording may improve, results may not)."""
        return {
            "rule": self.rule,
            "basis": self.basis,
            "field": self.field,
            "value": self.value,
            "requirement": self.requirement,
            "passed": self.passed,
            "message": self.message,
            "params": dict(self.params),
            "hint": self.hint,
            "hint_params": dict(self.hint_params),
        }
