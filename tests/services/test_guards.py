"""Every guard and segregation-of-duties rule refuses with its reason code and writes nothing."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable

import pytest
import sqlalchemy as sa

from tests.services.helpers import D, World, at, snapshot
from workflow import ledger, services
from workflow.errors import ConflictError, ForbiddenError, NotFoundError
from workflow.lifecycle import PilkadaWindow, Seat, Stage
from workflow.models import Position, Role
from workflow.models import process as m
from workflow.services import NotPermittedError, RefusedError


def refused(world: World, call: Callable[[], object], code: str, kind: type[Exception] = RefusedError) -> None:
    """``call`` raises ``kind`` carrying ``code`` and leaves the database exactly as it was."""
    before = snapshot(world.session)
    with pytest.raises(kind) as caught:
        call()
    codes = getattr(caught.value, "codes", [])
    assert not code or code in codes, codes
    assert snapshot(world.session) == before


# --- create, committee -------------------------------------------------------------------------


def test_create_needs_an_admin_a_vacant_position_and_no_open_process(world: World) -> None:
    s = world.session
    refused(world, lambda: services.create_process(s, actor=world.ppk, position_id=world.position_id, route="open",
                                                   now=at(0)), "role.not_permitted", NotPermittedError)
    world.create()
    refused(world, lambda: services.create_process(s, actor=world.admin, position_id=world.position_id,
                                                   route="open", now=at(1)), "process.position_busy")
    s.get(Position, world.other_position_id).is_vacant = False
    s.commit()
    refused(world, lambda: services.create_process(s, actor=world.admin, position_id=world.other_position_id,
                                                   route="open", now=at(1)), "process.position_not_vacant")
    refused(world, lambda: services.create_process(s, actor=world.admin, position_id=world.position_id,
                                                   route="lottery", now=at(1)), "process.route_unknown")


def test_the_database_also_allows_one_open_process_per_position(world: World) -> None:
    world.create()
    p = world.process()
    world.session.add(m.Process(
        position_id=p.position_id, route=p.route, ruleset_id=p.ruleset_id, ruleset_digest=p.ruleset_digest,
        status=Stage.DRAFT, pseudonym_secret=bytes(32), preparer_id=p.preparer_id, round=1,
        planned_appointment_on=p.planned_appointment_on, created_at=at(1), updated_at=at(1)))
    with pytest.raises(sa.exc.IntegrityError):
        world.session.flush()
    world.session.rollback()


def test_seating_rules(world: World) -> None:
    s, pid = world.session, world.create()
    refused(world, lambda: services.seat_member(s, pid, actor=world.chair, user_id=world.members[0].id, now=at(1)),
            "role.not_permitted", NotPermittedError)
    refused(world, lambda: services.seat_member(s, pid, actor=world.admin, user_id=world.verifier.id, now=at(1)),
            "committee.account_not_eligible")
    services.seat_member(s, pid, actor=world.admin, user_id=world.chair.id, seat=Seat.CHAIR, now=at(1))
    refused(world, lambda: services.seat_member(s, pid, actor=world.admin, user_id=world.chair.id, now=at(1)),
            "committee.already_seated")
    refused(world, lambda: services.sign_pledge(s, pid, actor=world.members[0], now=at(2)),
            "role.not_seated", NotPermittedError)


def test_committee_composition_guards(world: World) -> None:
    s, pid = world.session, world.create()
    world.seat_all()
    refused(world, lambda: services.form_committee(s, pid, actor=world.admin, now=at(3)), "committee.pact_unsigned")
    world.pledge_all()
    refused(world, lambda: services.form_committee(s, pid, actor=world.verifier, now=at(3)),
            "role.not_permitted", NotPermittedError)
    services.cancel_process(s, pid, actor=world.admin, reason_text="restart", now=at(3))
    # An even committee with a majority of internal members and no chair.
    pid = world.create(4)
    for user in world.members:
        services.seat_member(s, pid, actor=world.admin, user_id=user.id, internal=True, now=at(4))
        services.sign_pledge(s, pid, actor=user, now=at(4))
    for code in ("committee.size_out_of_bounds", "committee.size_even", "committee.internal_share_exceeded",
                 "committee.chair_missing"):
        refused(world, lambda: services.form_committee(s, pid, actor=world.admin, now=at(5)), code)
    refused(world, lambda: services.seat_member(s, pid, actor=world.admin, user_id=world.chair.id, now=at(5),
                                                expected_basis=bytes(32)), "", ConflictError)  # stale basis


def test_committee_cannot_change_after_it_is_formed(world: World) -> None:
    world.advance(Stage.COMMITTEE_FORMED)
    refused(world, lambda: services.seat_member(world.session, world.process_id, actor=world.admin,
                                                user_id=world.chair.id, now=at(4)), "committee.closed")


# --- segregation of duties -----------------------------------------------------------------------


def test_a_preparer_on_the_committee_is_refused_as_their_own_conflict(world: World) -> None:
    s, pid = world.session, world.create()
    world.admin2.roles.append(type(world.admin2.roles[0])(role=Role.COMMITTEE_MEMBER))
    s.commit()
    for user in [world.chair, *world.members[:3], world.admin2]:
        services.seat_member(s, pid, actor=world.admin, user_id=user.id, now=at(1),
                             seat=Seat.CHAIR if user is world.chair else Seat.MEMBER)
        services.sign_pledge(s, pid, actor=user, now=at(2))
    refused(world, lambda: services.form_committee(s, pid, actor=world.admin2, now=at(3)),
            "sod.conflict", NotPermittedError)


def test_a_member_who_is_a_candidate_blocks_the_pool(world: World) -> None:
    s, pid = world.session, world.create()
    world.members[3].employee_id = world.employees[1].id  # the internal member is now eligible
    s.commit()
    world.seat_all()
    world.pledge_all()
    services.form_committee(s, pid, actor=world.admin, now=at(3))
    refused(world, lambda: services.nominate_pool(s, pid, actor=world.admin, now=at(4)),
            "committee.member_is_candidate")


def test_a_declared_tie_forces_recusal_before_the_pool(world: World) -> None:
    s, pid = world.session, world.create()
    world.seat_all()
    for user in world.committee:
        ties = [world.employees[0].id] if user is world.members[0] else []
        services.sign_pledge(s, pid, actor=user, declared_ties=ties, now=at(2))
    services.form_committee(s, pid, actor=world.admin, now=at(3))
    refused(world, lambda: services.nominate_pool(s, pid, actor=world.admin, now=at(4)),
            "committee.conflict_not_recused")
    services.recuse(s, pid, actor=world.members[0], reason_text="cousin of a candidate", now=at(4))
    services.nominate_pool(s, pid, actor=world.admin, now=at(5))
    services.verify_competency(s, pid, actor=world.verifier, decisions=world.decisions(), now=at(6))
    services.shortlist(s, pid, actor=world.admin, now=at(7))
    refused(world, lambda: services.commit_vote(s, pid, actor=world.members[0], commitment="a" * 64, now=at(8)),
            "role.recused", NotPermittedError)


def test_a_verifier_who_is_a_candidate_may_not_verify(world: World) -> None:
    world.advance(Stage.POOL_NOMINATED)
    world.verifier.employee_id = world.employees[3].id
    world.session.commit()
    refused(world, lambda: services.verify_competency(world.session, world.process_id, actor=world.verifier,
                                                      decisions=world.decisions(), now=at(5)),
            "sod.conflict", NotPermittedError)


# --- verification, votes, review --------------------------------------------------------------


def test_verification_guards(world: World) -> None:
    world.advance(Stage.POOL_NOMINATED)
    s, pid = world.session, world.process_id
    first = world.pool()[0].pseudonym
    partial = dict(list(world.decisions().items())[1:])
    refused(world, lambda: services.verify_competency(s, pid, actor=world.verifier, decisions=partial, now=at(5)),
            "verification.missing")
    for code, decision in (("verification.reason_unknown", services.CompetencyDecision(False, "dislike")),
                           ("verification.reason_missing", services.CompetencyDecision(False)),
                           ("verification.note_missing", services.CompetencyDecision(False, "other_documented"))):
        decisions = {**world.decisions(), first: decision}
        refused(world, lambda d=decisions: services.verify_competency(s, pid, actor=world.verifier, decisions=d,
                                                                      now=at(5)), code)


def test_vote_guards(world: World) -> None:
    world.advance(Stage.SHORTLISTED)
    s, pid = world.session, world.process_id
    refused(world, lambda: services.commit_vote(s, pid, actor=world.ppk, commitment="a" * 64, now=at(7)),
            "role.not_permitted", NotPermittedError)
    refused(world, lambda: services.commit_vote(s, pid, actor=world.chair, commitment="not-hex", now=at(7)),
            "votes.malformed")
    refused(world, lambda: services.close_review(s, pid, actor=world.chair, now=at(7)), "review.quorum_not_met")
    refused(world, lambda: services.close_review(s, pid, actor=world.members[0], now=at(7)),
            "role.not_permitted", NotPermittedError)
    scores = {p: 1 for p in world.ranking()}
    nonce = "ab" * 16
    digest = services.ballot_commitment(s, pid, member=world.chair, scores=scores, reason_text="r", nonce=nonce)
    services.commit_vote(s, pid, actor=world.chair, commitment=digest, now=at(7))
    refused(world, lambda: services.commit_vote(s, pid, actor=world.chair, commitment=digest, now=at(7)),
            "votes.already_committed")
    # Still the commit phase: no reveal, and the chair may not open reveals with one commitment.
    refused(world, lambda: services.reveal_vote(s, pid, actor=world.chair, scores=scores, reason_text="r",
                                                nonce=nonce, now=at(7)), "votes.reveal_not_open")
    refused(world, lambda: services.open_reveal(s, pid, actor=world.chair, now=at(7)), "votes.open_reveal_too_few")
    refused(world, lambda: services.open_reveal(s, pid, actor=world.members[0], now=at(7)),
            "role.not_permitted", NotPermittedError)
    for member in world.members[:2]:
        services.commit_vote(s, pid, actor=member, commitment=secrets.token_hex(32), now=at(7))
    services.open_reveal(s, pid, actor=world.chair, now=at(8))
    refused(world, lambda: services.open_reveal(s, pid, actor=world.chair, now=at(8)), "votes.reveal_already_open")
    refused(world, lambda: services.reveal_vote(s, pid, actor=world.chair, scores={**scores, world.ranking()[0]: 9},
                                                reason_text="r", nonce=nonce, now=at(8)), "votes.reveal_mismatch")
    refused(world, lambda: services.reveal_vote(s, pid, actor=world.members[2], scores=scores, reason_text="r",
                                                nonce=nonce, now=at(8)), "votes.reveal_without_commit")
    # The reveal phase is open: a late member may no longer commit.
    refused(world, lambda: services.commit_vote(s, pid, actor=world.members[2], commitment="b" * 64, now=at(8)),
            "votes.commits_closed")
    services.reveal_vote(s, pid, actor=world.chair, scores=scores, reason_text="r", nonce=nonce, now=at(8))
    refused(world, lambda: services.commit_vote(s, pid, actor=world.members[2], commitment="b" * 64, now=at(9)),
            "votes.commits_closed")


def _ballot(world: World, member: object) -> tuple[dict[str, int], str, str]:
    scores = {p: 5 - i for i, p in enumerate(world.ranking())}
    nonce = secrets.token_hex(16)
    digest = services.ballot_commitment(world.session, world.process_id, member=member, scores=scores,
                                        reason_text="merit", nonce=nonce)
    return scores, nonce, digest


def test_one_member_revealing_early_cannot_stall_the_round(world: World) -> None:
    """The stall: member A commits and tries to reveal at once. Refused, so the others can still
    commit; with the last commitment the reveal phase opens by itself and the round is quorate."""
    world.advance(Stage.SHORTLISTED)
    s, pid = world.session, world.process_id
    a = world.members[0]
    ballots = {a.id: _ballot(world, a)}
    services.commit_vote(s, pid, actor=a, commitment=ballots[a.id][2], now=at(7))
    scores, nonce, _ = ballots[a.id]
    refused(world, lambda: services.reveal_vote(s, pid, actor=a, scores=scores, reason_text="merit", nonce=nonce,
                                                now=at(7)), "votes.reveal_not_open")
    for user in world.committee:
        if user.id != a.id:
            ballots[user.id] = _ballot(world, user)
            services.commit_vote(s, pid, actor=user, commitment=ballots[user.id][2], now=at(7))
    for user in world.committee:
        scores, nonce, _ = ballots[user.id]
        services.reveal_vote(s, pid, actor=user, scores=scores, reason_text="merit", nonce=nonce, now=at(8))
    services.close_review(s, pid, actor=world.chair, now=at(9))
    assert world.process().status == Stage.COMMITTEE_REVIEWED
    # Nobody opened the phase: it opened with the last commitment, and no opening was recorded.
    assert s.scalars(sa.select(m.RevealOpening)).all() == []


def test_chair_opens_reveals_with_a_quorum_and_the_round_closes(world: World) -> None:
    world.advance(Stage.SHORTLISTED)
    s, pid = world.session, world.process_id
    voters = [world.chair, *world.members[:2]]
    ballots = {u.id: _ballot(world, u) for u in voters}
    for user in voters[:2]:
        services.commit_vote(s, pid, actor=user, commitment=ballots[user.id][2], now=at(7))
    refused(world, lambda: services.open_reveal(s, pid, actor=world.chair, now=at(7)), "votes.open_reveal_too_few")
    services.commit_vote(s, pid, actor=voters[2], commitment=ballots[voters[2].id][2], now=at(7))
    opening = services.open_reveal(s, pid, actor=world.chair, now=at(8))
    chair_seat = s.scalars(sa.select(m.CommitteeSeat).where(m.CommitteeSeat.process_id == pid,
                                                            m.CommitteeSeat.user_id == world.chair.id)).one()
    assert (opening.round, opening.seat_id, opening.opened_at.replace(tzinfo=dt.UTC)) == (1, chair_seat.id, at(8))
    for user in voters:
        scores, nonce, _ = ballots[user.id]
        services.reveal_vote(s, pid, actor=user, scores=scores, reason_text="merit", nonce=nonce, now=at(8))
    services.close_review(s, pid, actor=world.chair, now=at(9))
    assert world.process().status == Stage.COMMITTEE_REVIEWED


# --- objections and the window -----------------------------------------------------------------


def test_objection_guards(world: World) -> None:
    world.advance(Stage.ANNOUNCED)
    s, pid = world.session, world.process_id
    refused(world, lambda: services.file_objection(s, pid, actor=world.stranger, text="x", now=at(11)),
            "objection.not_candidate", NotPermittedError)
    refused(world, lambda: services.file_objection(s, pid, actor=world.chair, text="x", now=at(11)),
            "role.not_permitted", NotPermittedError)
    late = at(10) + dt.timedelta(days=5)
    refused(world, lambda: services.file_objection(s, pid, actor=world.asn, text="x", now=late),
            "objection.window_closed")
    refused(world, lambda: services.resolve_objections(s, pid, actor=world.chair, now=at(11)),
            "objections.window_open")
    objection = services.file_objection(s, pid, actor=world.asn, text="please re-check", now=at(11))
    refused(world, lambda: services.resolve_objections(s, pid, actor=world.chair, now=late),
            "objections.unanswered")
    refused(world, lambda: services.reopen_shortlist(s, pid, actor=world.chair, now=at(12)), "objections.none_upheld")
    refused(world, lambda: services.answer_objection(s, pid, objection.id, actor=world.members[0], upheld=True,
                                                     answer="ok", now=at(12)), "role.not_permitted", NotPermittedError)
    services.answer_objection(s, pid, objection.id, actor=world.chair, upheld=True, answer="ok", now=at(12))
    refused(world, lambda: services.answer_objection(s, pid, objection.id, actor=world.chair, upheld=False,
                                                     answer="no", now=at(12)), "objection.already_answered")
    services.resolve_objections(s, pid, actor=world.chair, now=late)
    best = world.ranking()[0]
    refused(world, lambda: services.appoint(s, pid, actor=world.ppk, appointee=best, decree_number="1",
                                            decree_date=D(2026, 3, 9), now=late), "objections.upheld")


# --- appointment and cancellation ----------------------------------------------------------------


def test_appointment_guards(world: World) -> None:
    world.advance(Stage.OBJECTIONS_RESOLVED)
    s, pid = world.session, world.process_id
    now = at(10) + dt.timedelta(days=6)
    rec = [c.pseudonym for c in sorted((c for c in world.pool() if c.recommended_rank),
                                       key=lambda c: c.recommended_rank or 0)]
    not_recommended = world.pool()[-1].pseudonym

    def appoint(**kw: object) -> Callable[[], object]:
        args: dict = {"appointee": rec[0], "decree_number": "821/1", "decree_date": D(2026, 3, 9), **kw}
        return lambda: services.appoint(s, pid, actor=kw.pop("actor", world.ppk), now=now, **args)

    refused(world, appoint(appointee=rec[1]), "appoint.justification_required")
    refused(world, appoint(appointee=not_recommended), "appoint.not_recommended")
    refused(world, appoint(decree_date=D(2026, 3, 1)), "appoint.decree_backdated")
    refused(world, appoint(decree_number=""), "appoint.decree_missing")
    window = [PilkadaWindow(D(2026, 3, 1), D(2026, 9, 1))]
    refused(world, appoint(pilkada_windows=window), "appoint.pilkada_approval_missing")
    refused(world, lambda: services.appoint(s, pid, actor=world.ppk2, appointee=rec[0], decree_number="1",
                                            decree_date=D(2026, 3, 9), now=now),
            "role.not_process_ppk", NotPermittedError)
    refused(world, lambda: services.appoint(s, pid, actor=world.admin, appointee=rec[0], decree_number="1",
                                            decree_date=D(2026, 3, 9), now=now), "role.not_permitted",
            NotPermittedError)
    # Justified deviation inside a Pilkada window with the approval letter: accepted, and flagged.
    services.appoint(s, pid, actor=world.ppk, appointee=rec[1], decree_number="821/1", decree_date=D(2026, 3, 9),
                     justification="rank 1 declined", approval_letter_digest="ab" * 32, pilkada_windows=window,
                     now=now)
    assert world.process().status == Stage.APPOINTED
    refused(world, lambda: services.cancel_process(s, pid, actor=world.admin, reason_text="x", now=now),
            "stage.illegal_event")


def test_cancel_needs_a_reason_and_a_permitted_role(world: World) -> None:
    world.advance(Stage.COMMITTEE_FORMED)
    s, pid = world.session, world.process_id
    refused(world, lambda: services.cancel_process(s, pid, actor=world.admin, reason_text=" ", now=at(4)),
            "cancel.reason_required")
    refused(world, lambda: services.cancel_process(s, pid, actor=world.chair, reason_text="x", now=at(4)),
            "role.not_permitted", NotPermittedError)
    services.cancel_process(s, pid, actor=world.ppk, reason_text="budget withdrawn", now=at(4))
    assert world.process().status == Stage.CANCELLED
    world.create(5)  # the position is free again


def test_unknown_process_is_404(world: World) -> None:
    with pytest.raises(NotFoundError):
        services.form_committee(world.session, 999, actor=world.admin, now=at(1))
    assert issubclass(NotPermittedError, ForbiddenError) and issubclass(RefusedError, ConflictError)
    assert ledger.StaleBasisError.status == 409


def test_pilkada_windows_parse_iso_pairs_and_name_a_bad_pair() -> None:
    assert services.parse_pilkada_windows([("2026-01-01", dt.date(2026, 6, 30))]) == (
        PilkadaWindow(dt.date(2026, 1, 1), dt.date(2026, 6, 30)),
    )
    assert services.parse_pilkada_windows(None) == ()
    with pytest.raises(ValueError, match=r"2026-13-01"):
        services.parse_pilkada_windows([("2026-01-01", "2026-06-30"), ("2026-13-01", "2026-12-31")])
    with pytest.raises(ValueError, match=r"2026-01-01"):
        services.parse_pilkada_windows([("2026-01-01",)])  # type: ignore[list-item]


def test_create_refuses_a_post_type_the_pinned_rules_cannot_nominate_for(world: World) -> None:
    s = world.session
    post = s.get(Position, world.other_position_id)
    post.type = "pelaksana"  # rule set 2026.1 has no eligibility rules for pelaksana posts
    s.commit()
    refused(world, lambda: services.create_process(s, actor=world.admin, position_id=post.id, route="open",
                                                   now=at(1)), "process.position_type_unruled")
