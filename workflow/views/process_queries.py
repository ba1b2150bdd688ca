"""Read-only queries behind the process pages (``workflow/views/processes.py``).

Nothing here writes, locks or commits: the pages read the process rows, the log and the state
machine's view of a process, and every change still goes through one service call. The guards'
view is built by the services' own builder (``workflow.services._tx``) so that the blockers a page
shows are the very ones the service would answer with.

Who sees what: staff (admin, PPK, verifier, inspector) see every process; committee members and
chairs see the processes where they hold a seat; nobody else sees any (the view answers 404).
Candidate names and NIPs leave this module only through :func:`verification_rows` (the
verifier's page) and :func:`recommendation_rows` (the PPK's page).
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from audit.entry import UnverifiedStatement, parse_leaf_unverified, parse_time
from audit.errors import AuditError
from workflow import ledger
from workflow.lifecycle import TERMINAL_STAGES, Actor, Context, Event, Reason, Seat, Stage
from workflow.lifecycle import Role as ActingRole
from workflow.lifecycle.flow import ProcessFlow
from workflow.lifecycle.roles import EVENT_ROLES, acting_role, role_blockers, segregation_blockers
from workflow.lifecycle.rules import SPECS, events_from
from workflow.merit.eligibility import assessment_expiry, pick_assessment
from workflow.merit.evidence import EvidenceError, facts_from_dict
from workflow.models import Employee, OrgUnit, Position, Role, User, UserRole
from workflow.models import process as m
from workflow.models.ledger import LogLeaf
from workflow.services import ProcessState, process_view
from workflow.services._reasons import reason as make_reason

STAFF_ROLES = frozenset({Role.ADMIN, Role.PPK, Role.VERIFIER, Role.INSPECTOR})
COMMITTEE_ROLES = frozenset({Role.COMMITTEE_MEMBER, Role.COMMITTEE_CHAIR})
PAGE_SIZE = 25
# The stages of a process that runs to the end, in order (the stepper); ``cancelled`` stands apart.
MAIN_PATH: tuple[Stage, ...] = tuple(s for s in Stage if s != Stage.CANCELLED)


def _roles(user: User) -> frozenset[Role]:
    return frozenset(Role(r.role) for r in user.roles)


def is_staff(user: User) -> bool:
    """True for accounts that see every process (admin, PPK, verifier, inspector)."""
    return not _roles(user).isdisjoint(STAFF_ROLES)


def _visible(stmt: sa.Select[Any], user: User) -> sa.Select[Any]:
    """Restrict a select over ``process`` to the processes ``user`` may see."""
    if is_staff(user):
        return stmt
    if _roles(user).isdisjoint(COMMITTEE_ROLES):
        return stmt.where(sa.false())
    seated = sa.select(m.CommitteeSeat.process_id).where(m.CommitteeSeat.user_id == user.id)
    return stmt.where(m.Process.id.in_(seated))


# --- the list ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProcessRow:
    """One line of the process list."""

    id: int
    position_code: str
    position_title: str
    unit_name: str
    route: str
    status: Stage
    updated_at: dt.datetime


@dataclass(frozen=True, slots=True)
class ProcessPage:
    """One page of the process list, with what the pager needs."""

    rows: list[ProcessRow]
    total: int
    page: int
    pages: int


def list_processes(
    session: so.Session, user: User, *, stage: Stage | None = None, page: int = 1, per_page: int = PAGE_SIZE
) -> ProcessPage:
    """The processes ``user`` may see, most recently active first (ties: newest id first).

    ``page`` is clamped to the pages that exist, so a stale pager link still shows something.
    """
    base = _visible(sa.select(m.Process.id), user)
    if stage is not None:
        base = base.where(m.Process.status == stage)
    total = session.scalar(sa.select(sa.func.count()).select_from(base.subquery())) or 0
    pages = max(1, math.ceil(total / per_page))
    page = min(max(1, page), pages)
    stmt = _visible(
        sa.select(
            m.Process.id, Position.code, Position.title, OrgUnit.name, m.Process.route, m.Process.status,
            m.Process.updated_at,
        )
        .join(Position, Position.id == m.Process.position_id)
        .join(OrgUnit, OrgUnit.id == Position.unit_id),
        user,
    )
    if stage is not None:
        stmt = stmt.where(m.Process.status == stage)
    stmt = stmt.order_by(m.Process.updated_at.desc(), m.Process.id.desc()).limit(per_page).offset((page - 1) * per_page)
    rows = [ProcessRow(*row) for row in session.execute(stmt).all()]
    return ProcessPage(rows=rows, total=total, page=page, pages=pages)


def stage_counts(session: so.Session, user: User) -> dict[Stage, int]:
    """How many visible processes stand in each stage (for the filter)."""
    stmt = _visible(sa.select(m.Process.status, sa.func.count()).group_by(m.Process.status), user)
    return {Stage(status): count for status, count in session.execute(stmt).all()}


def visible_process(session: so.Session, user: User, process_id: int) -> m.Process | None:
    """The process if ``user`` may see it, else ``None`` (the view answers 404 either way)."""
    return session.scalars(_visible(sa.select(m.Process).where(m.Process.id == process_id), user)).one_or_none()


# --- the detail page -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SeatRow:
    """A committee seat as staff see it (names of committee members are not personal merit data)."""

    user_id: int
    name: str
    affiliation: str
    seat: str
    internal: bool
    pledged_at: dt.datetime | None
    recused: bool


@dataclass(frozen=True, slots=True)
class CandidateCounts:
    """Counts only: names stay on the verifier's, the PPK's and the committee's own pages."""

    evaluated: int
    pool: int
    confirmed: int
    excluded: int
    unverified: int
    shortlisted: int
    recommended: int


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One log entry of the process, as the timeline shows it (``action`` is ``None`` if unreadable)."""

    seq: int
    action: str | None
    from_state: str | None
    to_state: str | None
    time: dt.datetime
    actor_id: str
    actor_role: str
    key_id: str


@dataclass(frozen=True, slots=True)
class NextStep:
    """An event the process could take next, who takes it, and what still stands in its way."""

    event: Event
    roles: tuple[Role, ...]
    blockers: list[Reason]


@dataclass(frozen=True, slots=True)
class Offer:
    """An action the signed-in account may take here; ``blockers`` empty means it is ready."""

    event: Event
    blockers: list[Reason]


@dataclass
class ProcessDetail:
    """Everything the detail page shows about one process."""

    process: m.Process
    position: Position
    unit: OrgUnit
    ppk: User | None
    preparer: User | None
    seats: list[SeatRow]
    counts: CandidateCounts
    basis_hex: str
    next_steps: list[NextStep]
    offers: dict[Event, Offer]
    appointee_rank: int | None
    internal_max_percent: str


def person_names(state: ProcessState) -> dict[str, str]:
    """Person key → display name of the staff accounts involved (seats, participants, the PPK)."""
    return {state.person(u): u.display_name for u in state.users.values()}


def humanise(reasons: Iterable[Reason], names: Mapping[str, str], *, param: str = "person") -> list[Reason]:
    """Re-render reasons with names instead of person keys or pseudonyms in parameter ``param``.

    By default only ``person`` is replaced, by staff names (:func:`person_names`), so a candidate's
    pseudonym is never turned into a name; the verifier's and the PPK's pages, which show
    candidates by name anyway, pass ``param="candidate"`` with the candidates' names.
    """
    out = []
    for r in reasons:
        key = r.params.get(param)
        if isinstance(key, str) and key in names:
            out.append(make_reason(r.code, **{**r.params, param: names[key]}))
        else:
            out.append(r)
    return out


def _acting_roles(user: User) -> list[ActingRole]:
    return [ActingRole(str(r.role)) for r in user.roles]


def next_steps(state: ProcessState, now: dt.datetime) -> list[NextStep]:
    """The events from the current stage (but ``cancel``) and their state blockers, whoever acts.

    Role checks are left out on purpose: the secretary should see why "Bentuk panitia" is not yet
    possible even though the PPK would be the one to appoint. Conflicts of duty anywhere in the
    process are included, since they stop every step.
    """
    out = []
    conflicts = segregation_blockers(state.view)
    for event in events_from(state.view.status):
        if event == Event.CANCEL:
            continue
        roles = tuple(Role(str(r)) for r in ActingRole if r in EVENT_ROLES[event])
        ctx = Context(actor=Actor("-", ActingRole(str(roles[0]))), now=now, rules=state.rules)
        out.append(NextStep(event, roles, conflicts + SPECS[event].guard(state.view, ctx, None)))
    return out


def offers(state: ProcessState, user: User, now: dt.datetime) -> dict[Event, Offer]:
    """The events ``user`` could take from here in one of their roles, with what still blocks each."""
    if state.view.status in TERMINAL_STAGES:
        return {}
    person = state.person(user)
    out = {}
    for event in events_from(state.view.status):
        role = acting_role(str(event), _acting_roles(user), person, state.view)
        if role is None:
            continue
        flow = ProcessFlow(state.view, actor=Actor(person, role), now=now, rules=state.rules)
        out[event] = Offer(event, flow.pending_blockers(event))
    return out


def own_blockers(state: ProcessState, user: User, event: Event) -> list[Reason]:
    """What stops ``user`` personally from taking ``event`` here: role, seat, own conflicts of duty.

    The event's state guard is left out: for a form like the verifier's, the guard judges the very
    inputs the form is about to collect.
    """
    person = state.person(user)
    role = acting_role(str(event), _acting_roles(user), person, state.view)
    if role is None:
        held = ",".join(sorted(str(r.role) for r in user.roles)) or "none"
        return [make_reason("role.not_permitted", role=held, action=str(event))]
    actor = Actor(person, role)
    return role_blockers(str(event), actor, state.view) + segregation_blockers(state.view, actor, only_actor=True)


def candidate_counts(session: so.Session, process: m.Process) -> CandidateCounts:
    """Counts of the process's candidates in each step (current round for ranks)."""
    c = m.Candidate
    in_pool = c.in_pool.is_(True)
    current = c.round == process.round
    row = session.execute(
        sa.select(
            sa.func.count(),
            sa.func.count().filter(in_pool),
            sa.func.count().filter(in_pool, c.decision == m.Decision.CONFIRMED),
            sa.func.count().filter(in_pool, c.decision == m.Decision.EXCLUDED),
            sa.func.count().filter(in_pool, c.decision.is_(None)),
            sa.func.count().filter(current, c.shortlist_rank.is_not(None)),
            sa.func.count().filter(current, c.recommended_rank.is_not(None)),
        ).where(c.process_id == process.id)
    ).one()
    return CandidateCounts(*(int(v or 0) for v in row))


def seats(session: so.Session, process_id: int) -> list[SeatRow]:
    """The committee, chair first, then in seating order."""
    rows = session.execute(
        sa.select(m.CommitteeSeat, User)
        .join(User, User.id == m.CommitteeSeat.user_id)
        .where(m.CommitteeSeat.process_id == process_id)
        .order_by(sa.case((m.CommitteeSeat.seat == Seat.CHAIR, 0), else_=1), m.CommitteeSeat.id)
    ).all()
    return [
        SeatRow(u.id, u.display_name, u.affiliation, str(s.seat), s.internal, s.pact_signed_at, s.recused)
        for s, u in rows
    ]


def process_detail(session: so.Session, process: m.Process, user: User, now: dt.datetime) -> ProcessDetail:
    """Gather the detail page: position, people, counts, the basis, next steps and the user's offers."""
    state = process_view(session, process)
    position = session.get(Position, process.position_id)
    assert position is not None  # a foreign key
    unit = session.get(OrgUnit, position.unit_id)
    assert unit is not None
    names = person_names(state)
    steps = next_steps(state, now)
    appointee_rank = None
    if process.appointee_pseudonym:
        appointee_rank = session.scalar(
            sa.select(m.Candidate.recommended_rank).where(
                m.Candidate.process_id == process.id, m.Candidate.pseudonym == process.appointee_pseudonym
            )
        )
    return ProcessDetail(
        process=process,
        position=position,
        unit=unit,
        ppk=session.get(User, process.ppk_id) if process.ppk_id else None,
        preparer=session.get(User, process.preparer_id),
        seats=seats(session, process.id),
        counts=candidate_counts(session, process),
        basis_hex=state.basis.hex(),
        next_steps=[NextStep(s.event, s.roles, humanise(s.blockers, names)) for s in steps],
        offers={e: Offer(o.event, humanise(o.blockers, names)) for e, o in offers(state, user, now).items()},
        appointee_rank=appointee_rank,
        internal_max_percent=str(state.ruleset.committee.max_internal_percent),
    )


def basis_hex(session: so.Session, process_id: int) -> str:
    """The process's latest leaf hash, hex: the ``expected_basis`` a form carries."""
    return ledger.process_basis(session, process_id).hex()


# --- the log of one process ----------------------------------------------------------------------


def _statements(session: so.Session, process_id: int) -> list[tuple[LogLeaf, UnverifiedStatement | None]]:
    leaves = session.scalars(
        sa.select(LogLeaf).where(LogLeaf.process_key == ledger.process_key(process_id)).order_by(LogLeaf.seq)
    ).all()
    out: list[tuple[LogLeaf, UnverifiedStatement | None]] = []
    for leaf in leaves:
        try:
            statement = parse_leaf_unverified(bytes(leaf.leaf)).statement_unverified()
        except AuditError:  # the inspector's verifier reports it; the page must still render
            statement = None
        out.append((leaf, statement))
    return out


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment


def timeline(session: so.Session, process_id: int) -> list[TimelineEntry]:
    """Every log entry of the process, oldest first (shape-checked, not verified: that is audit's job)."""
    out = []
    for leaf, s in _statements(session, process_id):
        if s is None:
            out.append(TimelineEntry(leaf.seq, None, None, None, _utc(leaf.time), "", "", ""))
            continue
        try:
            when = parse_time(s.time)
        except AuditError:
            when = _utc(leaf.time)
        out.append(TimelineEntry(leaf.seq, s.action, s.from_state, s.to_state, when, s.actor.id, s.actor.role,
                                 s.actor.key_id))
    return out


@dataclass(frozen=True, slots=True)
class StatementView:
    """One entry of the process's log, for the statement page."""

    seq: int
    leaf_hash_hex: str
    statement: UnverifiedStatement | None
    payload_pretty: str
    signature_key_ids: tuple[str, ...]


def statement(session: so.Session, process_id: int, seq: int) -> StatementView | None:
    """Entry ``seq`` if it belongs to this process, else ``None``."""
    leaf = session.scalars(
        sa.select(LogLeaf).where(LogLeaf.seq == seq, LogLeaf.process_key == ledger.process_key(process_id))
    ).one_or_none()
    if leaf is None:
        return None
    try:
        entry = parse_leaf_unverified(bytes(leaf.leaf))
        parsed = entry.statement_unverified()
        pretty = json.dumps(json.loads(parsed.payload), indent=2, ensure_ascii=False, sort_keys=True)
        key_ids = entry.envelope.key_ids()
    except (AuditError, ValueError):
        parsed, pretty, key_ids = None, bytes(leaf.leaf).decode("utf-8", "replace"), ()
    return StatementView(seq, bytes(leaf.leaf_hash).hex(), parsed, pretty, key_ids)


def latest_data(session: so.Session, process_id: int, action: str, **match: object) -> Mapping[str, Any] | None:
    """The ``data`` of the process's latest ``action`` statement whose data fields equal ``match``."""
    for _, s in reversed(_statements(session, process_id)):
        if s is not None and s.action == action and all(s.data.get(k) == v for k, v in match.items()):
            return s.data
    return None


# --- the admin's forms ---------------------------------------------------------------------------


def vacant_positions(session: so.Session) -> list[tuple[Position, OrgUnit]]:
    """Vacant positions without an open process, by unit and code (the "new process" choices)."""
    busy = sa.select(m.Process.position_id).where(m.Process.status.not_in(list(TERMINAL_STAGES)))
    return [
        (p, u)
        for p, u in session.execute(
            sa.select(Position, OrgUnit)
            .join(OrgUnit, OrgUnit.id == Position.unit_id)
            .where(Position.is_vacant.is_(True), Position.id.not_in(busy))
            .order_by(OrgUnit.name, Position.code)
        ).all()
    ]


def accounts_with(session: so.Session, roles: Sequence[Role], *, exclude: Iterable[int] = ()) -> list[User]:
    """Active accounts holding any of ``roles``, by name (``exclude``: account ids to leave out)."""
    held = sa.select(UserRole.user_id).where(UserRole.role.in_([str(r) for r in roles]))
    stmt = sa.select(User).where(User.is_active.is_(True), User.id.in_(held)).order_by(User.display_name, User.id)
    skip = set(exclude)
    return [u for u in session.scalars(stmt) if u.id not in skip]


# --- the verifier's page -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class VerificationRow:
    """One pool candidate with the assessment facts the verifier checks (from the sealed snapshot)."""

    pseudonym: str
    name: str
    nip: str
    merit_rank: int | None
    box: int | None
    jpm: str | None
    jpm_band: str | None
    assessed_on: dt.date | None
    valid_until: dt.date | None
    provider: str | None
    accredited: bool | None
    decision: str | None
    reason: str | None
    note: str


def _assessment(candidate: m.Candidate, state: ProcessState) -> Any:
    """The assessment the rules used for this candidate, read from the sealed evidence record."""
    try:
        record = json.loads(candidate.evidence)
        facts = facts_from_dict(record["employee"])
    except (ValueError, KeyError, TypeError, EvidenceError):
        return None
    snapshot_at = state.process.snapshot_at
    if snapshot_at is None:
        return None
    on = _utc(snapshot_at).astimezone(state.rules.local_tz).date()
    return pick_assessment(facts, on, state.ruleset)


def verification_rows(session: so.Session, process: m.Process) -> list[VerificationRow]:
    """The pool in merit order with names, NIPs and assessment facts: the verifier's page only."""
    state = process_view(session, process)
    employees = {
        e.id: e for e in session.scalars(
            sa.select(Employee).where(Employee.id.in_([c.employee_id for c in state.candidates]))
        )
    }
    rows = []
    for c in state.candidates:
        a = _assessment(c, state)
        try:
            band = json.loads(c.result).get("jpm", {}).get("band")
        except (ValueError, AttributeError):
            band = None
        e = employees[c.employee_id]
        rows.append(
            VerificationRow(
                pseudonym=c.pseudonym, name=e.name, nip=e.nip, merit_rank=c.merit_rank, box=c.box, jpm=c.jpm,
                jpm_band=band,
                assessed_on=a.assessed_on if a else None,
                valid_until=assessment_expiry(a, state.ruleset) if a else None,
                provider=a.provider if a else None,
                accredited=a.provider_accredited if a else None,
                decision=None if c.decision is None else str(c.decision),
                reason=None if c.exclusion_reason is None else str(c.exclusion_reason),
                note=c.verification_note or "",
            )
        )
    return rows


# --- the PPK's page ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RecommendationRow:
    """One recommended candidate, in the committee's order, with the numbers behind the order."""

    rank: int
    pseudonym: str
    name: str
    nip: str
    total: int | None
    shortlist_rank: int | None
    merit_rank: int | None
    box: int | None
    jpm: str | None
    composite: str


def recommendation_rows(session: so.Session, process: m.Process) -> list[RecommendationRow]:
    """The current round's recommendation with committee totals (from the review statement)."""
    rows = session.execute(
        sa.select(m.Candidate, Employee)
        .join(Employee, Employee.id == m.Candidate.employee_id)
        .where(
            m.Candidate.process_id == process.id,
            m.Candidate.round == process.round,
            m.Candidate.recommended_rank.is_not(None),
        )
        .order_by(m.Candidate.recommended_rank)
    ).all()
    review = latest_data(session, process.id, "process.review", round=process.round) or {}
    totals = review.get("totals") if isinstance(review.get("totals"), dict) else {}
    return [
        RecommendationRow(
            rank=c.recommended_rank or 0, pseudonym=c.pseudonym, name=e.name, nip=e.nip,
            total=totals.get(c.pseudonym) if isinstance(totals.get(c.pseudonym), int) else None,
            shortlist_rank=c.shortlist_rank, merit_rank=c.merit_rank, box=c.box, jpm=c.jpm, composite=c.composite,
        )
        for c, e in rows
    ]
