"""``/api/v1/processes``: reads (list, detail, timeline, candidates, objections, your seat).

The actions (one POST per transition or action) are in ``actions.py`` on the same blueprint.

Who sees what (DESIGN.md §6): every signed-in role reads processes and their timelines (the
statements are public in the log anyway). Candidates with names and NIPs: admin, verifier, PPK
and inspector; a committee member or chair only for a process where they hold a seat *and* have
signed the pact and declaration; an ASN only their own candidacy. Objections: the same, except
that an ASN sees only the objections they filed.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_smorest.pagination import PaginationParameters

from audit.entry import parse_leaf_unverified
from workflow import ledger
from workflow.api.auth import Principal, principal
from workflow.api.base import ApiBlueprint, page_of
from workflow.api.schemas import (
    CandidateQuerySchema,
    CandidateSchema,
    EntrySchema,
    MemberViewSchema,
    ObjectionSchema,
    ProcessQuerySchema,
    ProcessSchema,
)
from workflow.errors import NotFoundError
from workflow.extensions import db
from workflow.lifecycle import votes
from workflow.models import Employee, Position, Role, User
from workflow.models import process as m
from workflow.models.ledger import LogLeaf
from workflow.services import NotPermittedError, member_person, process_view
from workflow.services._reasons import reason

bp = ApiBlueprint(
    "api_processes", __name__, url_prefix="/api/v1/processes",
    description="Position-filling processes: reads, the signed timeline, and one POST per action.",
)

# Roles that see every candidate of every process, with names (DESIGN.md §6).
SEE_ALL = frozenset({Role.ADMIN, Role.VERIFIER, Role.PPK, Role.INSPECTOR})
COMMITTEE = frozenset({Role.COMMITTEE_MEMBER, Role.COMMITTEE_CHAIR})


def get_process(process_id: int) -> m.Process:
    process = db.session.get(m.Process, process_id)
    if process is None:
        raise NotFoundError(f"There is no process {process_id}.")
    return process


def process_dict(process: m.Process) -> dict[str, Any]:
    """The process as the API shows it, with its committee, basis and log entry count."""
    pkey = ledger.process_key(process.id)
    seats = list(db.session.scalars(
        sa.select(m.CommitteeSeat).where(m.CommitteeSeat.process_id == process.id).order_by(m.CommitteeSeat.id)
    ))
    names = dict(db.session.execute(
        sa.select(User.id, User.display_name).where(User.id.in_([s.user_id for s in seats]))
    ).all()) if seats else {}
    position = db.session.get(Position, process.position_id)
    assert position is not None  # foreign key
    entries = db.session.scalar(sa.select(sa.func.count()).select_from(LogLeaf).where(LogLeaf.process_key == pkey))
    return {
        "id": process.id,
        "position": {"id": position.id, "code": position.code, "title": position.title, "type": str(position.type),
                     "is_vacant": position.is_vacant},
        "route": str(process.route), "status": str(process.status), "round": process.round,
        "ruleset": {"id": process.ruleset_id, "digest": process.ruleset_digest},
        "preparer_id": process.preparer_id, "ppk_id": process.ppk_id,
        "planned_appointment_on": process.planned_appointment_on,
        "created_at": process.created_at, "updated_at": process.updated_at, "snapshot_at": process.snapshot_at,
        "snapshot_digest": process.snapshot_digest, "committee_decided_at": process.committee_decided_at,
        "objection_window_ends_at": process.objection_window_ends_at,
        "decree_number": process.decree_number, "decree_date": process.decree_date,
        "appointee": process.appointee_pseudonym,
        "committee": [
            {"user_id": s.user_id, "display_name": names.get(s.user_id, ""), "seat": str(s.seat),
             "internal": s.internal, "pledged": s.pact_signed_at is not None and s.declared_at is not None,
             "recused": s.recused}
            for s in seats
        ],
        "basis": ledger.process_basis(db.session, process.id).hex(),
        "entries": entries or 0,
    }


@bp.route("", methods=["GET"])
@bp.arguments(ProcessQuerySchema, location="query")
@bp.response(200, ProcessSchema(many=True))
@bp.paginate()
@bp.errors(401)
def list_processes(query: dict[str, Any], pagination_parameters: PaginationParameters) -> list[dict[str, Any]]:
    """List processes, by id. Filters: `status`, `route`, `position_id`. Any signed-in role."""
    principal()
    stmt = sa.select(m.Process).order_by(m.Process.id)
    if "status" in query:
        stmt = stmt.where(m.Process.status == query["status"])
    if "route" in query:
        stmt = stmt.where(m.Process.route == query["route"])
    if "position_id" in query:
        stmt = stmt.where(m.Process.position_id == query["position_id"])
    return [process_dict(p) for p in page_of(stmt, pagination_parameters)]


@bp.route("/<id:process_id>", methods=["GET"])
@bp.response(200, ProcessSchema)
@bp.errors(401, 404)
def get_process_detail(process_id: int) -> dict[str, Any]:
    """One process. `basis` is what an action's `expected_basis` should carry. Any signed-in role."""
    principal()
    return process_dict(get_process(process_id))


def entry_dict(seq: int, leaf: bytes) -> dict[str, Any]:
    entry = parse_leaf_unverified(leaf)
    st = entry.statement_unverified()
    return {
        "seq": seq, "leaf_hash": entry.leaf_hash.hex(), "time": entry.time, "key_ids": list(entry.envelope.key_ids()),
        "statement": {
            "action": st.action, "process": st.process, "from_": st.from_state, "to": st.to_state, "time": st.time,
            "actor": {"id": st.actor.id, "role": st.actor.role, "key_id": st.actor.key_id},
            "data": dict(st.data), "basis": st.basis.hex(),
        },
    }


@bp.route("/<id:process_id>/timeline", methods=["GET"])
@bp.response(200, EntrySchema(many=True))
@bp.paginate()
@bp.errors(401, 404)
def timeline(process_id: int, pagination_parameters: PaginationParameters) -> list[dict[str, Any]]:
    """The process's log entries, oldest first, each statement decoded. Any signed-in role.

    Decoding is not verification: verify with `python -m audit verify` on a bundle, or check
    inclusion with `/api/v1/log/proof/inclusion`.
    """
    principal()
    get_process(process_id)
    stmt = sa.select(LogLeaf).where(LogLeaf.process_key == ledger.process_key(process_id)).order_by(LogLeaf.seq)
    return [entry_dict(row.seq, bytes(row.leaf)) for row in page_of(stmt, pagination_parameters)]


def _seat(process_id: int, user_id: int) -> m.CommitteeSeat | None:
    return db.session.scalar(
        sa.select(m.CommitteeSeat).where(m.CommitteeSeat.process_id == process_id, m.CommitteeSeat.user_id == user_id)
    )


def visibility(process: m.Process, caller: Principal, action: str) -> bool:
    """True: the caller sees every candidate; False: only their own. 403 when neither."""
    if caller.has_any(SEE_ALL):
        return True
    if caller.has_any(COMMITTEE):
        seat = _seat(process.id, caller.account.id)
        if seat is not None:
            if seat.pact_signed_at is None or seat.declared_at is None:
                raise NotPermittedError(action, [reason("role.not_permitted", role="undeclared_member",
                                                        action=action)])
            return True
    if Role.ASN in caller.roles and caller.account.employee_id is not None:
        return False
    held = ",".join(sorted(str(r) for r in caller.roles)) or "none"
    raise NotPermittedError(action, [reason("role.not_permitted", role=held, action=action)])


def candidate_dict(c: m.Candidate, nip: str | None, name: str | None) -> dict[str, Any]:
    return {
        "pseudonym": c.pseudonym, "eligible": c.eligible, "outcome": c.outcome, "in_pool": c.in_pool,
        "merit_rank": c.merit_rank, "box": c.box, "jpm": c.jpm, "composite": c.composite,
        "evidence_digest": c.evidence_digest,
        "decision": None if c.decision is None else str(c.decision),
        "exclusion_reason": None if c.exclusion_reason is None else str(c.exclusion_reason),
        "shortlist_rank": c.shortlist_rank, "recommended_rank": c.recommended_rank, "round": c.round,
        "nip": nip, "name": name,
    }


@bp.route("/<id:process_id>/candidates", methods=["GET"])
@bp.arguments(CandidateQuerySchema, location="query")
@bp.response(200, CandidateSchema(many=True))
@bp.paginate()
@bp.errors(401, 403, 404)
def candidates(
    query: dict[str, Any], process_id: int, pagination_parameters: PaginationParameters
) -> list[dict[str, Any]]:
    """Candidates by merit rank, then pseudonym.

    Admin, verifier, PPK, inspector: all. Committee member or chair: all, once seated here and
    pledged (pact + declaration), else 403. ASN: only their own candidacy. Filter: `in_pool`.
    """
    caller = principal()
    process = get_process(process_id)
    sees_all = visibility(process, caller, "view_candidates")
    stmt = (
        sa.select(m.Candidate, Employee.nip, Employee.name)
        .join(Employee, Employee.id == m.Candidate.employee_id)
        .where(m.Candidate.process_id == process.id)
        .order_by(m.Candidate.merit_rank.is_(None), m.Candidate.merit_rank, m.Candidate.pseudonym)
    )
    if not sees_all:
        stmt = stmt.where(m.Candidate.employee_id == caller.account.employee_id)
    if "in_pool" in query:
        stmt = stmt.where(m.Candidate.in_pool.is_(query["in_pool"]))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery())) or 0
    pagination_parameters.item_count = total
    if pagination_parameters.first_item >= total:
        return []
    rows = db.session.execute(stmt.offset(pagination_parameters.first_item).limit(pagination_parameters.page_size))
    return [candidate_dict(c, nip, name) for c, nip, name in rows]


@bp.route("/<id:process_id>/objections", methods=["GET"])
@bp.response(200, ObjectionSchema(many=True))
@bp.paginate()
@bp.errors(401, 403, 404)
def objections(process_id: int, pagination_parameters: PaginationParameters) -> list[dict[str, Any]]:
    """Objections of every round, oldest first. Same visibility as candidates; an ASN sees their own."""
    caller = principal()
    process = get_process(process_id)
    sees_all = visibility(process, caller, "view_objections")
    stmt = (
        sa.select(m.Objection, m.Candidate.pseudonym)
        .join(m.Candidate, m.Candidate.id == m.Objection.candidate_id)
        .where(m.Objection.process_id == process.id)
        .order_by(m.Objection.id)
    )
    if not sees_all:
        stmt = stmt.where(m.Objection.filed_by_id == caller.account.id)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery())) or 0
    pagination_parameters.item_count = total
    if pagination_parameters.first_item >= total:
        return []
    rows = db.session.execute(stmt.offset(pagination_parameters.first_item).limit(pagination_parameters.page_size))
    return [
        {"id": o.id, "round": o.round, "candidate": pseudonym, "text": o.text, "filed_at": o.filed_at,
         "upheld": o.upheld, "answer": o.answer, "answered_at": o.answered_at}
        for o, pseudonym in rows
    ]


@bp.route("/<id:process_id>/committee/me", methods=["GET"])
@bp.response(200, MemberViewSchema)
@bp.errors(401, 403, 404)
def my_seat(process_id: int) -> dict[str, Any]:
    """Your seat here and what a ballot needs: your `person` (the ballot's `member`) and the shortlist.

    `reveal_open` says whether the round is in its reveal phase (reveals accepted, commits closed):
    since `reveal_opened_at`, the chair's opening or the last voter's commitment, whichever came first.

    Committee member or chair roles; 403 when you hold no seat on this process.
    """
    caller = principal()
    process = get_process(process_id)
    seat = _seat(process.id, caller.account.id) if caller.has_any(COMMITTEE) else None
    if seat is None:
        raise NotPermittedError("view_seat", [reason("role.not_permitted", role="not_seated", action="view_seat")])
    shortlist = list(db.session.scalars(
        sa.select(m.Candidate.pseudonym)
        .where(m.Candidate.process_id == process.id, m.Candidate.round == process.round,
               m.Candidate.shortlist_rank.is_not(None))
        .order_by(m.Candidate.shortlist_rank)
    ))
    view = process_view(db.session, process).view
    return {
        "process_id": process.id, "person": member_person(db.session, process.id, caller.account),
        "seat": str(seat.seat), "pledged": seat.pact_signed_at is not None and seat.declared_at is not None,
        "recused": seat.recused, "shortlist": shortlist,
        "reveal_open": votes.reveal_open(view), "reveal_opened_at": votes.reveal_opened_at(view),
    }
