"""Who may do what in a process, and which duties one person may not combine (DESIGN.md §6).

Every check returns blockers (a list of :class:`~workflow.lifecycle.reasons.Reason`), the same
shape as the stage guards, so "why can't I?" has one answer whatever the cause.

Import rule: standard library and ``workflow.lifecycle`` only. The account ``Role`` here has the
same values as ``workflow.models.users.Role`` (plus ``system``), so the service converts with
``Role(str(user_role))`` and this package never imports the ORM.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from itertools import combinations
from types import MappingProxyType
from typing import TYPE_CHECKING, Final

from workflow.lifecycle.reasons import Reason, reason
from workflow.lifecycle.stages import Event

if TYPE_CHECKING:
    from workflow.lifecycle.snapshot import ProcessView

PersonId = str
"""One stable key per human: the same for an account and for the employee record it is linked to."""


class Role(StrEnum):
    """The role an actor acts in (one per statement, DESIGN.md §4 ``actor.role``)."""

    ADMIN = "admin"
    COMMITTEE_MEMBER = "committee_member"
    COMMITTEE_CHAIR = "committee_chair"
    PPK = "ppk"
    VERIFIER = "verifier"
    INSPECTOR = "inspector"
    ASN = "asn"
    SYSTEM = "system"


class Seat(StrEnum):
    """A seat on one process's committee; committee roles come from seats, not from accounts."""

    CHAIR = "chair"
    MEMBER = "member"


class Duty(StrEnum):
    """What a person does in one process; see :data:`CONFLICTING_DUTIES`."""

    CANDIDATE = "candidate"
    PREPARER = "preparer"
    VERIFIER = "verifier"
    COMMITTEE = "committee"
    APPOINTER = "appointer"


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts, and in which role (the service picks it, e.g. with :func:`acting_role`)."""

    person: PersonId
    role: Role


# Actions that are not transitions but still need a role: votes and objection handling.
COMMIT_VOTE: Final = "commit_vote"
REVEAL_VOTE: Final = "reveal_vote"
OPEN_REVEAL: Final = "open_reveal"  # the chair ends the commit phase early (workflow.lifecycle.votes)
ANSWER_OBJECTION: Final = "answer_objection"
FILE_OBJECTION: Final = "file_objection"

_COMMITTEE: Final = frozenset({Role.COMMITTEE_MEMBER, Role.COMMITTEE_CHAIR})

# Who may trigger each event. Admin prepares and never decides (DESIGN.md §6): it triggers the
# computed steps, whose statements the system key signs (SYSTEM_SIGNED_EVENTS), and it publishes.
EVENT_ROLES: Final[Mapping[Event, frozenset[Role]]] = MappingProxyType(
    {
        Event.FORM_COMMITTEE: frozenset({Role.ADMIN}),
        Event.NOMINATE_POOL: frozenset({Role.ADMIN}),
        Event.VERIFY_COMPETENCY: frozenset({Role.VERIFIER}),
        Event.SHORTLIST: frozenset({Role.ADMIN}),
        Event.REVIEW: frozenset({Role.COMMITTEE_CHAIR}),
        Event.ANNOUNCE: frozenset({Role.ADMIN}),
        Event.RESOLVE_OBJECTIONS: frozenset({Role.COMMITTEE_CHAIR}),
        Event.REOPEN_SHORTLIST: frozenset({Role.COMMITTEE_CHAIR}),
        Event.APPOINT: frozenset({Role.PPK}),
        Event.CANCEL: frozenset({Role.ADMIN, Role.PPK}),
    }
)

ACTION_ROLES: Final[Mapping[str, frozenset[Role]]] = MappingProxyType(
    {
        **{str(event): roles for event, roles in EVENT_ROLES.items()},
        COMMIT_VOTE: _COMMITTEE,
        REVEAL_VOTE: _COMMITTEE,
        OPEN_REVEAL: frozenset({Role.COMMITTEE_CHAIR}),
        ANSWER_OBJECTION: frozenset({Role.COMMITTEE_CHAIR}),
        FILE_OBJECTION: frozenset({Role.ASN}),
    }
)

# The result of these steps is computed from locked data, so the system key attests it; the
# triggering admin is still recorded as the actor of the request.
SYSTEM_SIGNED_EVENTS: Final[frozenset[Event]] = frozenset({Event.NOMINATE_POOL, Event.SHORTLIST})

ROLE_DUTY: Final[Mapping[Role, Duty]] = MappingProxyType(
    {
        Role.ADMIN: Duty.PREPARER,
        Role.VERIFIER: Duty.VERIFIER,
        Role.COMMITTEE_MEMBER: Duty.COMMITTEE,
        Role.COMMITTEE_CHAIR: Duty.COMMITTEE,
        Role.PPK: Duty.APPOINTER,
    }
)

# One person, one duty per process: preparing, verifying, recommending, appointing and being a
# candidate are each checks on the others (domain.md R3, R14; DESIGN.md §6). Kept as pairs so one
# pair can be relaxed on purpose, with a test.
CONFLICTING_DUTIES: Final[frozenset[frozenset[Duty]]] = frozenset(frozenset(pair) for pair in combinations(Duty, 2))


def acting_role(action: str, account_roles: Iterable[Role], person: PersonId, view: ProcessView) -> Role | None:
    """Pick the role in which ``person`` may perform ``action``, or ``None``.

    Committee roles come from the person's seat in ``view``; other roles from the account.

    Args:
        action: an :class:`Event` value or one of the non-transition actions above.
        account_roles: the roles the account holds (committee roles there are ignored).
        person: the acting person.
        view: the process.

    Returns:
        The first allowed role the person holds, in a fixed order, else ``None``.
    """
    held = set(account_roles) - _COMMITTEE
    for member in view.members:
        if member.person == person:
            held.add(Role.COMMITTEE_CHAIR if member.seat == Seat.CHAIR else Role.COMMITTEE_MEMBER)
    allowed = ACTION_ROLES.get(action, frozenset())
    return next((role for role in Role if role in allowed and role in held), None)


def role_blockers(action: str, actor: Actor, view: ProcessView) -> list[Reason]:
    """Return why ``actor`` may not perform ``action`` in their role; empty means allowed.

    Args:
        action: an :class:`Event` value or a non-transition action.
        actor: the person and the role they act in.
        view: the process (for committee seats and the designated PPK).

    Returns:
        ``role.not_permitted`` when the role may not do this at all; ``role.not_seated`` or
        ``role.recused`` when a committee role is claimed without a matching, unrecused seat;
        ``role.not_process_ppk`` when another PPK is designated for the process.
    """
    if actor.role not in ACTION_ROLES.get(action, frozenset()):
        return [reason("role.not_permitted", role=str(actor.role), action=action)]
    out: list[Reason] = []
    if actor.role in _COMMITTEE:
        seat = Seat.CHAIR if actor.role == Role.COMMITTEE_CHAIR else None
        seats = [m for m in view.members if m.person == actor.person and (seat is None or m.seat == seat)]
        if not seats:
            out.append(reason("role.not_seated", person=actor.person, seat=str(seat or Seat.MEMBER)))
        elif any(m.recused for m in seats):
            out.append(reason("role.recused", person=actor.person))
    if actor.role == Role.PPK and view.ppk is not None and view.ppk != actor.person:
        out.append(reason("role.not_process_ppk", person=actor.person))
    return out


def duties(view: ProcessView) -> dict[PersonId, set[Duty]]:
    """Return each person's duties in the process: candidacy, seats and roles already exercised."""
    held: dict[PersonId, set[Duty]] = {}
    for person in view.candidates:
        held.setdefault(person, set()).add(Duty.CANDIDATE)
    for member in view.members:
        held.setdefault(member.person, set()).add(Duty.COMMITTEE)
    for person, roles in view.participants.items():
        for role in roles:
            if role in ROLE_DUTY:
                held.setdefault(person, set()).add(ROLE_DUTY[role])
    return held


def segregation_blockers(view: ProcessView, actor: Actor | None = None, *, only_actor: bool = False) -> list[Reason]:
    """Return one ``sod.conflict`` per person holding two conflicting duties in this process.

    Args:
        view: the process, whose candidates, seats and ``participants`` give the duties held.
        actor: when given, the duty of the role they act in now is counted too.
        only_actor: report only the actor's own conflicts (used for ``cancel``, which must stay
            possible even when someone else's conflict has tainted the process).

    Returns:
        Blockers sorted by person, then duty pair, so the output is deterministic.
    """
    held = duties(view)
    if actor is not None and actor.role in ROLE_DUTY:
        held.setdefault(actor.person, set()).add(ROLE_DUTY[actor.role])
    out: list[Reason] = []
    for person in sorted(held):
        if only_actor and (actor is None or person != actor.person):
            continue
        for duty_a, duty_b in combinations(sorted(held[person]), 2):
            if frozenset({duty_a, duty_b}) in CONFLICTING_DUTIES:
                out.append(reason("sod.conflict", person=person, duty_a=str(duty_a), duty_b=str(duty_b)))
    return out
