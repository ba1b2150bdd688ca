"""One POST per action on a process: parse the body, call the one service, return the process.

The same service functions as the web pages, with the same arguments, so the API and the web
write identical statements for the same action (tests/api/test_same_statements.py). Each body may
carry ``expected_basis`` (the process's ``basis`` as the caller read it); a stale one is a 409.

A token request must carry one of the action's roles in its scope (403 ``role.not_permitted``);
within that, the service decides exactly as for the web: role, seat, recusal, duty conflicts
(403), stage and guards (409, ``errors.reasons`` lists the refusal codes).
"""

from __future__ import annotations

from typing import Any

from flask import current_app

from workflow import services
from workflow.api.auth import Principal, principal, utcnow
from workflow.api.base import ApiBlueprint
from workflow.api.processes import bp, get_process, process_dict
from workflow.api.schemas import (
    AnswerSchema,
    AppointSchema,
    BasisSchema,
    CommitVoteSchema,
    CreateProcessSchema,
    ObjectionTextSchema,
    PledgeSchema,
    ProcessSchema,
    ReasonTextSchema,
    RevealVoteSchema,
    SeatMemberSchema,
    VerifySchema,
)
from workflow.extensions import db
from workflow.models import Role
from workflow.services._reasons import reason

ADMIN = (Role.ADMIN,)
COMMITTEE = (Role.COMMITTEE_MEMBER, Role.COMMITTEE_CHAIR)

# What a token's scope must include for each action (the services decide the rest).
ACTION_ROLES: dict[str, tuple[Role, ...]] = {
    "create": ADMIN, "seat": ADMIN, "form_committee": ADMIN, "nominate_pool": ADMIN, "shortlist": ADMIN,
    "announce": ADMIN, "cancel": (Role.ADMIN, Role.PPK),
    "pledge": COMMITTEE, "recuse": COMMITTEE, "commit_vote": COMMITTEE, "reveal_vote": COMMITTEE,
    "open_reveal": COMMITTEE,
    "close_review": COMMITTEE, "answer_objection": COMMITTEE, "resolve_objections": COMMITTEE,
    "reopen_shortlist": COMMITTEE,
    "verify_competency": (Role.VERIFIER,), "file_objection": (Role.ASN,), "appoint": (Role.PPK,),
}
ERRORS = (401, 403, 404, 409, 422)


def actor_for(action: str) -> Principal:
    """The caller; a token must carry one of the action's roles."""
    caller = principal()
    if caller.token is not None and not caller.has_any(ACTION_ROLES[action]):
        held = ",".join(sorted(str(r) for r in caller.roles)) or "none"
        raise services.NotPermittedError(action, [reason("role.not_permitted", role=f"token:{held}", action=action)])
    return caller


def basis(data: dict[str, Any]) -> bytes | None:
    value = data.get("expected_basis")
    return None if value is None else bytes.fromhex(value)


def result(process_id: int) -> dict[str, Any]:
    db.session.expire_all()
    return process_dict(get_process(process_id))


def _route(bp: ApiBlueprint, rule: str, schema: type, *, status: int = 200) -> Any:
    def decorator(func: Any) -> Any:
        func = bp.errors(*ERRORS)(func)
        func = bp.response(status, ProcessSchema)(func)
        func = bp.arguments(schema)(func)
        return bp.route(rule, methods=["POST"])(func)

    return decorator


@_route(bp, "", CreateProcessSchema, status=201)
def create(data: dict[str, Any]) -> dict[str, Any]:
    """Open a process (`draft`) for a vacant position. Admin."""
    caller = actor_for("create")
    process = services.create_process(
        db.session, actor=caller.actor, position_id=data["position_id"], route=str(data["route"]), now=utcnow(),
        planned_appointment_on=data["planned_appointment_on"], ppk_id=data["ppk_id"],
    )
    return result(process.id)


@_route(bp, "/<id:process_id>/committee/seats", SeatMemberSchema)
def seat(data: dict[str, Any], process_id: int) -> dict[str, Any]:
    """Seat an account on the committee (`draft` only). Admin."""
    caller = actor_for("seat")
    services.seat_member(
        db.session, process_id, actor=caller.actor, user_id=data["user_id"], now=utcnow(), seat=data["seat"],
        internal=data["internal"], expected_basis=basis(data),
    )
    return result(process_id)


@_route(bp, "/<id:process_id>/committee/pledge", PledgeSchema)
def pledge(data: dict[str, Any], process_id: int) -> dict[str, Any]:
    """Sign the integrity pact and conflict-of-interest declaration. The seated member."""
    caller = actor_for("pledge")
    services.sign_pledge(
        db.session, process_id, actor=caller.actor, now=utcnow(), declared_ties=data["declared_ties"],
        expected_basis=basis(data),
    )
    return result(process_id)


@_route(bp, "/<id:process_id>/committee/recuse", ReasonTextSchema)
def recuse(data: dict[str, Any], process_id: int) -> dict[str, Any]:
    """Recuse yourself, with a reason (kept in the database; the log has its SHA-256). The seated member."""
    caller = actor_for("recuse")
    services.recuse(
        db.session, process_id, actor=caller.actor, reason_text=data["reason"].strip(), now=utcnow(),
        expected_basis=basis(data),
    )
    return result(process_id)


@_route(bp, "/<id:process_id>/form-committee", BasisSchema)
def form_committee(data: dict[str, Any], process_id: int) -> dict[str, Any]:
    """`draft → committee_formed`. Admin."""
    caller = actor_for("form_committee")
    services.form_committee(db.session, process_id, actor=caller.actor, now=utcnow(), expected_basis=basis(data))
    return result(process_id)


@_route(bp, "/<id:process_id>/nominate-pool", BasisSchema)
def nominate_pool(data: dict[str, Any], process_id: int) -> dict[str, Any]:
    """`committee_formed → pool_nominated`: snapshot and evaluation, signed by the system key. Admin triggers."""
    caller = actor_for("nominate_pool")
    services.nominate_pool(db.session, process_id, actor=caller.actor, now=utcnow(), expected_basis=basis(data))
    return result(process_id)


@_route(bp, "/<id:process_id>/verify-competency", VerifySchema)
def verify_competency(data: dict[str, Any], process_id: int) -> dict[str, Any]:
    """`pool_nominated → competency_verified`: one decision per pool candidate. Verifier."""
    caller = actor_for("verify_competency")
    decisions = {
        d["candidate"]: services.CompetencyDecision(
            confirmed=d["confirmed"],
            reason=None if d["confirmed"] or d["reason"] is None else str(d["reason"]),
            note=d["note"].strip(),
        )
        for d in data["decisions"]
    }
    services.verify_competency(
        db.session, process_id, actor=caller.actor, decisions=decisions, now=utcnow(), expected_basis=basis(data)
    )
    return result(process_id)


@_route(bp, "/<id:process_id>/shortlist", BasisSchema)
def shortlist(data: dict[str, Any], process_id: int) -> dict[str, Any]:
    """`competency_verified → shortlisted`: the computed ranking, signed by the system key. Admin triggers."""
    caller = actor_for("shortlist")
    services.shortlist(db.session, process_id, actor=caller.actor, now=utcnow(), expected_basis=basis(data))
    return result(process_id)


@_route(bp, "/<id:process_id>/votes/commit", CommitVoteSchema)
def commit_vote(data: dict[str, Any], process_id: int) -> dict[str, Any]:
    """Commit to a ballot: `commitment` = SHA-256 of the ballot (docs/api.md). Seated, unrecused member or chair."""
    caller = actor_for("commit_vote")
    services.commit_vote(
        db.session, process_id, actor=caller.actor, commitment=data["commitment"], now=utcnow(),
        expected_basis=basis(data),
    )
    return result(process_id)


@_route(bp, "/<id:process_id>/votes/open-reveal", BasisSchema)
def open_reveal(data: dict[str, Any], process_id: int) -> dict[str, Any]:
    """Open the reveal phase before every member has committed; needs a quorum of commitments. Chair.

    Until then reveals are refused (409 `votes.reveal_not_open`); afterwards commits are (409
    `votes.commits_closed`). Once every voter has committed the phase is open without this call.
    """
    caller = actor_for("open_reveal")
    services.open_reveal(db.session, process_id, actor=caller.actor, now=utcnow(), expected_basis=basis(data))
    return result(process_id)


@_route(bp, "/<id:process_id>/votes/reveal", RevealVoteSchema)
def reveal_vote(data: dict[str, Any], process_id: int) -> dict[str, Any]:
    """Reveal the committed ballot: scores per shortlisted pseudonym, reason, nonce. Same member.

    Only in the reveal phase: every voter has committed, or the chair opened it (`votes/open-reveal`).
    """
    caller = actor_for("reveal_vote")
    services.reveal_vote(
        db.session, process_id, actor=caller.actor, scores=data["scores"], reason_text=data["reason"],
        nonce=data["nonce"], now=utcnow(), expected_basis=basis(data),
    )
    return result(process_id)


@_route(bp, "/<id:process_id>/close-review", BasisSchema)
def close_review(data: dict[str, Any], process_id: int) -> dict[str, Any]:
    """`shortlisted → committee_reviewed`: tally, quorum, recommendation. Chair."""
    caller = actor_for("close_review")
    services.close_review(db.session, process_id, actor=caller.actor, now=utcnow(), expected_basis=basis(data))
    return result(process_id)


@_route(bp, "/<id:process_id>/announce", BasisSchema)
def announce(data: dict[str, Any], process_id: int) -> dict[str, Any]:
    """`committee_reviewed → announced`: the objection window opens. Admin."""
    caller = actor_for("announce")
    services.announce(db.session, process_id, actor=caller.actor, now=utcnow(), expected_basis=basis(data))
    return result(process_id)


@_route(bp, "/<id:process_id>/objections", ObjectionTextSchema)
def file_objection(data: dict[str, Any], process_id: int) -> dict[str, Any]:
    """Object to your own result inside the window. ASN whose employee record is a candidate."""
    caller = actor_for("file_objection")
    services.file_objection(
        db.session, process_id, actor=caller.actor, text=data["text"].strip(), now=utcnow(),
        expected_basis=basis(data),
    )
    return result(process_id)


@_route(bp, "/<id:process_id>/objections/<id:objection_id>/answer", AnswerSchema)
def answer_objection(data: dict[str, Any], process_id: int, objection_id: int) -> dict[str, Any]:
    """Answer an objection of the current round: upheld or rejected, with a text. Chair."""
    caller = actor_for("answer_objection")
    services.answer_objection(
        db.session, process_id, objection_id, actor=caller.actor, upheld=data["upheld"],
        answer=data["answer"].strip(), now=utcnow(), expected_basis=basis(data),
    )
    return result(process_id)


@_route(bp, "/<id:process_id>/resolve-objections", BasisSchema)
def resolve_objections(data: dict[str, Any], process_id: int) -> dict[str, Any]:
    """`announced → objections_resolved` after the window, every objection answered. Chair."""
    caller = actor_for("resolve_objections")
    services.resolve_objections(db.session, process_id, actor=caller.actor, now=utcnow(),
                                expected_basis=basis(data))
    return result(process_id)


@_route(bp, "/<id:process_id>/reopen-shortlist", BasisSchema)
def reopen_shortlist(data: dict[str, Any], process_id: int) -> dict[str, Any]:
    """An upheld objection → `shortlisted` again, new round, recomputed ranking. Chair."""
    caller = actor_for("reopen_shortlist")
    services.reopen_shortlist(db.session, process_id, actor=caller.actor, now=utcnow(), expected_basis=basis(data))
    return result(process_id)


@_route(bp, "/<id:process_id>/appoint", AppointSchema)
def appoint(data: dict[str, Any], process_id: int) -> dict[str, Any]:
    """`objections_resolved → appointed` by decree; not rank 1 needs a justification. The process's PPK.

    Election-period windows come from the server's `PILKADA_WINDOWS` setting, as for the web.
    """
    caller = actor_for("appoint")
    digest = data["approval_letter_digest"]
    services.appoint(
        db.session, process_id, actor=caller.actor, appointee=data["appointee"],
        decree_number=data["decree_number"], decree_date=data["decree_date"], now=utcnow(),
        justification=data["justification"], approval_letter_digest=digest.lower() if digest else None,
        pilkada_windows=services.parse_pilkada_windows(current_app.config.get("PILKADA_WINDOWS")),
        expected_basis=basis(data),
    )
    return result(process_id)


@_route(bp, "/<id:process_id>/cancel", ReasonTextSchema)
def cancel(data: dict[str, Any], process_id: int) -> dict[str, Any]:
    """Cancel from any non-terminal stage, with a reason. Admin or PPK."""
    caller = actor_for("cancel")
    services.cancel_process(
        db.session, process_id, actor=caller.actor, reason_text=data["reason"].strip(), now=utcnow(),
        expected_basis=basis(data),
    )
    return result(process_id)
