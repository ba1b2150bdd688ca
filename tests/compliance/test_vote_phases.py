"""R8/C7 vote phases on synthetic histories (pure, no database): a reveal before the reveal phase
opened, a commit after it opened, and the chair opening it with fewer commitments than the quorum."""

from __future__ import annotations

import datetime as dt
from typing import Any

from workflow.compliance.findings import HARD, Finding
from workflow.compliance.flags import ProcessCase, check_votes
from workflow.compliance.history import Entry, ProcessHistory
from workflow.lifecycle.votes import commitment

T = dt.datetime(2026, 1, 5, 3, 0, tzinfo=dt.UTC)
PID = 7
PERSONS = ("p-1", "p-2", "p-3", "p-4", "p-5")  # p-1 chairs; account id = the digit
RANKING = ["p-a", "p-b"]
SCORES = {"p-a": 5, "p-b": 4}


def nonce(person: str) -> str:
    return person[-1] * 32


class Log:
    """A process history built entry by entry, one minute apart."""

    def __init__(self) -> None:
        self.entries: list[Entry] = []
        self.add("process.create", {}, "1", "admin")
        for p in PERSONS:
            self.add("committee.seat", {"person": p, "member": p[-1]}, "9", "admin")
        for p in PERSONS:
            self.add("committee.pledge", {"ties": []}, p[-1], "committee_member")
        members = [{"person": p, "internal": False, "recused": False} for p in PERSONS]
        self.add("process.form_committee", {"members": members}, "9", "admin")
        self.add("process.shortlist", {"round": 1, "ranking": RANKING}, "system", "system")

    def add(self, action: str, data: dict[str, Any], actor: str, role: str) -> Entry:
        entry = Entry(len(self.entries), action, PID, "shortlisted", "shortlisted",
                      T + dt.timedelta(minutes=len(self.entries)), actor, role, data)
        self.entries.append(entry)
        return entry

    def commit(self, person: str) -> Entry:
        digest = commitment(person, SCORES, "merit", nonce(person))
        return self.add("vote.commit", {"round": 1, "member": person, "commitment": digest}, person[-1],
                        "committee_member")

    def reveal(self, person: str) -> Entry:
        data = {"round": 1, "member": person, "scores": SCORES, "reason": "merit", "nonce": nonce(person)}
        return self.add("vote.reveal", data, person[-1], "committee_member")

    def open_reveal(self, committed: int, required: int = 3) -> Entry:
        data = {"round": 1, "committed": list(PERSONS[:committed]), "quorum": {"seated": 5, "required": required}}
        return self.add("vote.open_reveal", data, "1", "committee_chair")

    def findings(self) -> list[Finding]:
        return [f for f in check_votes(ProcessCase(ProcessHistory(PID, tuple(self.entries)), {}, None))
                if f.severity == HARD]


def keys(found: list[Finding]) -> list[tuple[str, str, str]]:
    return [(f.rule, f.key, str(f.params.get("person", ""))) for f in found]


def test_every_member_committed_opens_the_reveal_phase() -> None:
    log = Log()
    for p in PERSONS:
        log.commit(p)
    for p in PERSONS:
        log.reveal(p)
    assert log.findings() == []


def test_a_reveal_before_the_phase_opened_is_a_hard_r8_finding() -> None:
    log = Log()
    log.commit("p-2")
    early = log.reveal("p-2")
    for p in ("p-1", "p-3", "p-4", "p-5"):
        log.commit(p)
    found = log.findings()
    assert ("R8", "votes.reveal_before_open", "p-2") in keys(found)
    assert next(f for f in found if f.key == "votes.reveal_before_open").entries == (early.index,)


def test_the_chairs_opening_then_a_late_commit_is_a_hard_r8_finding() -> None:
    log = Log()
    for p in PERSONS[:3]:
        log.commit(p)
    opening = log.open_reveal(3)
    for p in PERSONS[:3]:
        log.reveal(p)
    assert log.findings() == []
    late = log.commit("p-4")
    found = log.findings()
    assert keys(found) == [("R8", "votes.commit_after_open", "p-4")]
    assert found[0].entries == (opening.index, late.index)


def test_opening_with_fewer_commitments_than_the_quorum_is_a_hard_c7_finding() -> None:
    log = Log()
    for p in PERSONS[:2]:
        log.commit(p)
    log.open_reveal(2)
    found = log.findings()
    assert [(f.rule, f.key) for f in found] == [("C7", "votes.open_reveal_too_few")]
    assert dict(found[0].params) == {"committed": 2, "required": 3, "seated": 5}
    understated = Log()
    for p in PERSONS[:2]:
        understated.commit(p)
    understated.open_reveal(2, required=2)  # a required number not above half the seats
    assert [f.key for f in understated.findings()] == ["votes.open_reveal_too_few"]


def test_a_recusal_after_the_others_committed_opens_the_phase() -> None:
    log = Log()
    for p in PERSONS[:4]:
        log.commit(p)
    log.add("committee.recuse", {"person": "p-5", "reason_sha256": "0" * 64}, "5", "committee_member")
    for p in PERSONS[:4]:
        log.reveal(p)
    assert log.findings() == []
