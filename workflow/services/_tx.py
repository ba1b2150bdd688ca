"""The action pattern every service follows (DESIGN.md §1, STYLE.md §5).

One service call is one transaction:

1. :func:`begin` locks the process row (``SELECT … FOR UPDATE``; lock order: process first, log
   head last), refuses a stale ``expected_basis`` (409) and builds the guards' view from the
   locked rows (:class:`ProcessState`);
2. :meth:`ProcessState.authorize` picks the actor's role and refuses (403) a missing role, seat,
   recusal, own conflict of duties or signing key;
3. the service asks the machine (:meth:`ProcessState.apply`, 409 with the blockers) or its own
   checks, then changes the rows;
4. :meth:`ProcessState.log` signs the statement (the actor's key; the system key for the computed
   steps) with ``basis`` = the process's latest leaf hash and appends it;
5. :func:`transaction` commits — state and entry together — or rolls everything back.

Statements hold no personal data (DESIGN.md §4): candidates and persons by per-process pseudonym,
texts that may name people by SHA-256, times as ``YYYY-MM-DDTHH:MM:SSZ``, dates ISO, no floats.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import hashlib
from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from audit.dsse import sign_envelope
from audit.entry import Actor as StatementActor
from audit.entry import format_time, make_statement
from audit.keys import SYSTEM_ID, Signer
from workflow import ledger
from workflow.clock import utc
from workflow.errors import NotFoundError
from workflow.keystore import SYSTEM_ROLE, get_keystore
from workflow.lifecycle import (
    Actor,
    Event,
    IllegalTransitionError,
    Member,
    Objection,
    ObjectionOutcome,
    PersonId,
    ProcessFlow,
    ProcessRules,
    ProcessSnapshot,
    Role,
    Step,
    TransitionRefusedError,
    Verification,
    VoteCommit,
    VoteReveal,
)
from workflow.lifecycle.roles import ROLE_DUTY, acting_role, role_blockers, segregation_blockers
from workflow.merit.evidence import pseudonym
from workflow.merit.ruleset import RuleSet, load_published
from workflow.models import Employee, User
from workflow.models import process as m
from workflow.services._reasons import NotPermittedError, RefusedError, reason
from workflow.services.guards import check_statement

# quorum_share semantics (ProcessRules): valid votes must be strictly more than share × seated.
# "two_thirds" means at least ⌈2n/3⌉, which a share just below 2/3 gives for any panel below 5000.
_QUORUM_SHARE = {"majority": Decimal("0.5"), "two_thirds": Decimal("0.6666")}




def person_key(secret: bytes, user_id: int, nip: str | None) -> PersonId:
    """One key per human in a process (lifecycle ``PersonId``): an account linked to an employee
    record is that employee's pseudonym — the same key as their candidacy — else ``u<account id>``."""
    return f"u{user_id}" if nip is None else pseudonym(secret, nip)


def text_digest(text: str) -> str:
    """SHA-256 (hex) of a free text that may name people: the log carries this, the row the text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@functools.lru_cache(maxsize=16)
def pinned_ruleset(ruleset_id: str, digest: str) -> RuleSet:
    """The rule set a process pinned; refuses a published file whose digest changed."""
    return load_published(ruleset_id, digest=digest)


def process_rules(ruleset: RuleSet) -> ProcessRules:
    """The state machine's rule numbers from a merit rule set (committee, quorum, windows)."""
    c = ruleset.committee
    return ProcessRules(
        committee_min=c.min_size,
        committee_max=c.max_size,
        internal_max_share=c.max_internal_percent / 100,
        quorum_share=_QUORUM_SHARE[c.quorum],
        objection_window=dt.timedelta(days=ruleset.objection_window_days),
        # The rule set's minimum is the thin-field flag (R15); one candidate is the hard floor.
        min_candidates=1,
        thin_field_candidates=ruleset.min_candidates_per_post,
    )


@contextlib.contextmanager
def transaction(session: so.Session) -> Iterator[None]:
    """Commit when the block succeeds; otherwise roll back everything it did and re-raise."""
    try:
        yield
        session.commit()
    except BaseException:
        session.rollback()
        raise


def _lifecycle_roles(user: User) -> list[Role]:
    return [Role(str(r.role)) for r in user.roles]


@dataclasses.dataclass
class ProcessState:
    """The locked process, its rows and the guards' view of them (current round only)."""

    session: so.Session
    process: m.Process
    ruleset: RuleSet
    rules: ProcessRules
    seats: list[m.CommitteeSeat]
    candidates: list[m.Candidate]  # the pool (in_pool), by merit rank
    users: dict[int, User]
    nips: dict[int, str]  # employee id -> NIP, for the persons' pseudonyms
    view: ProcessSnapshot
    basis: bytes

    # --- persons -------------------------------------------------------------------------------

    def person_of_employee(self, employee_id: int) -> PersonId:
        """One key per human in this process: the pseudonym of their employee record."""
        return pseudonym(self.process.pseudonym_secret, self.nips[employee_id])

    def person(self, user: User) -> PersonId:
        """The person behind an account: their employee's pseudonym, else ``u<account id>``."""
        if user.employee_id is not None and user.employee_id not in self.nips:
            self.nips.update(_nips(self.session, [user.employee_id]))
        nip = None if user.employee_id is None else self.nips[user.employee_id]
        return person_key(self.process.pseudonym_secret, user.id, nip)

    def seat_of(self, user: User) -> m.CommitteeSeat | None:
        return next((s for s in self.seats if s.user_id == user.id), None)

    # --- authorisation -------------------------------------------------------------------------

    def authorize(self, action: str, user: User, *, account_role: Role | None = None) -> Actor:
        """Pick the role ``user`` acts in for ``action`` and refuse (403) what the actor lacks.

        ``account_role``: for actions outside the lifecycle's role table (seating, pledges), the
        account role the action needs; committee roles are otherwise taken from seats.

        Raises:
            NotPermittedError: inactive account, no suitable role, not seated, recused, a conflict
                of the actor's own duties, or no active signing key.
        """
        if not user.is_active:
            raise NotPermittedError(action, [reason("account.inactive", user=str(user.id))])
        person = self.person(user)
        if account_role is not None:
            role = account_role if account_role in _lifecycle_roles(user) else None
        else:
            role = acting_role(action, _lifecycle_roles(user), person, self.view)
        if role is None:
            held = ",".join(sorted(str(r) for r in _lifecycle_roles(user))) or "none"
            raise NotPermittedError(action, [reason("role.not_permitted", role=held, action=action)])
        actor = Actor(person, role)
        own = [] if account_role is not None else role_blockers(action, actor, self.view)
        own += segregation_blockers(self.view, actor, only_actor=True)
        if own:
            raise NotPermittedError(action, own)
        return actor

    def user_signer(self, action: str, user: User) -> Signer:
        """The actor's own key, opened only inside the actor's own call (403 without one)."""
        try:
            return get_keystore().user_signer(self.session, user.id)
        except NotFoundError:
            raise NotPermittedError(action, [reason("key.missing", user=str(user.id))]) from None

    # --- the machine ---------------------------------------------------------------------------

    def apply(self, event: Event, actor: Actor, now: dt.datetime, view: ProcessSnapshot | None = None,
              **inputs: object) -> tuple[Step, ProcessFlow]:
        """Run ``event`` on a fresh machine over ``view`` (default: the locked state); 409 if refused."""
        flow = ProcessFlow(view or self.view, actor=actor, now=now, rules=self.rules)
        try:
            return flow.apply(event, **inputs), flow
        except IllegalTransitionError:
            stage = str(flow.status)
            raise RefusedError(str(event), [reason("stage.illegal_event", action=str(event), stage=stage)]) from None
        except TransitionRefusedError as exc:
            raise RefusedError(str(event), exc.blockers) from None

    def refuse(self, action: str, *reasons: Any) -> RefusedError:
        return RefusedError(action, list(reasons))

    # --- the log -------------------------------------------------------------------------------

    def participate(self, user: User, role: Role) -> None:
        """Record that ``user`` exercised ``role`` here: later actions count it as a duty (R3)."""
        if role not in ROLE_DUTY:
            return
        exists = self.session.scalar(
            sa.select(m.ProcessParticipant.id).where(
                m.ProcessParticipant.process_id == self.process.id,
                m.ProcessParticipant.user_id == user.id,
                m.ProcessParticipant.role == str(role),
            )
        )
        if exists is None:
            self.session.add(m.ProcessParticipant(process_id=self.process.id, user_id=user.id, role=str(role)))

    def log(
        self,
        action: str,
        *,
        now: dt.datetime,
        data: Mapping[str, Any],
        user: User | None,
        role: Role,
        signer: Signer | None = None,
        states: tuple[str | None, str] | None = None,
    ) -> ledger.AppendedEntry:
        """Sign and append the statement of this action (the last write before the commit).

        ``user=None`` means a computed step: the system key signs and the statement's actor is
        ``system`` (``data.requested_by`` names the person who triggered it). ``states`` is
        ``(from, to)`` for a transition; other actions record the current stage as both.
        """
        if user is None:
            signer = get_keystore().system_signer()
            stmt_actor = StatementActor(SYSTEM_ID, SYSTEM_ROLE, signer.key_id)
        else:
            signer = signer or self.user_signer(action, user)
            stmt_actor = StatementActor(str(user.id), str(role), signer.key_id)
        status = str(self.process.status)
        from_state, to_state = states if states is not None else (status, status)
        payload = make_statement(
            action=action,
            process=self.process.id,
            from_state=from_state,
            to_state=to_state,
            time=now,
            actor=stmt_actor,
            data=dict(data),
            basis=self.basis,
        )
        self.process.updated_at = now
        self.session.flush()
        # The compliance red flags (hard ones) judge the statement before it is appended.
        check_statement(self, action, states=(from_state, to_state), now=now, actor=stmt_actor, data=data)
        entry = ledger.append(self.session, sign_envelope(payload, [signer]), now=now)
        self.basis = entry.leaf_hash
        return entry

    def log_step(self, step: Step, *, now: dt.datetime, data: Mapping[str, Any], user: User | None,
                 signer: Signer | None = None) -> ledger.AppendedEntry:
        """Write ``step.dest`` to the row and log the transition (``process.<event>``)."""
        self.process.status = step.dest
        return self.log(
            f"process.{step.event}", now=now, data=data, user=user, role=step.actor.role, signer=signer,
            states=(str(step.source), str(step.dest)),
        )

    def reload(self) -> None:
        """Rebuild the view after rows changed (flushes pending changes first)."""
        self.session.flush()
        fresh = _state(self.session, self.process, self.basis)
        self.seats, self.candidates, self.users, self.view = fresh.seats, fresh.candidates, fresh.users, fresh.view
        self.nips.update(fresh.nips)


def requested_by(user: User, role: Role) -> dict[str, str]:
    """Who triggered a system-signed step (their account id and role)."""
    return {"id": str(user.id), "role": str(role)}


def _nips(session: so.Session, employee_ids: Iterable[int]) -> dict[int, str]:
    ids = sorted(set(employee_ids))
    if not ids:
        return {}
    return dict(session.execute(sa.select(Employee.id, Employee.nip).where(Employee.id.in_(ids))).all())


def lock_process(session: so.Session, process_id: int) -> m.Process:
    """The process row, locked until the transaction ends (404 when it does not exist)."""
    process = session.scalars(
        sa.select(m.Process)
        .where(m.Process.id == process_id)
        .with_for_update()
        .execution_options(populate_existing=True)  # the locked row, not a stale identity-map copy
    ).one_or_none()
    if process is None:
        raise NotFoundError(f"process {process_id}")
    return process


def begin(session: so.Session, process_id: int, *, expected_basis: bytes | None = None) -> ProcessState:
    """Lock the process, check the caller's basis, and build its state (steps 1–2 above).

    Raises:
        NotFoundError: no such process.
        ledger.StaleBasisError: ``expected_basis`` is not the process's latest leaf hash (409).
    """
    process = lock_process(session, process_id)
    basis = ledger.process_basis(session, process.id)
    if expected_basis is not None and bytes(expected_basis) != basis:
        raise ledger.StaleBasisError(
            f"process {process.id} changed since you looked at it; reload and try again"
        )
    return _state(session, process, basis)


def process_view(session: so.Session, process: m.Process) -> ProcessState:
    """The guards' view of ``process`` as :func:`begin` builds it, but with no lock, for display:
    the blockers shown equal what the action would say (at the basis read now). Never write
    through it; an action re-reads under the lock (:func:`begin`)."""
    return _state(session, process, ledger.process_basis(session, process.id))


def _state(session: so.Session, process: m.Process, basis: bytes) -> ProcessState:
    ruleset = pinned_ruleset(process.ruleset_id, process.ruleset_digest)
    seats = list(session.scalars(
        sa.select(m.CommitteeSeat).where(m.CommitteeSeat.process_id == process.id).order_by(m.CommitteeSeat.id)
    ))
    pool = list(session.scalars(
        sa.select(m.Candidate)
        .where(m.Candidate.process_id == process.id, m.Candidate.in_pool.is_(True))
        .order_by(m.Candidate.merit_rank, m.Candidate.pseudonym)
    ))
    participants = session.execute(
        sa.select(m.ProcessParticipant.user_id, m.ProcessParticipant.role).where(
            m.ProcessParticipant.process_id == process.id
        )
    ).all()
    user_ids = {s.user_id for s in seats} | {uid for uid, _ in participants}
    if process.ppk_id is not None:
        user_ids.add(process.ppk_id)
    users = {u.id: u for u in session.scalars(sa.select(User).where(User.id.in_(sorted(user_ids))))}
    ties = [e for s in seats for e in (s.declared_ties or [])]
    nips = _nips(session, [u.employee_id for u in users.values() if u.employee_id is not None] + ties)
    state = ProcessState(
        session=session, process=process, ruleset=ruleset, rules=process_rules(ruleset), seats=seats,
        candidates=pool, users=users, nips=nips, view=ProcessSnapshot(), basis=basis,
    )
    state.view = _view(session, state, participants)
    return state


def _view(session: so.Session, state: ProcessState, participants: Iterable[tuple[int, str]]) -> ProcessSnapshot:
    process, rnd = state.process, state.process.round
    seat_person = {s.id: state.person(state.users[s.user_id]) for s in state.seats}
    members = [
        Member(
            person=seat_person[s.id],
            seat=s.seat,
            internal=s.internal,
            pact_signed=s.pact_signed_at is not None,
            coi_declared=s.declared_at is not None,
            declared_conflicts=frozenset(state.person_of_employee(e) for e in (s.declared_ties or [])),
            recused=s.recused,
        )
        for s in state.seats
    ]
    pool = state.candidates
    verifications = [
        Verification(
            candidate=c.pseudonym,
            eligible=c.decision == m.Decision.CONFIRMED,
            reason=None if c.exclusion_reason is None else str(c.exclusion_reason),
            note=c.verification_note or "",
        )
        for c in pool
        if c.decision is not None
    ]
    current = [c for c in pool if c.round == rnd]
    ranking = [c.pseudonym for c in sorted((c for c in current if c.shortlist_rank), key=lambda c: c.shortlist_rank)]
    recommendation = [
        c.pseudonym for c in sorted((c for c in current if c.recommended_rank), key=lambda c: c.recommended_rank)
    ]
    commits = [
        VoteCommit(member=seat_person[v.seat_id], digest=v.digest, at=utc(v.committed_at) or v.committed_at)
        for v in session.scalars(
            sa.select(m.VoteCommit).where(m.VoteCommit.process_id == process.id, m.VoteCommit.round == rnd)
            .order_by(m.VoteCommit.id)
        )
    ]
    reveals = [
        VoteReveal(
            member=seat_person[v.seat_id], scores=dict(v.scores), reason=v.reason, nonce=v.nonce,
            at=utc(v.revealed_at) or v.revealed_at,
        )
        for v in session.scalars(
            sa.select(m.VoteReveal).where(m.VoteReveal.process_id == process.id, m.VoteReveal.round == rnd)
            .order_by(m.VoteReveal.id)
        )
    ]
    opening = session.scalar(
        sa.select(m.RevealOpening.opened_at)
        .where(m.RevealOpening.process_id == process.id, m.RevealOpening.round == rnd)
    )
    objections = [
        Objection(
            objection_id=str(o.id),
            filed_at=utc(o.filed_at) or o.filed_at,
            outcome=None if o.upheld is None else (ObjectionOutcome.UPHELD if o.upheld else ObjectionOutcome.REJECTED),
        )
        for o in session.scalars(
            sa.select(m.Objection).where(m.Objection.process_id == process.id, m.Objection.round == rnd)
            .order_by(m.Objection.id)
        )
    ]
    roles: dict[PersonId, set[Role]] = {}
    for user_id, role in participants:
        roles.setdefault(state.person(state.users[user_id]), set()).add(Role(role))
    return ProcessSnapshot(
        status=process.status,
        members=members,
        candidates=frozenset(c.pseudonym for c in pool),
        pool_snapshot_digest=process.snapshot_digest,
        verifications=verifications,
        ranking=ranking,
        commits=commits,
        reveals=reveals,
        reveal_opened_at=utc(opening),
        recommendation=recommendation,
        committee_decided_at=utc(process.committee_decided_at),
        objection_window_ends_at=utc(process.objection_window_ends_at),
        objections=objections,
        approval_letter_digest=process.approval_letter_digest,
        participants={p: frozenset(r) for p, r in roles.items()},
        ppk=None if process.ppk_id is None else state.person(state.users[process.ppk_id]),
    )


def iso_time(moment: dt.datetime | None) -> str | None:
    """A time as the log writes it, or ``None``."""
    return None if moment is None else format_time(utc(moment) or moment)
