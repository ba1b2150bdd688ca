"""Replay a bundle: integrity first (``audit.verify``), then every process against its pinned rules.

Import rule: standard library, ``audit`` and ``workflow.compliance`` (with what ``flags`` uses:
``workflow.merit``, ``workflow.lifecycle``); no Flask, no database, no network, no file I/O
(``__main__`` reads and writes files).
"""

from __future__ import annotations

from dataclasses import dataclass

from audit.bundle import UnverifiedBundle, read_bundle_unverified
from audit.errors import BundleFormatError, BundleLeafError
from audit.verify import Report, verify_bundle
from workflow.compliance.findings import HARD, SOFT, Finding
from workflow.compliance.flags import DEFAULTS, Thresholds, check_bundle, check_process, make_case, sort_findings
from workflow.compliance.history import histories_from_leaves


@dataclass(frozen=True, slots=True)
class ComplianceResult:
    """The integrity report and, when the bundle is intact, the findings of every process in it."""

    integrity: Report
    processes: tuple[str | int, ...]
    findings: tuple[Finding, ...]

    @property
    def hard(self) -> int:
        return sum(1 for f in self.findings if f.severity == HARD)

    @property
    def soft(self) -> int:
        return sum(1 for f in self.findings if f.severity == SOFT)

    @property
    def ok(self) -> bool:
        """Intact and no hard finding (exit status 0)."""
        return self.integrity.ok and self.hard == 0

    def for_process(self, process: str | int) -> list[Finding]:
        return [f for f in self.findings if f.process == process]


def replay_bundle(bundle: UnverifiedBundle, thresholds: Thresholds = DEFAULTS) -> tuple[list[str | int], list[Finding]]:
    """Findings of every process in a bundle that ``audit.verify`` found intact.

    Returns:
        The processes (in order of first entry) and the findings, sorted.
    """
    histories = histories_from_leaves(bundle.leaves)
    findings: list[Finding] = []
    for history in histories.values():
        findings += check_process(make_case(history, bundle.evidence))
    findings += check_bundle(histories, bundle.evidence, thresholds)
    return list(histories), sort_findings(findings)


def run(
    data: bytes,
    *,
    vkey: str | None = None,
    trusted_checkpoint: str | None = None,
    incremental: bool = False,
    thresholds: Thresholds = DEFAULTS,
) -> ComplianceResult:
    """Verify a bundle's integrity and, if intact, replay it.

    Args:
        data: the bundle file's bytes.
        vkey: the log key to pin (``audit.verify``).
        trusted_checkpoint: the inspector's trusted checkpoint; a rollback or split view is an
            integrity problem and stops the replay.
        incremental: the trusted checkpoint is one an earlier complete run accepted (``--state``).
        thresholds: the soft flags' numbers.

    Returns:
        The result; ``findings`` is empty when the integrity check failed (nothing is replayed
        from a log that cannot be trusted).
    """
    try:
        bundle: UnverifiedBundle | bytes = read_bundle_unverified(data)
    except (BundleFormatError, BundleLeafError):
        bundle = data  # verify_bundle reports the malformation as its problem
    report = verify_bundle(bundle, vkey=vkey, trusted_checkpoint=trusted_checkpoint, incremental=incremental)
    if not report.ok or not isinstance(bundle, UnverifiedBundle):
        return ComplianceResult(report, (), ())
    processes, findings = replay_bundle(bundle, thresholds)
    return ComplianceResult(report, tuple(processes), tuple(findings))
