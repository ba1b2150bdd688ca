"""Commit–reveal of committee scores: digests, canonical bytes, and the vote actions' blockers."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import replace

import pytest

from tests.lifecycle.builders import CHAIR, MEMBERS, NOW, RANKING, T0, commit_of, good_view, nonce, reveal_of, scores
from workflow.lifecycle import Actor, ProcessSnapshot, Role, Stage, VoteCommit
from workflow.lifecycle.reasons import codes
from workflow.lifecycle.snapshot import Context
from workflow.lifecycle.votes import (
    canonical_bytes,
    commit_blockers,
    commitment,
    open_reveal_blockers,
    reveal_blockers,
    reveal_matches,
    reveal_open,
    reveal_opened_at,
    tally,
)


def test_commitment_is_sha256_of_the_canonical_ballot() -> None:
    expected = hashlib.sha256(
        b'{"member":"m1","nonce":"00112233445566778899aabbccddeeff",'
        b'"reason":"Rekam jejak kuat","scores":{"k1":90,"k2":80}}'
    ).hexdigest()
    assert commitment("m1", {"k2": 80, "k1": 90}, "Rekam jejak kuat", "00112233445566778899aabbccddeeff") == expected


def test_canonical_bytes_keep_unicode_and_escape_controls() -> None:
    assert canonical_bytes({"b": "é\n", "a": 1}) == '{"a":1,"b":"é\\n"}'.encode()


@pytest.mark.parametrize(
    "bad",
    [{"x": 1.5}, {"x": True}, {"x": None}, {"x": 2**53}, {"é": 1}, {"x": "\ud800"}, {"x": [1]}],
    ids=["float", "bool", "null", "unsafe int", "non-ascii key", "lone surrogate", "list"],
)
def test_canonical_bytes_refuse_what_could_be_ambiguous(bad: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        canonical_bytes(bad)


def test_matching_reveal_and_each_kind_of_tampering() -> None:
    commit, reveal = commit_of("m2"), reveal_of("m2")
    assert reveal_matches(commit, reveal)
    assert not reveal_matches(commit, replace(reveal, scores={**scores(), "k1": 91}))
    assert not reveal_matches(commit, replace(reveal, reason="changed my mind"))
    assert not reveal_matches(commit, replace(reveal, nonce="f" * 32))
    assert not reveal_matches(replace(commit, member="m3"), replace(reveal, member="m3"))
    assert reveal_matches(replace(commit, digest=commit.digest.upper()), reveal)  # hex case is not meaning


def ctx(person: str, role: Role = Role.COMMITTEE_MEMBER, now: dt.datetime = NOW) -> Context:
    return Context(actor=Actor(person, role), now=now)


def open_round(**changes: object) -> ProcessSnapshot:
    return replace(good_view(Stage.SHORTLISTED), **{"commits": (), "reveals": (), **changes})  # type: ignore[arg-type]


OPENED = T0 + dt.timedelta(minutes=90)  # the chair's opening, after the builders' commits at T0 + 1 h


def revealing(**changes: object) -> ProcessSnapshot:
    """A round whose reveal phase the chair opened at :data:`OPENED`."""
    return open_round(reveal_opened_at=OPENED, **changes)


def test_commit_accepted_once_while_shortlisted() -> None:
    view = open_round()
    assert commit_blockers(view, ctx("m2")) == []
    assert commit_blockers(view, ctx(CHAIR, Role.COMMITTEE_CHAIR)) == []
    again = replace(view, commits=(commit_of("m2"),))
    assert codes(commit_blockers(again, ctx("m2"))) == ["votes.already_committed"]


@pytest.mark.parametrize(
    ("person", "role", "changes", "expected"),
    [
        (
            "m2",
            Role.COMMITTEE_MEMBER,
            {"reveals": (reveal_of("m3"),), "commits": (commit_of("m3"),)},
            ["votes.commits_closed"],
        ),
        ("m2", Role.COMMITTEE_MEMBER, {"reveal_opened_at": OPENED}, ["votes.commits_closed"]),
        ("outsider", Role.COMMITTEE_MEMBER, {}, ["role.not_seated"]),
        ("ver", Role.VERIFIER, {}, ["role.not_permitted"]),
        ("m2", Role.COMMITTEE_MEMBER, {"status": Stage.ANNOUNCED}, ["votes.stage_closed"]),
    ],
    ids=["after a reveal", "after the chair opened reveals", "not seated", "wrong role", "round closed"],
)
def test_commit_refusals(person: str, role: Role, changes: dict[str, object], expected: list[str]) -> None:
    view = open_round(**changes)
    assert codes(commit_blockers(view, ctx(person, role))) == expected


def test_recused_member_may_not_commit() -> None:
    view = good_view(Stage.SHORTLISTED)
    seats = (*view.members[:1], replace(view.members[1], recused=True), *view.members[2:])
    view = replace(view, members=seats, commits=(), reveals=())
    assert codes(commit_blockers(view, ctx("m2"))) == ["role.recused"]


def test_reveal_refusals_and_acceptance() -> None:
    ballot = (scores(), "reason of m2", nonce("m2"))
    no_commit = revealing()
    assert codes(reveal_blockers(no_commit, ctx("m2"), *ballot)) == ["votes.reveal_without_commit"]
    committed = revealing(commits=(commit_of("m2"),))
    assert reveal_blockers(committed, ctx("m2"), *ballot) == []
    changed = ({**scores(), "k3": 99}, "reason of m2", nonce("m2"))
    assert codes(reveal_blockers(committed, ctx("m2"), *changed)) == ["votes.reveal_mismatch"]
    early = ctx("m2", now=T0)  # before the commit at T0 + 1 h
    assert codes(reveal_blockers(committed, early, *ballot)) == ["votes.reveal_before_commit"]
    done = revealing(commits=(commit_of("m2"),), reveals=(reveal_of("m2"),))
    assert codes(reveal_blockers(done, ctx("m2"), *ballot)) == ["votes.already_revealed"]


def test_reveal_must_score_exactly_the_ranked_candidates() -> None:
    partial = {"k1": 90}
    view = revealing(commits=(VoteCommit("m2", commitment("m2", partial, "r", nonce("m2")), T0),))
    assert codes(reveal_blockers(view, ctx("m2"), partial, "r", nonce("m2"))) == ["votes.ballot_incomplete"]
    assert set(RANKING) == set(scores())


# --- the two phases: commit, then reveal -----------------------------------------------------------


def test_a_member_cannot_reveal_early_and_so_cannot_stall_the_round() -> None:
    # m2 commits and tries to reveal at once: refused, and commitments stay open for everyone else.
    view = open_round(commits=(commit_of("m2"),))
    refused = reveal_blockers(view, ctx("m2"), scores(), "reason of m2", nonce("m2"))
    assert codes(refused) == ["votes.reveal_not_open"]
    assert dict(refused[0].params) == {"committed": 1, "voters": 5}
    assert refused[0].message_id and refused[0].message_en
    assert not reveal_open(view)
    assert commit_blockers(view, ctx("m3")) == []
    # The others commit; with the last commitment the reveal phase opens by itself.
    commits = tuple(commit_of(p) for p in MEMBERS)
    view = open_round(commits=commits)
    assert reveal_open(view) and reveal_opened_at(view) == T0 + dt.timedelta(hours=1)
    assert reveal_blockers(view, ctx("m2"), scores(), "reason of m2", nonce("m2")) == []
    # Every member reveals; all five votes count.
    view = open_round(commits=commits, reveals=tuple(reveal_of(p) for p in MEMBERS))
    valid, problems = tally(view)
    assert valid == frozenset(MEMBERS) and problems == []


def test_the_chair_opens_reveals_only_with_a_quorum_of_commitments() -> None:
    chair = ctx(CHAIR, Role.COMMITTEE_CHAIR)
    two = open_round(commits=(commit_of("m2"), commit_of("m3")))
    refused = open_reveal_blockers(two, chair)
    assert codes(refused) == ["votes.open_reveal_too_few"]
    assert dict(refused[0].params) == {"committed": 2, "required": 3}
    three = open_round(commits=(commit_of("m2"), commit_of("m3"), commit_of("m4")))
    assert open_reveal_blockers(three, chair) == []
    opened = replace(three, reveal_opened_at=OPENED)
    assert reveal_open(opened) and reveal_opened_at(opened) == OPENED
    assert codes(open_reveal_blockers(opened, chair)) == ["votes.reveal_already_open"]
    # After the opening: the late member may not commit, the committed ones may reveal.
    assert codes(commit_blockers(opened, ctx("m5"))) == ["votes.commits_closed"]
    assert reveal_blockers(opened, ctx("m2"), scores(), "reason of m2", nonce("m2")) == []


def test_every_voter_committed_means_the_phase_is_already_open() -> None:
    everyone = open_round(commits=tuple(commit_of(p) for p in MEMBERS))
    assert codes(open_reveal_blockers(everyone, ctx(CHAIR, Role.COMMITTEE_CHAIR))) == ["votes.reveal_already_open"]


def test_recused_members_do_not_hold_the_phase_open() -> None:
    view = open_round(commits=tuple(commit_of(p) for p in MEMBERS[:4]))
    assert not reveal_open(view)
    seats = (*view.members[:4], replace(view.members[4], recused=True))
    assert reveal_open(replace(view, members=seats))


@pytest.mark.parametrize(
    ("person", "role", "changes", "expected"),
    [
        ("m2", Role.COMMITTEE_MEMBER, {}, ["role.not_permitted"]),
        (CHAIR, Role.COMMITTEE_CHAIR, {"status": Stage.ANNOUNCED}, ["votes.stage_closed"]),
    ],
    ids=["a member", "round closed"],
)
def test_open_reveal_refusals(person: str, role: Role, changes: dict[str, object], expected: list[str]) -> None:
    view = open_round(commits=tuple(commit_of(p) for p in MEMBERS[:3]), **changes)
    assert codes(open_reveal_blockers(view, ctx(person, role))) == expected
