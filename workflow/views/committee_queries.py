"""Read-only queries behind the committee pages (``views/committee.py``).

Nothing here writes: every change goes through one service call. The guards' view of a process
is the services' read-only one (``services.process_view``): built as an action builds it, but
without the row lock that ``begin`` takes, so a page shows the same blockers the action would
meet, and a GET never holds a lock. Candidate data comes from the rows the nomination sealed (``Candidate.result`` and
``Candidate.evidence``): the committee sees exactly what the log's digests commit to.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from workflow.clock import utc
from workflow.lifecycle import Actor, Context, Event, ProcessFlow, Reason, Role, Seat, Stage
from workflow.lifecycle import votes as ballots
from workflow.lifecycle.committee import quorum_required, voters
from workflow.lifecycle.rules import next_stage
from workflow.models import Employee, Position, User
from workflow.models import process as m
from workflow.services import ProcessState, process_view
from workflow.services.review import member_person

_NIP = re.compile(r"\d{18}")
# The chair's transitions this page offers, in the order they come up in a process.
CHAIR_EVENTS = (Event.REVIEW, Event.RESOLVE_OBJECTIONS, Event.REOPEN_SHORTLIST)
# What a member may be asked to do, in page order (labels live in the templates).
TODO_CODES = ("pledge", "commit", "reveal", "open_reveal", "close_review", "answer_objections",
              "resolve_objections", "reopen_shortlist")
SKP_YEARS_SHOWN = 3
# Stages from which the pool (and so the evidence) exists.
POOL_STAGES = frozenset(Stage) - {Stage.DRAFT, Stage.COMMITTEE_FORMED, Stage.CANCELLED}


@dataclass(frozen=True, slots=True)
class Quorum:
    """Progress of the current round's votes; counts only, never a score."""

    seated: int
    voters: int
    required: int
    committed: int
    revealed: int
    reveal_open: bool  # the round is in its reveal phase (commits closed)

    @property
    def all_committed(self) -> bool:
        return self.committed >= self.voters


@dataclass(frozen=True, slots=True)
class MemberContext:
    """One member's seat in one process, and the process as the guards see it."""

    process: m.Process
    position: Position
    seat: m.CommitteeSeat
    user: User
    person: str
    state: ProcessState

    @property
    def stage(self) -> Stage:
        return Stage(self.process.status)

    @property
    def is_chair(self) -> bool:
        return self.seat.seat == Seat.CHAIR

    @property
    def pledged(self) -> bool:
        return self.seat.pact_signed_at is not None and self.seat.declared_at is not None

    @property
    def recused(self) -> bool:
        return bool(self.seat.recused)

    @property
    def may_see_evidence(self) -> bool:
        """Signed pact and declaration, and not recused (the page explains otherwise)."""
        return self.pledged and not self.recused

    @property
    def pool_exists(self) -> bool:
        return self.stage in POOL_STAGES and self.process.snapshot_digest is not None

    @property
    def basis_hex(self) -> str:
        """The process's latest leaf hash, for the forms' hidden ``expected_basis``."""
        return self.state.basis.hex()

    @property
    def quorum(self) -> Quorum:
        view = self.state.view
        seated = len(view.members)
        return Quorum(
            seated=seated,
            voters=len(voters(view.members)),
            required=quorum_required(seated, self.state.rules),
            committed=len({c.member for c in view.commits}),
            revealed=len({r.member for r in view.reveals}),
            reveal_open=self.reveal_open,
        )

    @property
    def my_commit(self) -> bool:
        return any(c.member == self.person for c in self.state.view.commits)

    @property
    def my_reveal(self) -> Any:
        """My revealed ballot this round (lifecycle ``VoteReveal``), or None."""
        return next((r for r in self.state.view.reveals if r.member == self.person), None)

    @property
    def reveal_open(self) -> bool:
        """The round's reveal phase is open: every voter committed, or the chair opened it
        (``workflow.lifecycle.votes.reveal_open``). Reveals wait for it; commits end with it."""
        return ballots.reveal_open(self.state.view)

    @property
    def commits_closed(self) -> bool:
        """No more commitments this round (the reveal phase is open)."""
        return self.reveal_open or bool(self.state.view.reveals)

    def open_reveal_blockers(self, now: dt.datetime) -> list[Reason] | None:
        """Why the chair may not open the reveal phase now (empty: allowed); None when it is not
        on offer (not the chair, not voting, or already open)."""
        if not self.is_chair or not self.voting_open or self.reveal_open:
            return None
        ctx = Context(actor=Actor(self.person, Role.COMMITTEE_CHAIR), now=now, rules=self.state.rules)
        return ballots.open_reveal_blockers(self.state.view, ctx)

    @property
    def voting_open(self) -> bool:
        return self.stage == Stage.SHORTLISTED

    def chair_blockers(self, event: Event, now: dt.datetime) -> list[Reason] | None:
        """Why the chair may not fire ``event`` now (empty: allowed); None when illegal from here."""
        if next_stage(self.stage, event) is None:
            return None
        view = self.state.view
        if event == Event.REVIEW:
            # close_review computes the recommendation in the same action; judge the rest.
            view = dataclasses.replace(view, recommendation=list(view.ranking))
        flow = ProcessFlow(view, actor=Actor(self.person, Role.COMMITTEE_CHAIR), now=now, rules=self.state.rules)
        return flow.pending_blockers(event)

    def todo(self, now: dt.datetime) -> list[str]:
        """What waits for this member now, as codes of :data:`TODO_CODES`."""
        out: list[str] = []
        if self.stage == Stage.DRAFT and not self.pledged:
            out.append("pledge")
        if self.recused:
            return out
        if self.voting_open:
            if not self.my_commit and not self.commits_closed:
                out.append("commit")
            elif self.my_commit and self.my_reveal is None and self.reveal_open:
                out.append("reveal")
        if not self.is_chair:
            return out
        if self.open_reveal_blockers(now) == []:
            out.append("open_reveal")
        if self.chair_blockers(Event.REVIEW, now) == []:
            out.append("close_review")
        if self.stage == Stage.ANNOUNCED and any(o.outcome is None for o in self.state.view.objections):
            out.append("answer_objections")
        if self.chair_blockers(Event.RESOLVE_OBJECTIONS, now) == []:
            out.append("resolve_objections")
        if self.chair_blockers(Event.REOPEN_SHORTLIST, now) == []:
            out.append("reopen_shortlist")
        return out


def _context(session: so.Session, process: m.Process, seat: m.CommitteeSeat, user: User) -> MemberContext:
    position = session.get(Position, process.position_id)
    assert position is not None  # a foreign key
    state = process_view(session, process)
    return MemberContext(process=process, position=position, seat=seat, user=user,
                         person=member_person(session, process.id, user), state=state)


def member_context(session: so.Session, process_id: int, user: User) -> MemberContext | None:
    """The user's seat in the process, or None when there is no such process or no seat (→ 404)."""
    row = session.execute(
        sa.select(m.Process, m.CommitteeSeat)
        .join(m.CommitteeSeat, m.CommitteeSeat.process_id == m.Process.id)
        .where(m.Process.id == process_id, m.CommitteeSeat.user_id == user.id)
    ).one_or_none()
    if row is None:
        return None
    return _context(session, row[0], row[1], user)


def my_processes(session: so.Session, user: User) -> list[MemberContext]:
    """Every process where ``user`` holds a seat, newest first."""
    rows = session.execute(
        sa.select(m.Process, m.CommitteeSeat)
        .join(m.CommitteeSeat, m.CommitteeSeat.process_id == m.Process.id)
        .where(m.CommitteeSeat.user_id == user.id)
        .order_by(m.Process.id.desc())
    ).all()
    return [_context(session, process, seat, user) for process, seat in rows]


# --- the pledge ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DeclaredTie:
    """An employee the member declared a tie to (shown back to the member only)."""

    employee_id: int
    nip: str
    name: str


def declared_ties(session: so.Session, seat: m.CommitteeSeat) -> list[DeclaredTie]:
    ids = sorted(set(seat.declared_ties or []))
    if not ids:
        return []
    rows = session.execute(
        sa.select(Employee.id, Employee.nip, Employee.name).where(Employee.id.in_(ids)).order_by(Employee.nip)
    ).all()
    return [DeclaredTie(*row) for row in rows]


def split_nips(text: str) -> tuple[list[str], list[str]]:
    """NIPs typed one per line (or separated by commas/spaces): (well-formed, malformed), in order."""
    good: list[str] = []
    bad: list[str] = []
    for token in re.split(r"[\s,;]+", text.strip()):
        if not token:
            continue
        (good if _NIP.fullmatch(token) else bad).append(token)
    return list(dict.fromkeys(good)), bad


def employees_by_nip(session: so.Session, nips: Iterable[str]) -> dict[str, int]:
    """Employee id per known NIP (unknown NIPs are simply absent)."""
    wanted = sorted(set(nips))
    if not wanted:
        return {}
    return dict(session.execute(sa.select(Employee.nip, Employee.id).where(Employee.nip.in_(wanted))).all())


# --- candidate evidence ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CandidateRow:
    """One evaluated candidate as the committee's merit table shows them."""

    pseudonym: str
    name: str
    nip: str
    golongan: str
    education: str
    skp: tuple[tuple[int, str | None], ...]  # (year, predikat code) of the sealed record, newest first
    box: int | None
    jpm: str | None
    band: str | None
    eligible: bool
    failed_rules: int
    merit_rank: int | None
    in_pool: bool
    decision: str | None
    shortlist_rank: int | None
    recommended_rank: int | None
    result: dict[str, Any]


def _row(candidate: m.Candidate, name: str, current_round: int) -> CandidateRow:
    result = json.loads(candidate.result)
    employee = json.loads(candidate.evidence)["employee"]
    jpm = result.get("jpm")
    rules = result.get("rules") or []
    return CandidateRow(
        pseudonym=candidate.pseudonym,
        name=name,
        nip=str(employee.get("nip", "")),
        golongan=str(employee.get("golongan", "")),
        education=str(employee.get("education", "")),
        skp=tuple(
            (int(r["year"]), r.get("predikat"))
            for r in sorted(employee.get("ratings") or [], key=lambda r: -int(r["year"]))[:SKP_YEARS_SHOWN]
        ),
        box=candidate.box,
        jpm=candidate.jpm,
        band=jpm.get("band") if jpm else None,
        eligible=bool(candidate.eligible),
        failed_rules=sum(1 for r in rules if not r.get("passed")),
        merit_rank=candidate.merit_rank,
        in_pool=bool(candidate.in_pool),
        decision=None if candidate.decision is None else str(candidate.decision),
        # Ranks of an earlier round (before an upheld objection) are history, not the ballot.
        shortlist_rank=candidate.shortlist_rank if candidate.round == current_round else None,
        recommended_rank=candidate.recommended_rank if candidate.round == current_round else None,
        result=result,
    )


def evaluated(session: so.Session, process: m.Process) -> list[CandidateRow]:
    """Every candidate the nomination evaluated: the pool by merit rank first, then the others."""
    process_id = process.id
    rows = session.execute(
        sa.select(m.Candidate, Employee.name)
        .join(Employee, Employee.id == m.Candidate.employee_id)
        .where(m.Candidate.process_id == process_id)
        .order_by(m.Candidate.in_pool.desc(), m.Candidate.merit_rank.is_(None), m.Candidate.merit_rank,
                  m.Candidate.pseudonym)
    ).all()
    return [_row(candidate, name, process.round) for candidate, name in rows]


def candidate(session: so.Session, process: m.Process, pseudonym: str) -> CandidateRow | None:
    """One evaluated candidate of ``process`` by pseudonym, or None."""
    row = session.execute(
        sa.select(m.Candidate, Employee.name)
        .join(Employee, Employee.id == m.Candidate.employee_id)
        .where(m.Candidate.process_id == process.id, m.Candidate.pseudonym == pseudonym)
    ).one_or_none()
    return None if row is None else _row(row[0], row[1], process.round)


def box_counts(rows: Sequence[CandidateRow]) -> tuple[dict[int, int], int]:
    """Candidates per 9-box box among ``rows``, and how many have no box."""
    counts = Counter(r.box for r in rows if r.box is not None)
    return dict(counts), sum(1 for r in rows if r.box is None)


# --- ballots, results, objections --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BallotLine:
    """A shortlisted candidate on the ballot (current round)."""

    pseudonym: str
    name: str
    rank: int


def ballot(session: so.Session, ctx: MemberContext) -> list[BallotLine]:
    """The current round's shortlist in rank order: exactly what a ballot must score."""
    ranking = list(ctx.state.view.ranking)
    names = dict(session.execute(
        sa.select(m.Candidate.pseudonym, Employee.name)
        .join(Employee, Employee.id == m.Candidate.employee_id)
        .where(m.Candidate.process_id == ctx.process.id, m.Candidate.pseudonym.in_(ranking))
    ).all()) if ranking else {}
    return [BallotLine(p, names.get(p, ""), i) for i, p in enumerate(ranking, start=1)]


def recommendation(session: so.Session, ctx: MemberContext) -> list[BallotLine]:
    """The committee's recommendation of the current round, once the review is closed."""
    rows = session.execute(
        sa.select(m.Candidate.pseudonym, Employee.name, m.Candidate.recommended_rank)
        .join(Employee, Employee.id == m.Candidate.employee_id)
        .where(m.Candidate.process_id == ctx.process.id, m.Candidate.recommended_rank.is_not(None),
               m.Candidate.round == ctx.process.round)
        .order_by(m.Candidate.recommended_rank)
    ).all()
    return [BallotLine(p, name, rank) for p, name, rank in rows]


@dataclass(frozen=True, slots=True)
class ObjectionLine:
    """An objection of the current round, for the chair."""

    id: int
    pseudonym: str
    name: str
    text: str
    filed_at: dt.datetime
    upheld: bool | None
    answer: str | None
    answered_at: dt.datetime | None


def objections(session: so.Session, ctx: MemberContext) -> list[ObjectionLine]:
    rows = session.execute(
        sa.select(m.Objection, m.Candidate.pseudonym, Employee.name)
        .join(m.Candidate, m.Candidate.id == m.Objection.candidate_id)
        .join(Employee, Employee.id == m.Candidate.employee_id)
        .where(m.Objection.process_id == ctx.process.id, m.Objection.round == ctx.process.round)
        .order_by(m.Objection.id)
    ).all()
    return [
        ObjectionLine(o.id, pseudonym, name, o.text, utc(o.filed_at) or o.filed_at, o.upheld, o.answer,
                      utc(o.answered_at))
        for o, pseudonym, name in rows
    ]
