"""Inspector toolkit: replay every process in a bundle against its pinned rules and raise the red flags.

``python -m workflow.compliance BUNDLE`` verifies integrity with ``audit.verify``, then replays
each process (``replay.py``) through the checks and red-flag rules of ``flags.py`` — the same
functions the live services call before a transition (``workflow/services/guards.py``).

Import rule: standard library, ``audit``, ``workflow.merit``, ``workflow.lifecycle`` and this
package only — never Flask, SQLAlchemy or a database (``tests/compliance`` checks it), so an
inspector replays a bundle offline.
"""

from workflow.compliance.findings import HARD, SOFT, Finding
from workflow.compliance.flags import DEFAULTS, ProcessCase, Thresholds, blocking, make_case
from workflow.compliance.replay import ComplianceResult, replay_bundle, run

__all__ = [
    "DEFAULTS",
    "HARD",
    "SOFT",
    "ComplianceResult",
    "Finding",
    "ProcessCase",
    "Thresholds",
    "blocking",
    "make_case",
    "replay_bundle",
    "run",
]
