"""Red flags produced the way they happen: through the services, or by an insider's SQL on the live
tables. Each is refused live (409 naming the rule) and, when the guard is bypassed (a server without
it, or a compromised one), named offline by the replay: process, rule and log entry index."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from tests.compliance.helpers import AFTER_WINDOW, appoint, entry_index, hard, replay, rules, tamper_evidence
from tests.services.helpers import D, World, at
from workflow import services
from workflow.lifecycle import Stage
from workflow.models import Employee
from workflow.models import process as m


@pytest.fixture
def unguarded(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A server without the compliance guard: what reaches the log is up to the replay."""
    monkeypatch.setattr("workflow.services._tx.check_statement", lambda *args, **kwargs: None)
    yield


def refused_rules(exc: pytest.ExceptionInfo[services.RefusedError]) -> set[str]:
    return {code for code in exc.value.codes if code.startswith("compliance.")}


def test_clean_processes_have_no_hard_finding(world: World) -> None:
    world.advance(Stage.OBJECTIONS_RESOLVED)
    appoint(world)
    first = world.process_id
    world.position_id = world.other_position_id
    world.advance(Stage.COMMITTEE_REVIEWED)
    result = replay(world)
    assert result.integrity.ok and result.processes == (first, world.process_id)
    assert hard(result) == [] and result.ok
    assert not [f for f in result.findings if f.rule != "R7"]


# --- R8: a score (evidence) edited after the snapshot ------------------------------------------


def test_evidence_edited_after_snapshot_blocks_the_shortlist_and_is_named(world: World) -> None:
    world.advance(Stage.COMPETENCY_VERIFIED)
    tamper_evidence(world, world.pool()[2], golongan="IV/c")
    with pytest.raises(services.RefusedError) as exc:
        services.shortlist(world.session, world.process_id, actor=world.admin, now=at(6))
    assert refused_rules(exc) == {"compliance.R8"}
    assert "R8" in str(exc.value)
    result = replay(world)
    assert not result.ok
    [found] = hard(result)
    assert (found.rule, found.key, found.process) == ("R8", "evidence.changed", world.process_id)
    assert found.entries == (entry_index(world, world.process_id, "process.nominate_pool"),)
    assert found.params["candidate"] == world.pool()[2].pseudonym


def test_untouched_evidence_replays_byte_for_byte(world: World) -> None:
    world.advance(Stage.SHORTLISTED)
    result = replay(world)
    assert hard(result) == []


# --- R7: the appointee swapped -------------------------------------------------------------------


def _swap_recommendation(world: World) -> str:
    """An insider puts a non-shortlisted pool candidate first in the stored recommendation."""
    outsider = world.pool()[4]
    world.session.execute(sa.update(m.Candidate).where(m.Candidate.id == outsider.id)
                          .values(recommended_rank=1, round=world.process().round))
    world.session.execute(sa.update(m.Candidate).where(m.Candidate.id == world.pool()[0].id)
                          .values(recommended_rank=None))
    world.session.commit()
    return outsider.pseudonym


def test_swapped_appointee_is_refused_live(world: World) -> None:
    world.advance(Stage.OBJECTIONS_RESOLVED)
    swapped = _swap_recommendation(world)
    with pytest.raises(services.RefusedError) as exc:
        services.appoint(world.session, world.process_id, actor=world.ppk, appointee=swapped, decree_number="1",
                         decree_date=D(2026, 3, 9), now=AFTER_WINDOW)
    assert refused_rules(exc) == {"compliance.R7"}


def test_swapped_appointee_is_named_offline(world: World, unguarded: None) -> None:
    world.advance(Stage.OBJECTIONS_RESOLVED)
    swapped = _swap_recommendation(world)
    services.appoint(world.session, world.process_id, actor=world.ppk, appointee=swapped, decree_number="1",
                     decree_date=D(2026, 3, 9), now=AFTER_WINDOW)
    result = replay(world)
    index = entry_index(world, world.process_id, "process.appoint")
    assert ("R7", "appoint.not_recommended") in rules(hard(result))
    found = next(f for f in hard(result) if f.rule == "R7")
    assert found.process == world.process_id and index in found.entries


def test_rank_two_with_justification_is_soft_and_rank_one_is_clean(world: World) -> None:
    world.advance(Stage.OBJECTIONS_RESOLVED)
    appoint(world, rank=2, justification="Kebutuhan organisasi: pengalaman lapangan.")
    result = replay(world)
    assert hard(result) == []
    assert ("R7", "appoint.deviation") in rules(result.findings)


# --- R14: a recused member voted -----------------------------------------------------------------


def _recuse_then_unrecuse(world: World) -> None:
    member = world.members[0]
    services.recuse(world.session, world.process_id, actor=member, reason_text="Saudara kandidat", now=at(6))
    world.session.execute(sa.update(m.CommitteeSeat).where(m.CommitteeSeat.user_id == member.id)
                          .values(recused=False, recusal_reason=None))
    world.session.commit()


def test_recused_member_vote_is_refused_live(world: World) -> None:
    world.advance(Stage.SHORTLISTED)
    _recuse_then_unrecuse(world)
    with pytest.raises(services.RefusedError) as exc:
        world.vote([world.members[0]], 7)
    assert refused_rules(exc) == {"compliance.R14"}


def test_recused_member_vote_is_named_offline(world: World, unguarded: None) -> None:
    world.advance(Stage.SHORTLISTED)
    _recuse_then_unrecuse(world)
    world.vote([world.chair, world.members[0], world.members[1]], 7)
    result = replay(world)
    commit = entry_index(world, world.process_id, "vote.commit", 1)
    found = [f for f in hard(result) if f.key == "votes.recused"]
    assert [(f.rule, f.process) for f in found] == [("R14", world.process_id)] * 2
    assert commit in found[0].entries


def test_recused_member_who_did_not_vote_is_no_finding(world: World) -> None:
    world.advance(Stage.SHORTLISTED)
    services.recuse(world.session, world.process_id, actor=world.members[0], reason_text="Saudara", now=at(6))
    world.vote([world.chair, *world.members[1:]], 7)
    services.close_review(world.session, world.process_id, actor=world.chair, now=at(9))
    assert hard(replay(world)) == []


# --- R4: a vote row inserted without a signed entry ---------------------------------------------


def test_inserted_vote_row_is_refused_at_review(world: World) -> None:
    world.advance(Stage.SHORTLISTED)
    world.vote([world.chair, world.members[0], world.members[1]], 7)
    member = world.members[2]
    scores = {p: 1 for p in world.ranking()}
    nonce = secrets.token_hex(16)
    digest = services.ballot_commitment(world.session, world.process_id, member=member, scores=scores,
                                        reason_text="x", nonce=nonce)
    seat = world.session.scalars(sa.select(m.CommitteeSeat).where(m.CommitteeSeat.user_id == member.id)).one()
    world.session.add_all([
        m.VoteCommit(process_id=world.process_id, seat_id=seat.id, round=1, digest=digest, committed_at=at(7)),
        m.VoteReveal(process_id=world.process_id, seat_id=seat.id, round=1, scores=scores, reason="x", nonce=nonce,
                     revealed_at=at(8)),
    ])
    world.session.commit()
    with pytest.raises(services.RefusedError) as exc:
        services.close_review(world.session, world.process_id, actor=world.chair, now=at(9))
    assert "compliance.R4" in refused_rules(exc)


# --- R8 / C7: vote phases (commit, then reveal) ---------------------------------------------------


def _ballots(world: World, voters: list) -> dict[int, tuple[dict[str, int], str]]:
    """Each voter commits (at minute 7); returns their (scores, nonce) to reveal later."""
    out = {}
    for user in voters:
        scores = {p: 5 - i for i, p in enumerate(world.ranking())}
        nonce = secrets.token_hex(16)
        digest = services.ballot_commitment(world.session, world.process_id, member=user, scores=scores,
                                            reason_text="merit", nonce=nonce)
        services.commit_vote(world.session, world.process_id, actor=user, commitment=digest, now=at(7))
        out[user.id] = (scores, nonce)
    return out


def _insert_opening(world: World) -> None:
    """An insider opens the reveal phase in the database only: no ``vote.open_reveal`` statement."""
    seat = world.session.scalars(sa.select(m.CommitteeSeat).where(m.CommitteeSeat.user_id == world.chair.id)).one()
    world.session.add(m.RevealOpening(process_id=world.process_id, round=1, seat_id=seat.id, opened_at=at(7)))
    world.session.commit()


def test_chair_opened_round_replays_clean(world: World) -> None:
    world.advance(Stage.SHORTLISTED)
    world.vote([world.chair, *world.members[:2]], 7)  # the chair opens the reveals with three commitments
    services.close_review(world.session, world.process_id, actor=world.chair, now=at(9))
    result = replay(world)
    assert hard(result) == []
    assert entry_index(world, world.process_id, "vote.open_reveal") < entry_index(world, world.process_id,
                                                                                  "vote.reveal")


def test_reveal_before_the_phase_opened_is_refused_live(world: World) -> None:
    world.advance(Stage.SHORTLISTED)
    ballots = _ballots(world, [world.chair, *world.members[:2]])
    _insert_opening(world)
    scores, nonce = ballots[world.chair.id]
    with pytest.raises(services.RefusedError) as exc:
        services.reveal_vote(world.session, world.process_id, actor=world.chair, scores=scores, reason_text="merit",
                             nonce=nonce, now=at(8))
    assert refused_rules(exc) == {"compliance.R8"}
    assert [r.params["key"] for r in exc.value.reasons] == ["votes.reveal_before_open"]


def test_reveal_before_the_phase_opened_is_named_offline(world: World, unguarded: None) -> None:
    world.advance(Stage.SHORTLISTED)
    ballots = _ballots(world, [world.chair, *world.members[:2]])
    _insert_opening(world)
    scores, nonce = ballots[world.chair.id]
    services.reveal_vote(world.session, world.process_id, actor=world.chair, scores=scores, reason_text="merit",
                         nonce=nonce, now=at(8))
    [found] = hard(replay(world))
    assert (found.rule, found.key, found.process) == ("R8", "votes.reveal_before_open", world.process_id)
    assert found.entries == (entry_index(world, world.process_id, "vote.reveal"),)


def _open_then_forget(world: World) -> None:
    """Three commit, the chair opens the reveals (signed), then an insider deletes the opening row."""
    _ballots(world, [world.chair, *world.members[:2]])
    services.open_reveal(world.session, world.process_id, actor=world.chair, now=at(8))
    world.session.execute(sa.delete(m.RevealOpening))
    world.session.commit()


def test_commit_after_the_phase_opened_is_refused_live(world: World) -> None:
    world.advance(Stage.SHORTLISTED)
    _open_then_forget(world)
    with pytest.raises(services.RefusedError) as exc:
        services.commit_vote(world.session, world.process_id, actor=world.members[2], commitment="c" * 64, now=at(9))
    assert refused_rules(exc) == {"compliance.R8"}


def test_commit_after_the_phase_opened_is_named_offline(world: World, unguarded: None) -> None:
    world.advance(Stage.SHORTLISTED)
    _open_then_forget(world)
    services.commit_vote(world.session, world.process_id, actor=world.members[2], commitment="c" * 64, now=at(9))
    [found] = hard(replay(world))
    assert (found.rule, found.key) == ("R8", "votes.commit_after_open")
    opening = entry_index(world, world.process_id, "vote.open_reveal")
    assert found.entries == (opening, entry_index(world, world.process_id, "vote.commit", 3))


# --- R10 / R9: shortlist integrity and eligibility ----------------------------------------------


def _swap_ranks(world: World) -> None:
    pool = world.pool()
    third, fourth = pool[2], pool[3]
    world.session.execute(sa.update(m.Candidate).where(m.Candidate.id == third.id).values(merit_rank=4))
    world.session.execute(sa.update(m.Candidate).where(m.Candidate.id == fourth.id).values(merit_rank=3))
    world.session.commit()


def test_edited_ranks_are_refused_at_shortlist(world: World) -> None:
    world.advance(Stage.COMPETENCY_VERIFIED)
    _swap_ranks(world)
    with pytest.raises(services.RefusedError) as exc:
        services.shortlist(world.session, world.process_id, actor=world.admin, now=at(6))
    assert refused_rules(exc) == {"compliance.R10"}


def test_edited_ranks_are_named_offline(world: World, unguarded: None) -> None:
    world.advance(Stage.SHORTLISTED)
    result = replay(world)
    assert hard(result) == []
    # Next round, same manipulation, on a second process.
    world.position_id = world.other_position_id
    world.advance(Stage.COMPETENCY_VERIFIED)
    _swap_ranks(world)
    services.shortlist(world.session, world.process_id, actor=world.admin, now=at(6))
    result = replay(world)
    [found] = hard(result)
    assert (found.rule, found.key, found.process) == ("R10", "shortlist.differs", world.process_id)
    assert entry_index(world, world.process_id, "process.shortlist") in found.entries


def test_ineligible_candidate_pushed_into_the_pool_is_refused(world: World) -> None:
    world.advance(Stage.COMPETENCY_VERIFIED)
    # The insider adds the III/a employee (no candidate row: the nomination found them ineligible)
    # as a confirmed, top-ranked pool candidate.
    world.session.add(m.Candidate(
        process_id=world.process_id, employee_id=world.employees[5].id, pseudonym="p-000000000000000000000000",
        evidence=b"{}", evidence_digest="0" * 64, result=b"{}", eligible=True, outcome="ranked", merit_rank=0,
        box=9, jpm="100", composite="100", in_pool=True, decision=m.Decision.CONFIRMED, verified_at=at(5),
    ))
    world.session.commit()
    with pytest.raises(services.RefusedError) as exc:
        services.shortlist(world.session, world.process_id, actor=world.admin, now=at(6))
    assert {"compliance.R9", "compliance.R10"} <= refused_rules(exc)


# --- R11 / R17: objections and dates ------------------------------------------------------------


def test_objection_answered_only_in_the_database_blocks_resolution(world: World) -> None:
    world.advance(Stage.ANNOUNCED)
    objection = services.file_objection(world.session, world.process_id, actor=world.asn, now=at(11),
                                        text="Penilaian saya keliru.")
    world.session.execute(sa.update(m.Objection).where(m.Objection.id == objection.id)
                          .values(upheld=False, answer="ditolak", answered_at=at(12)))
    world.session.commit()
    with pytest.raises(services.RefusedError) as exc:
        services.resolve_objections(world.session, world.process_id, actor=world.chair, now=AFTER_WINDOW)
    assert refused_rules(exc) == {"compliance.R11"}


def test_answered_objection_is_no_finding(world: World) -> None:
    world.advance(Stage.ANNOUNCED)
    objection = services.file_objection(world.session, world.process_id, actor=world.asn, now=at(11),
                                        text="Penilaian saya keliru.")
    services.answer_objection(world.session, world.process_id, objection.id, actor=world.chair, upheld=False,
                              answer="Nilai sudah sesuai.", now=at(12))
    services.resolve_objections(world.session, world.process_id, actor=world.chair, now=AFTER_WINDOW)
    appoint(world)
    assert hard(replay(world)) == []


def test_decision_date_moved_back_in_the_database_cannot_backdate_the_decree(world: World) -> None:
    world.advance(Stage.OBJECTIONS_RESOLVED)
    world.session.execute(sa.update(m.Process).where(m.Process.id == world.process_id)
                          .values(committee_decided_at=at(-60 * 24 * 30)))
    world.session.commit()
    with pytest.raises(services.RefusedError) as exc:
        appoint(world, decree_date=D(2026, 2, 1))
    assert refused_rules(exc) == {"compliance.R17"}


# --- R15 / R5: thin field, single candidate; R19: profile churn ---------------------------------


def test_thin_single_candidate_field_is_soft(world: World) -> None:
    ids = [e.id for e in world.employees[1:5]]
    world.session.execute(sa.update(Employee).where(Employee.id.in_(ids)).values(golongan="III/a"))
    world.session.commit()
    world.advance(Stage.POOL_NOMINATED)
    result = replay(world)
    assert hard(result) == []
    assert {("R15", "field.thin"), ("R5", "field.single_pool")} <= rules(result.findings)


def test_profile_change_between_two_snapshots_is_churn(world: World) -> None:
    world.advance(Stage.POOL_NOMINATED)
    first = world.process_id
    assert not [f for f in replay(world).findings if f.rule == "R19"]
    world.session.execute(sa.update(Employee).where(Employee.id == world.employees[3].id)
                          .values(golongan="IV/b"))
    world.session.commit()
    world.position_id = world.other_position_id
    world.advance(Stage.POOL_NOMINATED)
    result = replay(world)
    [found] = [f for f in result.findings if f.rule == "R19"]
    assert found.severity == "soft" and found.process == world.process_id
    assert found.params["fields"] == "golongan" and found.params["other"] == str(first)
