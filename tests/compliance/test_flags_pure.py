"""Cross-process red flags (R1, R5 batch, R20) and record-level ones (R12, R16, R6) on synthetic
histories: the pure functions, no database. Each has a case that triggers it and a close one that does not."""

from __future__ import annotations

import datetime as dt
from typing import Any

from audit.bundle import EvidenceRecord
from workflow.compliance.flags import (
    ProcessCase,
    Thresholds,
    check_acting,
    check_batches,
    check_bulk,
    check_committee,
    check_dates,
    check_tenure,
)
from workflow.compliance.history import Entry, ProcessHistory

T = dt.datetime(2026, 1, 5, 3, 0, tzinfo=dt.UTC)


def e(index: int, action: str, pid: int, data: dict[str, Any], *, days: int = 0, actor: str = "1",
      role: str = "admin") -> Entry:
    return Entry(index, action, pid, "x", "x", T + dt.timedelta(days=days), actor, role, data)


def appointed(pid: int, decree: str, number: str = "SK/1", *, code: str = "POS-1", kind: str = "administrator",
              base: int = 0) -> ProcessHistory:
    return ProcessHistory(pid, (
        e(base, "process.create", pid, {"position": code}),
        e(base + 1, "process.nominate_pool", pid, {"position": {"code": code, "type": kind}, "pool": ["p-a", "p-b"]}),
        e(base + 2, "process.appoint", pid, {"appointee": "p-a", "decree": {"number": number, "date": decree}},
          days=1, role="ppk"),
    ))


def test_r1_bulk_spike_and_per_decree() -> None:
    quiet = {i: appointed(i, f"2026-0{1 + i % 3}-10", f"SK/{i}", base=i * 10) for i in range(6)}
    assert check_bulk(quiet) == []
    spike = dict(quiet) | {100 + i: appointed(100 + i, "2026-04-01", "SK/99", base=1000 + i * 10) for i in range(7)}
    found = check_bulk(spike, Thresholds(per_decree_max=5))
    assert {f.key for f in found} == {"bulk.spike", "bulk.per_decree"}
    assert {f.process for f in found} == {100 + i for i in range(7)} and all(f.severity == "soft" for f in found)
    assert check_bulk(spike, Thresholds(per_decree_max=7, bulk_min=8)) == []


def _single(pid: int, days: int) -> ProcessHistory:
    return ProcessHistory(pid, (e(pid * 10, "process.create", pid, {"position": f"P{pid}"}, days=days),
                                e(pid * 10 + 1, "process.nominate_pool", pid, {"pool": ["p-x"]}, days=days)))


def test_r5_batch_of_single_candidate_processes() -> None:
    batch = {pid: _single(pid, pid) for pid in (1, 2, 3)}
    assert {f.process for f in check_batches(batch)} == {1, 2, 3}
    spread = {pid: _single(pid, pid * 20) for pid in (1, 2, 3)}
    assert check_batches(spread) == []


def test_r20_jpt_post_reopened_within_two_years() -> None:
    first = appointed(1, "2026-01-06", code="JPT-1", kind="jpt_pratama")
    again = ProcessHistory(2, (e(50, "process.create", 2, {"position": "JPT-1"}, days=300),))
    later = ProcessHistory(3, (e(60, "process.create", 3, {"position": "JPT-1"}, days=800),))
    found = check_tenure({1: first, 2: again, 3: later})
    assert [(f.rule, f.process, f.entries) for f in found] == [("R20", 2, (2, 50))]
    admin = appointed(1, "2026-01-06", code="JPT-1", kind="administrator")
    assert check_tenure({1: admin, 2: again}) == []


def _case(history: ProcessHistory, evidence: dict[str, EvidenceRecord] | None = None) -> ProcessCase:
    return ProcessCase(history, evidence or {}, None)


def test_r12_acting_holder_made_definitive_when_the_record_says_so() -> None:
    salt = bytes(16)

    def history(acting: str | None) -> tuple[ProcessHistory, dict[str, EvidenceRecord]]:
        employee = {"nip": "1"} | ({"acting_position": acting} if acting else {})
        record = EvidenceRecord(salt, {"pseudonym": "p-a", "employee": employee})
        h = ProcessHistory(1, (
            e(0, "process.nominate_pool", 1, {"position": {"code": "POS-1"}, "evidence": {"p-a": "d" * 64},
                                              "pool": ["p-a"]}),
            e(1, "process.appoint", 1, {"appointee": "p-a", "decree": {"date": "2026-01-10"}}),
        ))
        return h, {"d" * 64: record}

    assert [f.rule for f in check_acting(_case(*history("POS-1")))] == ["R12"]
    assert check_acting(_case(*history("POS-2"))) == []
    assert check_acting(_case(*history(None))) == []


def test_r16_committee_composition() -> None:
    def formed(members: int, internal: int) -> ProcessHistory:
        listed = [{"member": str(i), "person": f"u{i}", "seat": "member", "internal": i < internal}
                  for i in range(members)]
        return ProcessHistory(1, (e(0, "process.form_committee", 1, {
            "members": listed, "rules": {"min": 5, "max": 9, "internal_max_percent": "45"}}),))

    assert check_committee(_case(formed(5, 2))) == []
    assert {f.key for f in check_committee(_case(formed(4, 1)))} == {"committee.size"}
    assert {f.key for f in check_committee(_case(formed(5, 3)))} == {"committee.internal"}


def test_r6_pilkada_window_needs_the_approval_letter() -> None:
    def appoint(digest: str | None) -> ProcessHistory:
        return ProcessHistory(1, (e(0, "process.appoint", 1, {
            "appointee": "p-a", "decree": {"number": "1", "date": "2026-01-06"}, "approval_letter_digest": digest,
            "pilkada_windows": [{"start": "2026-01-01", "end": "2026-06-30"}]}),))

    assert [f.rule for f in check_dates(_case(appoint(None)))] == ["R6"]
    assert check_dates(_case(appoint("a" * 64))) == []
