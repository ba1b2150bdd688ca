"""Commit–reveal of committee scores, verified without trusting the server's word.

A member first commits to ``SHA-256(canonical_bytes({"member", "nonce", "reason", "scores"}))``
(lowercase hex), then, once the reveal phase is open, reveals the ballot. Anyone can recompute the
digest from the revealed ballot, so a score cannot be changed after others' scores are seen
(domain.md R8, R13).

A round has two phases. **Commit**: members commit; reveals are refused (``votes.reveal_not_open``).
**Reveal**: opens when every voter (seated, not recused) has committed — derived, no statement — or
when the chair opens it (``vote.open_reveal``, :func:`open_reveal_blockers`), which needs at least
a quorum of commitments so the round can still decide; from then on commits are refused
(``votes.commits_closed``). No single member can end the commit phase, so none can stall a round.

``canonical_bytes`` emits RFC 8785 canonical JSON for the only shapes allowed here (objects with
ASCII keys, strings, integers within ±(2^53 − 1)); for those the standard library's ``json`` with
sorted keys and no whitespace produces the same bytes, which a test cross-checks with ``rfc8785``.

Import rule: standard library and ``workflow.lifecycle`` only.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import string
from collections import Counter
from collections.abc import Mapping
from datetime import datetime
from typing import Final

from workflow.lifecycle.committee import quorum_required, voters
from workflow.lifecycle.reasons import Reason, reason
from workflow.lifecycle.roles import (
    COMMIT_VOTE,
    OPEN_REVEAL,
    REVEAL_VOTE,
    PersonId,
    role_blockers,
    segregation_blockers,
)
from workflow.lifecycle.snapshot import Context, ProcessRules, ProcessView, VoteCommit, VoteReveal
from workflow.lifecycle.stages import Stage

MAX_SAFE_INTEGER: Final = 2**53 - 1  # I-JSON / RFC 8785: larger integers must travel as strings (C11)
MIN_NONCE_HEX_DIGITS: Final = 32  # 128 bits, so a commitment cannot be brute-forced over the score range


def _check_json(value: object, path: str) -> None:
    if isinstance(value, bool) or value is None or isinstance(value, float):
        raise ValueError(f"{path}: only strings, integers and objects are allowed")
    if isinstance(value, int):
        if abs(value) > MAX_SAFE_INTEGER:
            raise ValueError(f"{path}: integer outside ±(2^53 − 1)")
    elif isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError(f"{path}: not valid Unicode text") from None
    elif isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str) or not key.isascii():
                raise ValueError(f"{path}: object keys must be ASCII strings")
            _check_json(item, f"{path}.{key}")
    else:
        raise ValueError(f"{path}: unsupported type {type(value).__name__}")


def canonical_bytes(value: Mapping[str, object]) -> bytes:
    """Return the RFC 8785 canonical JSON bytes of ``value`` (restricted shapes, see module doc).

    Raises:
        ValueError: a float, bool, null, non-ASCII key, unsafe integer or invalid text is present.
    """
    _check_json(value, "$")
    # ASCII keys sort the same by code point (json) and by UTF-16 unit (RFC 8785); json escapes
    # control characters as RFC 8785 does and leaves the rest as UTF-8 with ensure_ascii=False.
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def commitment(member: PersonId, scores: Mapping[PersonId, int], reason_text: str, nonce: str) -> str:
    """Return the commitment digest (lowercase hex SHA-256) of one ballot.

    Args:
        member: the voting member.
        scores: integer score per ranked candidate.
        reason_text: the member's stated reason.
        nonce: at least 32 hex digits of fresh randomness, kept secret until the reveal.

    Raises:
        ValueError: the ballot is not representable as canonical JSON.
    """
    body = {"member": member, "nonce": nonce, "reason": reason_text, "scores": dict(scores)}
    return hashlib.sha256(canonical_bytes(body)).hexdigest()


def ballot_problem(reveal: VoteReveal) -> str | None:
    """Return what makes a revealed ballot malformed (English detail for the log), or ``None``."""
    nonce = reveal.nonce
    if not isinstance(nonce, str) or len(nonce) < MIN_NONCE_HEX_DIGITS or set(nonce) - set(string.hexdigits):
        return f"nonce must be at least {MIN_NONCE_HEX_DIGITS} hex digits"
    if not isinstance(reveal.reason, str) or not reveal.reason.strip():
        return "reason is empty"
    for candidate, score in reveal.scores.items():
        if isinstance(score, bool) or not isinstance(score, int) or score < 0:
            return f"score for {candidate} is not a non-negative integer"
    try:
        commitment(reveal.member, reveal.scores, reveal.reason, reveal.nonce)
    except ValueError as exc:
        return str(exc)
    return None


def reveal_matches(commit: VoteCommit, reveal: VoteReveal) -> bool:
    """Return whether ``reveal`` recomputes to ``commit``'s digest (same member, same ballot)."""
    if commit.member != reveal.member or ballot_problem(reveal) is not None:
        return False
    digest = commitment(reveal.member, reveal.scores, reveal.reason, reveal.nonce)
    return hmac.compare_digest(digest, commit.digest.lower())


def _reveal_reason(reveal: VoteReveal, commit: VoteCommit | None, ranking: frozenset[PersonId]) -> Reason | None:
    """Judge one reveal against its commit; ``None`` means it is a valid vote."""
    if commit is None:
        return reason("votes.reveal_without_commit", person=reveal.member)
    if reveal.at < commit.at:
        return reason("votes.reveal_before_commit", person=reveal.member)
    problem = ballot_problem(reveal)
    if problem is not None:
        return reason("votes.malformed", person=reveal.member, detail=problem)
    if not reveal_matches(commit, reveal):
        return reason("votes.reveal_mismatch", person=reveal.member)
    if frozenset(reveal.scores) != ranking:
        return reason("votes.ballot_incomplete", person=reveal.member)
    return None


def _all_committed_at(view: ProcessView) -> datetime | None:
    """When the last voter made their first commitment, or ``None`` while a voter has not committed."""
    eligible = voters(view.members)
    first: dict[PersonId, datetime] = {}
    for c in view.commits:
        if c.member in eligible and (c.member not in first or c.at < first[c.member]):
            first[c.member] = c.at
    if not eligible or first.keys() != eligible:
        return None
    return max(first.values())


def reveal_opened_at(view: ProcessView) -> datetime | None:
    """When the current round's reveal phase opened, or ``None`` while commitments are open.

    The earlier of the chair's explicit opening (``view.reveal_opened_at``) and the moment every
    voter had committed (derived from the commits; no statement records it).
    """
    moments = [t for t in (view.reveal_opened_at, _all_committed_at(view)) if t is not None]
    return min(moments) if moments else None


def reveal_open(view: ProcessView) -> bool:
    """Whether the current round is in its reveal phase (commits refused, reveals accepted)."""
    return reveal_opened_at(view) is not None


def committed_voters(view: ProcessView) -> int:
    """How many voters (seated, not recused) have committed in the current round."""
    eligible = voters(view.members)
    return len({c.member for c in view.commits if c.member in eligible})


def tally(view: ProcessView) -> tuple[frozenset[PersonId], list[Reason]]:
    """Return the members whose votes are valid, and a blocker for every invalid commit or reveal.

    A vote is valid when its member may vote, committed once before the reveal phase opened and
    before any reveal, revealed once in the reveal phase and no earlier than their commit, and the
    reveal is well formed, matches and scores exactly the ranked candidates.
    """
    eligible = voters(view.members)
    opened = reveal_opened_at(view)
    ranking = frozenset(view.ranking)
    out: list[Reason] = []
    invalid: set[PersonId] = set()
    commit_count = Counter(c.member for c in view.commits)
    reveal_count = Counter(r.member for r in view.reveals)
    for kind, counts in (("commit", commit_count), ("reveal", reveal_count)):
        for person in sorted(p for p, n in counts.items() if n > 1):
            invalid.add(person)
            out.append(reason("votes.duplicate", person=person, kind=kind))
    for person in sorted((commit_count.keys() | reveal_count.keys()) - eligible):
        invalid.add(person)
        out.append(reason("votes.not_eligible_voter", person=person))
    commits: dict[PersonId, VoteCommit] = {}
    for c in sorted(view.commits, key=lambda c: (c.member, c.at)):
        commits.setdefault(c.member, c)
        if c.member in invalid:
            continue
        # A commit made after any reveal could copy what was revealed; name the member's own
        # early reveal when that is the cause, since it is the more specific fault.
        if any(r.member == c.member and r.at < c.at for r in view.reveals):
            invalid.add(c.member)
            out.append(reason("votes.reveal_before_commit", person=c.member))
        elif opened is not None and c.at > opened:
            invalid.add(c.member)
            out.append(reason("votes.commit_after_open", person=c.member))
        elif any(r.at < c.at for r in view.reveals):
            invalid.add(c.member)
            out.append(reason("votes.commit_after_reveal", person=c.member))
    valid: set[PersonId] = set()
    for r in sorted(view.reveals, key=lambda r: (r.member, r.at)):
        if r.member in invalid or r.member in valid:
            continue
        problem = _reveal_reason(r, commits.get(r.member), ranking)
        if problem is None and (opened is None or r.at < opened):
            problem = reason("votes.reveal_before_open", person=r.member)
        if problem is None:
            valid.add(r.member)
        else:
            invalid.add(r.member)
            out.append(problem)
    return frozenset(valid), out


def review_blockers(view: ProcessView, rules: ProcessRules) -> list[Reason]:
    """Return every invalid vote and, if valid votes fall short, ``review.quorum_not_met``."""
    valid, out = tally(view)
    seated = len(view.members)
    required = quorum_required(seated, rules)
    if len(valid) < required:
        out.append(reason("review.quorum_not_met", valid=len(valid), seated=seated, required=required))
    return out


def _open_for_votes(view: ProcessView) -> list[Reason]:
    if view.status != Stage.SHORTLISTED:
        return [reason("votes.stage_closed", stage=str(view.status))]
    return []


def commit_blockers(view: ProcessView, ctx: Context) -> list[Reason]:
    """Return why ``ctx.actor`` may not commit a vote now; empty means the commit is accepted.

    Votes are cast while the process is ``shortlisted``; the chair's ``review`` closes the round.
    Commitments close when the reveal phase opens (:func:`reveal_open`).
    """
    out = role_blockers(COMMIT_VOTE, ctx.actor, view) + segregation_blockers(view, ctx.actor)
    out += _open_for_votes(view)
    if view.reveals or reveal_open(view):
        out.append(reason("votes.commits_closed"))
    if any(c.member == ctx.actor.person for c in view.commits):
        out.append(reason("votes.already_committed", person=ctx.actor.person))
    return out


def reveal_blockers(
    view: ProcessView, ctx: Context, scores: Mapping[PersonId, int], reason_text: str, nonce: str
) -> list[Reason]:
    """Return why ``ctx.actor`` may not reveal this ballot now; empty means the reveal is accepted.

    Refused until the reveal phase is open (``votes.reveal_not_open``). The reveal is judged
    exactly as ``review`` will judge it later, so an accepted reveal counts.
    """
    out = role_blockers(REVEAL_VOTE, ctx.actor, view) + segregation_blockers(view, ctx.actor)
    out += _open_for_votes(view)
    person = ctx.actor.person
    if any(r.member == person for r in view.reveals):
        out.append(reason("votes.already_revealed", person=person))
        return out
    if not reveal_open(view):
        out.append(reason("votes.reveal_not_open", committed=committed_voters(view), voters=len(voters(view.members))))
    reveal = VoteReveal(member=person, scores=scores, reason=reason_text, nonce=nonce, at=ctx.now)
    commit = next((c for c in view.commits if c.member == person), None)
    problem = _reveal_reason(reveal, commit, frozenset(view.ranking))
    if problem is not None:
        out.append(problem)
    return out


def open_reveal_blockers(view: ProcessView, ctx: Context) -> list[Reason]:
    """Return why ``ctx.actor`` may not open the reveal phase now; empty means the opening is accepted.

    Only the chair, while ``shortlisted``, before the phase is open (by an earlier opening or
    because every voter has committed), and only once at least a quorum of voters has committed:
    opening earlier would leave a round that can never be quorate.
    """
    out = role_blockers(OPEN_REVEAL, ctx.actor, view) + segregation_blockers(view, ctx.actor)
    out += _open_for_votes(view)
    if reveal_open(view):
        out.append(reason("votes.reveal_already_open"))
        return out
    committed = committed_voters(view)
    required = quorum_required(len(view.members), ctx.rules)
    if committed < required:
        out.append(reason("votes.open_reveal_too_few", committed=committed, required=required))
    return out
