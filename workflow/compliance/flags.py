"""The red-flag rules (domain.md §5, §7.6) and the replay checks, as code — one implementation.

Each check is a pure function of a :class:`ProcessCase` (one process's log entries, the evidence
records, its pinned rule set) or, for patterns that span processes, of every history in a bundle.
It returns :class:`~workflow.compliance.findings.Finding` values naming the rule, the severity,
the process and the log entries concerned.

The same functions run in two places:

- offline, over a verified bundle (``python -m workflow.compliance``, ``replay.py``);
- live, before a statement is appended (``workflow/services/guards.py``): the process's stored
  entries plus the pending statement (entry index :data:`PENDING`) form the history, and a hard
  finding that names the pending entry (or, for :data:`BLOCK_DOWNSTREAM`, taints it) refuses the
  action with a 409 naming the rule.

Thresholds are :class:`Thresholds` with the documented defaults of ``docs/compliance.md``.

Import rule: standard library, ``audit``, ``workflow.merit``, ``workflow.lifecycle`` and
``workflow.compliance`` only — never Flask, SQLAlchemy or a database session.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from audit.bundle import EvidenceRecord as BundleEvidence
from workflow.compliance.findings import HARD, SOFT, Finding, Severity, finding
from workflow.compliance.history import PENDING, Entry, ProcessHistory
from workflow.lifecycle import ExclusionReason, ProcessRules, Stage
from workflow.lifecycle.roles import (
    ACTION_ROLES,
    ANSWER_OBJECTION,
    COMMIT_VOTE,
    FILE_OBJECTION,
    OPEN_REVEAL,
    REVEAL_VOTE,
)
from workflow.lifecycle.rules import next_stage
from workflow.lifecycle.votes import commitment
from workflow.merit.dates import add_years
from workflow.merit.evidence import EvidenceError, evaluate, from_bundle_evidence, position_from_dict
from workflow.merit.facts import ProcessDates
from workflow.merit.ruleset import RuleSet, RuleSetError, load_published

LOCAL_TZ: Final = ProcessRules().local_tz
"""Decree dates are calendar dates in the province's zone (the machine's default, WIB)."""

JPT_TYPES: Final = frozenset({"jpt_pratama", "jpt_madya"})
CHURN_FIELDS: Final = (
    "birth_date", "tmt_cpns", "golongan", "tmt_golongan", "position_type", "tmt_position", "education", "discipline",
)
"""SIASN profile fields whose change shortly before a snapshot is R19 churn (domain.md §5)."""


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Numbers of the soft flags that domain.md leaves open ([U]); documented in docs/compliance.md."""

    bulk_factor: int = 3  # R1: a month with more than k × the baseline (mean of the other months) …
    bulk_min: int = 5  # … and at least this many appointments
    per_decree_max: int = 10  # R1: appointments under one decree number
    batch_window_days: int = 14  # R5: one preparer's single-candidate processes within this many days …
    batch_min: int = 3  # … at least this many
    churn_days: int = 90  # R19: a profile change within this many days before a snapshot
    jpt_tenure_years: int = 2  # R20


DEFAULTS: Final = Thresholds()


@dataclass(frozen=True, slots=True)
class ProcessCase:
    """One process as the checks see it.

    ``evidence`` maps digest → record (a bundle's evidence section, or the live candidate rows);
    ``evidence_scope`` limits the evidence check to those pseudonyms (the live guard checks the
    pool only; ``None`` = every record the nomination references). ``replay_evaluation`` re-runs
    the merit rules on the records (offline; the live nomination has just computed them).
    """

    history: ProcessHistory
    evidence: Mapping[str, BundleEvidence]
    ruleset: RuleSet | None
    ruleset_error: str | None = None
    evidence_scope: frozenset[str] | None = None
    replay_evaluation: bool = True

    @property
    def pid(self) -> str | int:
        return self.history.process


@functools.lru_cache(maxsize=32)
def pinned_ruleset(ruleset_id: str, digest: str) -> RuleSet:
    """The published rule set a process pinned; RuleSetError when missing or changed."""
    return load_published(ruleset_id, digest=digest)


def make_case(
    history: ProcessHistory,
    evidence: Mapping[str, BundleEvidence],
    *,
    evidence_scope: frozenset[str] | None = None,
    replay_evaluation: bool = True,
) -> ProcessCase:
    """Build the case, loading the pinned rule set by id and refusing one whose digest differs."""
    create = history.first("process.create")
    ruleset, error = None, None
    pin = create.data.get("ruleset") if create is not None else None
    if isinstance(pin, Mapping):
        try:
            ruleset = pinned_ruleset(str(pin.get("id")), str(pin.get("digest")))
        except RuleSetError as exc:
            error = str(exc)
    else:
        error = "the process has no rule-set pin"
    return ProcessCase(history, evidence, ruleset, error, evidence_scope, replay_evaluation)


# --- helpers over one history -------------------------------------------------------------------


def _order(h: ProcessHistory) -> dict[int, int]:
    return {e.index: i for i, e in enumerate(h.entries)}


def _before(h: ProcessHistory, a: Entry, b: Entry) -> bool:
    """Whether ``a`` was recorded before ``b`` (log order; a pending entry is last)."""
    order = _order(h)
    return order[a.index] < order[b.index]


def _last_before(h: ProcessHistory, action: str, entry: Entry) -> Entry | None:
    found = None
    for e in h.before(entry):
        if e.action == action:
            found = e
    return found


def _day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(LOCAL_TZ).date()


def _date(text: object) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(text))
    except ValueError:
        return None


def _time(text: object) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return None


def _pool(h: ProcessHistory) -> list[str]:
    nominate = h.first("process.nominate_pool")
    return [] if nominate is None else [str(p) for p in nominate.data.get("pool", [])]


def _results(h: ProcessHistory) -> dict[str, Mapping[str, Any]]:
    nominate = h.first("process.nominate_pool")
    if nominate is None:
        return {}
    return {str(r.get("candidate")): r for r in nominate.data.get("results", []) if isinstance(r, Mapping)}


def _rankings(h: ProcessHistory) -> list[Entry]:
    return h.all("process.shortlist", "process.reopen_shortlist")


def _ranking_of_round(h: ProcessHistory, rnd: object, before: Entry | None = None) -> list[str]:
    for e in reversed(_rankings(h)):
        if e.data.get("round") == rnd and (before is None or _before(h, e, before)):
            return [str(p) for p in e.data.get("ranking", [])]
    return []


@dataclass(frozen=True, slots=True)
class _Committee:
    seats: Mapping[str, tuple[str, Entry]]  # person → (account id, seat entry)
    members: frozenset[str]  # persons in the formed committee
    seated: int
    pledges: Mapping[str, Entry]  # account id → pledge entry
    ties: Mapping[str, frozenset[str]]  # person → declared tie pseudonyms
    recusals: Mapping[str, Entry]  # person → recusal entry
    formed: Entry | None


def _committee(h: ProcessHistory) -> _Committee:
    seats = {str(e.data.get("person")): (str(e.data.get("member")), e) for e in h.all("committee.seat")}
    account_person = {account: person for person, (account, _) in seats.items()}
    pledges = {e.actor_id: e for e in h.all("committee.pledge")}
    ties = {
        account_person[e.actor_id]: frozenset(str(t) for t in e.data.get("ties", []))
        for e in h.all("committee.pledge") if e.actor_id in account_person
    }
    recusals = {str(e.data.get("person")): e for e in h.all("committee.recuse")}
    formed = h.first("process.form_committee")
    listed = [] if formed is None else [m for m in formed.data.get("members", []) if isinstance(m, Mapping)]
    return _Committee(
        seats=seats, members=frozenset(str(m.get("person")) for m in listed), seated=len(listed), pledges=pledges,
        ties=ties, recusals=recusals, formed=formed,
    )


# --- per-process checks -------------------------------------------------------------------------


def check_ruleset(case: ProcessCase) -> list[Finding]:
    """C1: the pinned rule set loads by id with the pinned digest, and the nomination used it."""
    h = case.history
    create = h.first("process.create")
    if create is None:
        return []
    out: list[Finding] = []
    if case.ruleset_error is not None:
        out.append(finding("C1", HARD, case.pid, [create.index], "ruleset.unavailable", detail=case.ruleset_error))
    nominate = h.first("process.nominate_pool")
    if nominate is not None and nominate.data.get("ruleset") != create.data.get("ruleset"):
        out.append(finding("C1", HARD, case.pid, [create.index, nominate.index], "ruleset.changed"))
    return out


def check_sequence(case: ProcessCase) -> list[Finding]:
    """C2: every entry is recorded from the stage the process was in, along the machine's table."""
    out: list[Finding] = []
    stage: str | None = None
    for e in case.history.entries:
        if e.action == "process.create":
            if stage is not None or e.to_state != str(Stage.DRAFT):
                out.append(finding("C2", HARD, case.pid, [e.index], "sequence.bad_create"))
            stage = str(Stage.DRAFT)
            continue
        if stage is None:
            out.append(finding("C2", HARD, case.pid, [e.index], "sequence.before_create", action=e.action))
            continue
        if e.from_state != stage:
            out.append(finding("C2", HARD, case.pid, [e.index], "sequence.wrong_stage", action=e.action,
                               recorded=str(e.from_state), stage=stage))
        if e.action.startswith("process.") and e.from_state != e.to_state:
            try:
                dest = next_stage(Stage(stage), e.action.removeprefix("process."))
            except ValueError:
                dest = None
            if dest is None or str(dest) != e.to_state:
                out.append(finding("C2", HARD, case.pid, [e.index], "sequence.illegal", action=e.action,
                                   stage=stage, to=str(e.to_state)))
            stage = str(e.to_state)
        elif e.to_state != e.from_state:
            out.append(finding("C2", HARD, case.pid, [e.index], "sequence.illegal", action=e.action, stage=stage,
                               to=str(e.to_state)))
    return out


_SYSTEM_SIGNED: Final = frozenset({"process.nominate_pool", "process.shortlist"})
_COMMITTEE_ROLES: Final = frozenset({"committee_member", "committee_chair"})


def _allowed_roles(action: str) -> frozenset[str] | None:
    special = {
        "process.create": frozenset({"admin"}),
        "committee.seat": frozenset({"admin"}),
        "committee.pledge": _COMMITTEE_ROLES,
        "committee.recuse": _COMMITTEE_ROLES,
        "vote.commit": frozenset(str(r) for r in ACTION_ROLES[COMMIT_VOTE]),
        "vote.reveal": frozenset(str(r) for r in ACTION_ROLES[REVEAL_VOTE]),
        "vote.open_reveal": frozenset(str(r) for r in ACTION_ROLES[OPEN_REVEAL]),
        "objection.answer": frozenset(str(r) for r in ACTION_ROLES[ANSWER_OBJECTION]),
        "objection.file": frozenset(str(r) for r in ACTION_ROLES[FILE_OBJECTION]),
    }
    if action in special:
        return special[action]
    roles = ACTION_ROLES.get(action.removeprefix("process."))
    return None if roles is None else frozenset(str(r) for r in roles)


def check_roles(case: ProcessCase) -> list[Finding]:
    """R2/R4: each decision is signed by the holder of the workflow role (system steps: requested by one)."""
    out: list[Finding] = []
    h = case.history
    committee = _committee(h)
    create = h.first("process.create")
    for e in h.entries:
        allowed = _allowed_roles(e.action)
        if allowed is None:
            continue
        role = e.actor_role
        if e.action in _SYSTEM_SIGNED:
            requested = e.data.get("requested_by")
            role = str(requested.get("role")) if isinstance(requested, Mapping) else ""
            if e.actor_role != "system":
                out.append(finding("R2", HARD, case.pid, [e.index], "roles.not_system", action=e.action))
        if role not in allowed:
            out.append(finding("R2", HARD, case.pid, [e.index], "roles.not_permitted", action=e.action, role=role))
        if e.action in ("committee.pledge", "committee.recuse", "process.review", "process.resolve_objections",
                        "process.reopen_shortlist", "objection.answer", "vote.open_reveal"):
            accounts = {account for account, _ in committee.seats.values()}
            if e.actor_id not in accounts:
                out.append(finding("R4", HARD, case.pid, [e.index], "roles.not_seated", action=e.action,
                                   actor=e.actor_id))
    appoint = h.last("process.appoint")
    ppk = None if create is None else create.data.get("ppk")
    if appoint is not None and ppk is not None and str(ppk) != appoint.actor_id:
        out.append(finding("R2", HARD, case.pid, [appoint.index], "roles.other_ppk", actor=appoint.actor_id,
                           ppk=str(ppk)))
    return out


def check_committee(case: ProcessCase) -> list[Finding]:
    """R16 composition; R3 a member (or preparer, verifier, PPK) who is a candidate; R14 ties."""
    h = case.history
    c = _committee(h)
    out: list[Finding] = []
    if c.formed is not None:
        members = [m for m in c.formed.data.get("members", []) if isinstance(m, Mapping)]
        rules = c.formed.data.get("rules", {})
        n, internal = len(members), sum(1 for m in members if m.get("internal"))
        low, high = int(rules.get("min", 0)), int(rules.get("max", 0))
        if case.ruleset is not None:
            low, high = case.ruleset.committee.min_size, case.ruleset.committee.max_size
        if n % 2 == 0 or not low <= n <= high:
            out.append(finding("R16", HARD, case.pid, [c.formed.index], "committee.size", size=n, min=low, max=high))
        try:
            share = Decimal(str(rules.get("internal_max_percent")))
        except InvalidOperation:
            share = Decimal(0)
        if case.ruleset is not None:
            share = Decimal(case.ruleset.committee.max_internal_percent)
        if n and Decimal(internal * 100) > share * n:
            out.append(finding("R16", HARD, case.pid, [c.formed.index], "committee.internal", internal=internal,
                               size=n, percent=str(share)))
    pool = set(_pool(h))
    nominate = h.first("process.nominate_pool")
    if nominate is not None:
        for person, (_, seat) in sorted(c.seats.items()):
            if person in pool:
                out.append(finding("R3", HARD, case.pid, [seat.index, nominate.index], "committee.member_candidate",
                                   person=person))
        voted = {str(e.data.get("member")) for e in h.all("vote.commit", "vote.reveal")}
        for person, tied in sorted(c.ties.items()):
            shared = sorted(tied & pool)
            if shared and person not in c.recusals and person not in voted:
                pledge = c.pledges.get(c.seats[person][0])
                entries = [nominate.index] + ([pledge.index] if pledge else [])
                out.append(finding("R14", SOFT, case.pid, entries, "committee.tie_not_recused", person=person,
                                   candidates=", ".join(shared)))
    # An account that filed an objection as a candidate also prepared, verified, decided or sat here.
    officials: dict[str, Entry] = {}
    for e in h.entries:
        if e.actor_role in ("admin", "verifier", "ppk", "committee_member", "committee_chair"):
            officials.setdefault(e.actor_id, e)
    for e in h.all("objection.file"):
        if e.actor_id in officials:
            other = officials[e.actor_id]
            out.append(finding("R3", HARD, case.pid, [other.index, e.index], "duties.candidate_official",
                               actor=e.actor_id, role=other.actor_role, candidate=str(e.data.get("candidate"))))
    return out


def check_evidence(case: ProcessCase) -> list[Finding]:
    """R8/C3: every record the nomination references is present and is that candidate's record.

    The bundle's verifier has already recomputed each record's digest, so a record edited after
    the snapshot shows up here as a referenced digest that the bundle does not hold.
    """
    nominate = case.history.first("process.nominate_pool")
    if nominate is None:
        return []
    refs = {str(p): str(d) for p, d in nominate.data.get("evidence", {}).items()}
    if case.evidence_scope is not None:
        refs = {p: d for p, d in refs.items() if p in case.evidence_scope}
    if refs and not any(d in case.evidence for d in refs.values()):
        return [finding("C3", HARD, case.pid, [nominate.index], "evidence.absent", count=len(refs))]
    out: list[Finding] = []
    for person, digest in sorted(refs.items()):
        record = case.evidence.get(digest)
        if record is None:
            out.append(finding("R8", HARD, case.pid, [nominate.index], "evidence.changed", candidate=person,
                               digest=digest[:16]))
        elif not isinstance(record.data, Mapping) or record.data.get("pseudonym") != person:
            out.append(finding("R8", HARD, case.pid, [nominate.index], "evidence.wrong_record", candidate=person))
    return out


def check_evaluation(case: ProcessCase) -> list[Finding]:
    """R10/R9: the merit rules, re-run on the records under the pinned rule set, give the recorded
    evaluation (``evaluation_sha256``), the same pool, and no ineligible candidate in it."""
    h = case.history
    nominate = h.first("process.nominate_pool")
    if not case.replay_evaluation or case.ruleset is None or nominate is None:
        return []
    refs = {str(p): str(d) for p, d in nominate.data.get("evidence", {}).items()}
    if not refs or any(d not in case.evidence for d in refs.values()):
        return []  # reported by check_evidence: nothing to replay from
    try:
        records = [from_bundle_evidence(d, case.evidence[d]) for _, d in sorted(refs.items())]
        dates = nominate.data["dates"]
        evaluation = evaluate(
            records, position_from_dict(nominate.data["position"]), case.ruleset,
            ProcessDates(dt.date.fromisoformat(dates["registration"]), dt.date.fromisoformat(dates["appointment"])),
            route=str(nominate.data["route"]),
        )
    except (EvidenceError, RuleSetError, KeyError, TypeError, ValueError) as exc:
        return [finding("R10", HARD, case.pid, [nominate.index], "evaluation.failed", detail=str(exc)[:200])]
    out: list[Finding] = []
    recorded = _pool(h)
    results = _results(h)
    for person in recorded:
        try:
            eligible = evaluation.candidate(person).eligible
        except KeyError:
            eligible = False
        if not eligible and results.get(person, {}).get("eligible"):
            out.append(finding("R9", HARD, case.pid, [nominate.index], "eligibility.recomputed", candidate=person))
    pool = [c.pseudonym for c in evaluation.candidates if c.rank is not None]
    if pool != recorded:
        first = next((i for i, (a, b) in enumerate(zip(pool, recorded, strict=False)) if a != b),
                     min(len(pool), len(recorded)))
        out.append(finding("R10", HARD, case.pid, [nominate.index], "evaluation.pool_differs",
                           recorded=len(recorded), recomputed=len(pool), rank=first + 1))
    if hashlib.sha256(evaluation.canonical_bytes()).hexdigest() != nominate.data.get("evaluation_sha256"):
        out.append(finding("R10", HARD, case.pid, [nominate.index], "evaluation.digest_differs"))
    return out


def check_eligibility(case: ProcessCase) -> list[Finding]:
    """R9: no candidate the nomination found ineligible sits in the pool, a shortlist or the appointment."""
    h = case.history
    nominate = h.first("process.nominate_pool")
    if nominate is None:
        return []
    results = _results(h)

    def ok(person: str) -> bool:
        r = results.get(person)
        return bool(r and r.get("eligible") and r.get("rank") is not None)

    out = [finding("R9", HARD, case.pid, [nominate.index], "eligibility.pool", candidate=p)
           for p in _pool(h) if not ok(p)]
    for e in _rankings(h):
        out += [finding("R9", HARD, case.pid, [e.index, nominate.index], "eligibility.shortlist", candidate=str(p))
                for p in e.data.get("ranking", []) if not ok(str(p))]
    appoint = h.last("process.appoint")
    if appoint is not None and not ok(str(appoint.data.get("appointee"))):
        out.append(finding("R9", HARD, case.pid, [appoint.index, nominate.index], "eligibility.appointee",
                           candidate=str(appoint.data.get("appointee"))))
    return out


def check_exclusions(case: ProcessCase) -> list[Finding]:
    """C4: the verifier decided on every pool candidate once, and each exclusion carries a reason code."""
    h = case.history
    verify = h.first("process.verify_competency")
    if verify is None:
        return []
    out: list[Finding] = []
    decisions = [d for d in verify.data.get("decisions", []) if isinstance(d, Mapping)]
    seen = Counter(str(d.get("candidate")) for d in decisions)
    pool = set(_pool(h))
    for person in sorted(pool - seen.keys()):
        out.append(finding("C4", HARD, case.pid, [verify.index], "exclusion.undecided", candidate=person))
    for person in sorted(p for p, n in seen.items() if n > 1 or p not in pool):
        out.append(finding("C4", HARD, case.pid, [verify.index], "exclusion.unexpected", candidate=person))
    known = {str(r) for r in ExclusionReason}
    for d in decisions:
        if d.get("confirmed"):
            continue
        code = d.get("reason")
        if code not in known:
            out.append(finding("C4", HARD, case.pid, [verify.index], "exclusion.no_reason",
                               candidate=str(d.get("candidate"))))
        elif code == ExclusionReason.OTHER_DOCUMENTED and not str(d.get("note") or "").strip():
            out.append(finding("C4", HARD, case.pid, [verify.index], "exclusion.no_note",
                               candidate=str(d.get("candidate"))))
    return out


def check_shortlist(case: ProcessCase) -> list[Finding]:
    """R10: each shortlist is the pinned rule set's top N of the confirmed pool, in merit order."""
    h = case.history
    nominate, verify = h.first("process.nominate_pool"), h.first("process.verify_competency")
    if nominate is None:
        return []
    pool = _pool(h)
    confirmed: set[str] = set()
    if verify is not None:
        confirmed = {str(d.get("candidate")) for d in verify.data.get("decisions", [])
                     if isinstance(d, Mapping) and d.get("confirmed")}
    route = str(nominate.data.get("route"))
    out: list[Finding] = []
    for e in _rankings(h):
        if e.action == "process.reopen_shortlist":
            confirmed |= {str(p) for p in e.data.get("reinstated", [])}
        size = e.data.get("size")
        if case.ruleset is not None:
            size = case.ruleset.shortlist_size.get(route, size)
            if e.action == "process.shortlist" and e.data.get("size") != size:
                out.append(finding("R10", HARD, case.pid, [e.index], "shortlist.size", recorded=str(e.data.get("size")),
                                   size=str(size)))
        expected = [p for p in pool if p in confirmed][: int(size or 0)]
        recorded = [str(p) for p in e.data.get("ranking", [])]
        if recorded != expected:
            entries = [e.index, nominate.index] + ([verify.index] if verify else [])
            out.append(finding("R10", HARD, case.pid, entries, "shortlist.differs",
                               recorded=", ".join(recorded) or "-", expected=", ".join(expected) or "-"))
    return out


def _vote_rounds(h: ProcessHistory) -> list[object]:
    rounds: list[object] = []
    for e in h.all("vote.commit", "vote.reveal", "process.review"):
        if e.data.get("round") not in rounds:
            rounds.append(e.data.get("round"))
    return rounds


def _voters_at(h: ProcessHistory, c: _Committee, entry: Entry) -> frozenset[str]:
    """The formed committee's members who may vote at ``entry``: not recused at forming or since."""
    listed = [] if c.formed is None else [m for m in c.formed.data.get("members", []) if isinstance(m, Mapping)]
    recused = {str(m.get("person")) for m in listed if m.get("recused")}
    recused |= {p for p, r in c.recusals.items() if _before(h, r, entry)}
    return c.members - recused


def _check_opening(
    case: ProcessCase, c: _Committee, e: Entry, commits: Mapping[str, Entry]
) -> list[Finding]:
    """C7: the chair opened the reveals with at least a quorum of commitments from voters."""
    voters = _voters_at(case.history, c, e)
    committed = len(set(commits) & voters)
    quorum = e.data.get("quorum")
    required = int(quorum.get("required") or 0) if isinstance(quorum, Mapping) else 0
    if required <= c.seated // 2 or committed < required:
        entries = [e.index, *(x.index for x in commits.values())]
        return [finding("C7", HARD, case.pid, entries, "votes.open_reveal_too_few", committed=committed,
                        required=required, seated=c.seated)]
    return []


def check_votes(case: ProcessCase) -> list[Finding]:
    """R4/R14/R3/R8/R13/C7: only seated, declared, unrecused, untied members vote, each reveal matches its
    earlier commitment, nothing changes after the review closed, and the review counts exactly the
    logged valid votes (totals, recommendation, quorum).

    Phases (R8): a round's reveal phase opens at the chair's ``vote.open_reveal`` (with at least a
    quorum of commitments, C7) or once every voter has committed; a reveal before that and a commit
    after it are hard findings."""
    h = case.history
    c = _committee(h)
    pool = set(_pool(h))
    out: list[Finding] = []
    for rnd in _vote_rounds(h):
        review = next((e for e in h.all("process.review") if e.data.get("round") == rnd), None)
        commits: dict[str, Entry] = {}
        reveals: dict[str, Entry] = {}
        bad: set[str] = set()
        revealed_any = False
        opened: Entry | None = None  # the entry that opened the reveal phase
        for e in h.all("vote.commit", "vote.reveal", "vote.open_reveal"):
            if e.data.get("round") != rnd:
                continue
            if e.action == "vote.open_reveal":
                if opened is None:
                    out += _check_opening(case, c, e, commits)
                    opened = e
                continue
            person = str(e.data.get("member"))
            ranking = _ranking_of_round(h, rnd, before=e)
            seat = c.seats.get(person)

            problems: list[tuple[str, Severity, str, tuple[int, ...], dict[str, str | int]]] = []

            def flag(rule: str, severity: Severity, key: str, *extra: int, **params: str | int) -> None:
                problems.append((rule, severity, key, extra, params))  # noqa: B023 - used before the loop moves on

            if not ranking:
                flag("R13", SOFT, "votes.before_shortlist")
            if seat is None or person not in c.members:
                flag("R4", HARD, "votes.not_member")
            elif seat[0] != e.actor_id:
                flag("R4", HARD, "votes.signed_by_other", actor=e.actor_id)
            else:
                recusal = c.recusals.get(person)
                if recusal is not None and _before(h, recusal, e):
                    flag("R14", HARD, "votes.recused", recusal.index)
                pledge = c.pledges.get(seat[0])
                if pledge is None or not _before(h, pledge, e):
                    flag("R14", HARD, "votes.undeclared")
                elif c.ties.get(person, frozenset()) & set(ranking):
                    flag("R14", HARD, "votes.tied", pledge.index,
                         candidates=", ".join(sorted(c.ties[person] & set(ranking))))
                if person in pool:
                    flag("R3", HARD, "votes.candidate")
            if review is not None and _before(h, review, e):
                flag("R8", SOFT, "votes.after_close", review.index)
            if e.action == "vote.commit":
                if person in commits:
                    flag("R8", HARD, "votes.recommit", commits[person].index)
                elif opened is not None:
                    flag("R8", HARD, "votes.commit_after_open", opened.index)
                elif revealed_any:
                    flag("R8", HARD, "votes.commit_after_reveal")
                commits.setdefault(person, e)
                voters = _voters_at(h, c, e)
                if opened is None and voters and voters <= set(commits):
                    opened = e  # every voter has committed: the reveal phase opens with this commit
            else:
                revealed_any = True
                voters = _voters_at(h, c, e)
                if opened is None and voters and voters <= set(commits):
                    opened = e  # a recusal since the last commit left only members who had committed
                if opened is None:
                    flag("R8", HARD, "votes.reveal_before_open")
                _judge_reveal(h, person, e, commits.get(person), reveals, ranking, flag)
            for rule, severity, key, extra, params in problems:
                if severity == HARD:  # an invalid vote is not counted; a soft flag does not void it
                    bad.add(person)
                out.append(finding(rule, severity, case.pid, [e.index, *extra], key, person=person, **params))
        if review is not None:
            out += _check_review(case, c, review, rnd, reveals, bad)
    return out


def _judge_reveal(
    h: ProcessHistory, person: str, e: Entry, commit: Entry | None, reveals: dict[str, Entry], ranking: list[str],
    flag: Callable[..., None],
) -> None:
    """A reveal is valid when it recomputes to the member's earlier commitment and scores the shortlist."""
    scores = e.data.get("scores")
    if commit is None:
        flag("R8", HARD, "votes.reveal_without_commit")
        return
    try:
        digest = commitment(person, dict(scores or {}), str(e.data.get("reason")), str(e.data.get("nonce")))
    except (TypeError, ValueError):
        digest = ""
    if digest != str(commit.data.get("commitment", "")).lower():
        flag("R8", HARD, "votes.reveal_mismatch", commit.index)
    elif person in reveals:
        flag("R8", HARD, "votes.rereveal", reveals[person].index)
    elif set(scores or {}) != set(ranking):
        flag("R8", HARD, "votes.ballot_incomplete")
    reveals.setdefault(person, e)


def _check_review(
    case: ProcessCase, c: _Committee, review: Entry, rnd: object, reveals: Mapping[str, Entry], bad: set[str]
) -> list[Finding]:
    h = case.history
    out: list[Finding] = []
    ranking = _ranking_of_round(h, rnd, before=review)
    valid = {p for p, e in reveals.items() if p not in bad and _before(h, e, review)}
    recorded = {str(p) for p in review.data.get("valid_votes", [])}
    for person in sorted(recorded - set(reveals)):
        out.append(finding("R4", HARD, case.pid, [review.index], "review.offlog_vote", person=person))
    if recorded & set(reveals) != valid:
        out.append(finding("R10", HARD, case.pid, [review.index], "review.valid_differs",
                           recorded=", ".join(sorted(recorded)), valid=", ".join(sorted(valid))))
    totals = {p: sum(int(reveals[m].data["scores"].get(p, 0)) for m in valid) for p in ranking}
    if dict(review.data.get("totals", {})) != totals:
        out.append(finding("R10", HARD, case.pid, [review.index], "review.totals_differ"))
    order = {p: i for i, p in enumerate(ranking)}
    expected = sorted(ranking, key=lambda p: (-totals[p], order[p]))
    if [str(p) for p in review.data.get("recommendation", [])] != expected:
        out.append(finding("R10", HARD, case.pid, [review.index], "review.recommendation_differs",
                           expected=", ".join(expected)))
    quorum = review.data.get("quorum", {})
    if isinstance(quorum, Mapping):
        if c.formed is not None and quorum.get("seated") != c.seated:
            out.append(finding("C7", HARD, case.pid, [review.index, c.formed.index], "review.seated_differs",
                               recorded=str(quorum.get("seated")), seated=c.seated))
        required = int(quorum.get("required") or 0)
        if required <= c.seated // 2 or len(valid) < required:
            out.append(finding("C7", HARD, case.pid, [review.index], "review.quorum", valid=len(valid),
                               required=required, seated=c.seated))
    return out


def check_appointment(case: ProcessCase) -> list[Finding]:
    """R7: the appointee is in the latest recommendation; a non-rank-1 choice is justified (and flagged)."""
    h = case.history
    appoint = h.last("process.appoint")
    if appoint is None:
        return []
    review = _last_before(h, "process.review", appoint)
    recommendation = [] if review is None else [str(p) for p in review.data.get("recommendation", [])]
    appointee = str(appoint.data.get("appointee"))
    entries = [appoint.index] + ([review.index] if review else [])
    if appointee not in recommendation:
        return [finding("R7", HARD, case.pid, entries, "appoint.not_recommended", candidate=appointee)]
    rank = recommendation.index(appointee) + 1
    out: list[Finding] = []
    if appoint.data.get("rank") != rank:
        out.append(finding("R7", HARD, case.pid, entries, "appoint.rank_misstated", candidate=appointee,
                           recorded=str(appoint.data.get("rank")), rank=rank))
    if rank > 1:
        if not str(appoint.data.get("justification") or "").strip():
            out.append(finding("R7", HARD, case.pid, entries, "appoint.unjustified", candidate=appointee, rank=rank))
        else:
            out.append(finding("R7", SOFT, case.pid, entries, "appoint.deviation", candidate=appointee, rank=rank))
    return out


def check_objections(case: ProcessCase) -> list[Finding]:
    """R11: the window elapsed before objections were closed and before the appointment; every
    objection was answered first; an upheld one sent the process back."""
    h = case.history
    out: list[Finding] = []
    answers = {str(e.data.get("objection")): e for e in h.all("objection.answer")}
    for closing in h.all("process.resolve_objections", "process.appoint"):
        announce = _last_before(h, "process.announce", closing)
        ends = None if announce is None else _time(announce.data.get("objection_window_ends_at"))
        if announce is not None and (ends is None or closing.time < ends):
            out.append(finding("R11", HARD, case.pid, [closing.index, announce.index], "objections.window_open",
                               action=closing.action, ends_at=str(announce.data.get("objection_window_ends_at"))))
        for filed in h.before(closing):
            if filed.action != "objection.file":
                continue
            answer = answers.get(str(filed.data.get("objection")))
            if answer is None or not _before(h, answer, closing):
                out.append(finding("R11", HARD, case.pid, [closing.index, filed.index], "objections.open",
                                   action=closing.action, objection=str(filed.data.get("objection"))))
            elif (closing.action == "process.appoint" and answer.data.get("outcome") == "upheld"
                  and not any(e.action == "process.reopen_shortlist" and _before(h, answer, e)
                              for e in h.before(closing))):
                out.append(finding("R11", HARD, case.pid, [closing.index, answer.index], "objections.upheld_ignored",
                                   objection=str(filed.data.get("objection"))))
    return out


def check_dates(case: ProcessCase) -> list[Finding]:
    """R17 backdating, R13 an outcome dated before the assessment, R6 Pilkada window without approval."""
    h = case.history
    appoint = h.last("process.appoint")
    if appoint is None:
        return []
    decree = appoint.data.get("decree")
    day = _date(decree.get("date")) if isinstance(decree, Mapping) else None
    if day is None:
        return [finding("R17", HARD, case.pid, [appoint.index], "dates.decree_missing")]
    out: list[Finding] = []
    for action in ("process.review", "process.resolve_objections"):
        dep = _last_before(h, action, appoint)
        if dep is not None and day < _day(dep.time):
            out.append(finding("R17", HARD, case.pid, [appoint.index, dep.index], "dates.backdated",
                               decree_date=day.isoformat(), action=action, decided_on=_day(dep.time).isoformat()))
    nominate = h.first("process.nominate_pool")
    if nominate is not None and day < _day(nominate.time):
        out.append(finding("R13", SOFT, case.pid, [appoint.index, nominate.index], "dates.before_snapshot",
                           decree_date=day.isoformat(), snapshot_on=_day(nominate.time).isoformat()))
    if not appoint.data.get("approval_letter_digest"):
        for window in appoint.data.get("pilkada_windows", []) or []:
            start, end = _date(window.get("start")), _date(window.get("end"))
            if start and end and any(start <= d <= end for d in (day, _day(appoint.time))):
                out.append(finding("R6", HARD, case.pid, [appoint.index], "dates.pilkada", start=start.isoformat(),
                                   end=end.isoformat()))
    return out


def check_field(case: ProcessCase) -> list[Finding]:
    """R15 thin field (fewer candidates than the rule set's minimum per post); R5 a single candidate."""
    h = case.history
    nominate = h.first("process.nominate_pool")
    if nominate is None:
        return []
    pool = _pool(h)
    out: list[Finding] = []
    if case.ruleset is not None and len(pool) < case.ruleset.min_candidates_per_post:
        out.append(finding("R15", SOFT, case.pid, [nominate.index], "field.thin", count=len(pool),
                           minimum=case.ruleset.min_candidates_per_post))
    if len(pool) == 1:
        out.append(finding("R5", SOFT, case.pid, [nominate.index], "field.single_pool"))
    for e in _rankings(h):
        if len(e.data.get("ranking", [])) == 1 and len(pool) > 1:
            out.append(finding("R5", SOFT, case.pid, [e.index], "field.single_shortlist"))
    return out


def check_acting(case: ProcessCase) -> list[Finding]:
    """R12 Plt→definitive, when the appointee's evidence record says they act in this very post.

    Evidence records (``jejak.merit.evidence`` v1) do not carry acting status yet; an optional
    ``employee.acting_position`` (position code) is read when present (docs/compliance.md, gaps).
    """
    h = case.history
    appoint, nominate = h.last("process.appoint"), h.first("process.nominate_pool")
    if appoint is None or nominate is None:
        return []
    appointee = str(appoint.data.get("appointee"))
    record = case.evidence.get(str(nominate.data.get("evidence", {}).get(appointee)))
    employee = record.data.get("employee") if record is not None and isinstance(record.data, Mapping) else None
    code = nominate.data.get("position", {}).get("code")
    if isinstance(employee, Mapping) and employee.get("acting_position") and employee.get("acting_position") == code:
        return [finding("R12", SOFT, case.pid, [appoint.index, nominate.index], "acting.definitive",
                        candidate=appointee, position=str(code))]
    return []


ProcessCheck = Callable[[ProcessCase], list[Finding]]

PROCESS_CHECKS: Final[tuple[ProcessCheck, ...]] = (
    check_ruleset, check_sequence, check_roles, check_committee, check_evidence, check_evaluation,
    check_eligibility, check_exclusions, check_shortlist, check_votes, check_appointment, check_objections,
    check_dates, check_field, check_acting,
)


def check_process(case: ProcessCase) -> list[Finding]:
    """Every per-process check on one case."""
    return [f for check in PROCESS_CHECKS for f in check(case)]


# --- checks across processes ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Appointment:
    pid: str | int
    entry: Entry
    day: dt.date
    number: str
    position: str
    position_type: str


def _appointments(histories: Mapping[str | int, ProcessHistory]) -> list[_Appointment]:
    out = []
    for pid, h in histories.items():
        appoint, nominate = h.last("process.appoint"), h.first("process.nominate_pool")
        decree = None if appoint is None else appoint.data.get("decree")
        day = _date(decree.get("date")) if isinstance(decree, Mapping) else None
        if appoint is None or day is None or not isinstance(decree, Mapping):
            continue
        position = nominate.data.get("position", {}) if nominate is not None else {}
        out.append(_Appointment(pid, appoint, day, str(decree.get("number", "")).strip(), str(position.get("code")),
                                str(position.get("type"))))
    return out


def check_bulk(histories: Mapping[str | int, ProcessHistory], t: Thresholds = DEFAULTS) -> list[Finding]:
    """R1: more than ``per_decree_max`` appointments under one decree, or a month with more than
    ``bulk_factor`` × the mean of the other months (zeros included) and at least ``bulk_min``."""
    appointments = _appointments(histories)
    out: list[Finding] = []
    by_decree: dict[str, list[_Appointment]] = defaultdict(list)
    for a in appointments:
        if a.number:
            by_decree[a.number].append(a)
    for number, group in sorted(by_decree.items()):
        if len(group) > t.per_decree_max:
            out += [finding("R1", SOFT, a.pid, [a.entry.index], "bulk.per_decree", number=number, count=len(group),
                            maximum=t.per_decree_max) for a in group]
    by_month: dict[tuple[int, int], list[_Appointment]] = defaultdict(list)
    for a in appointments:
        by_month[(a.day.year, a.day.month)].append(a)
    if not by_month:
        return out
    first, last = min(by_month), max(by_month)
    span = (last[0] - first[0]) * 12 + last[1] - first[1] + 1
    total = len(appointments)
    for month, group in sorted(by_month.items()):
        others = span - 1
        baseline = Decimal(total - len(group)) / others if others else Decimal(0)
        if len(group) >= t.bulk_min and len(group) > t.bulk_factor * max(baseline, Decimal(1)):
            label = f"{month[0]:04d}-{month[1]:02d}"
            out += [finding("R1", SOFT, a.pid, [a.entry.index], "bulk.spike", month=label, count=len(group),
                            baseline=str(baseline.quantize(Decimal("0.1"))), factor=t.bulk_factor) for a in group]
    return out


def check_batches(histories: Mapping[str | int, ProcessHistory], t: Thresholds = DEFAULTS) -> list[Finding]:
    """R5 batch uniformity: one preparer's single-candidate processes, ``batch_min`` or more within
    ``batch_window_days``."""
    singles: dict[str, list[tuple[dt.datetime, str | int, Entry]]] = defaultdict(list)
    for pid, h in histories.items():
        create, nominate = h.first("process.create"), h.first("process.nominate_pool")
        if create is not None and nominate is not None and len(_pool(h)) <= 1:
            singles[create.actor_id].append((create.time, pid, create))
    out: list[Finding] = []
    window = dt.timedelta(days=t.batch_window_days)
    for preparer, items in sorted(singles.items()):
        items.sort(key=lambda x: x[0])
        flagged: set[str | int] = set()
        for i, (start, _, _) in enumerate(items):
            batch = [x for x in items[i:] if x[0] - start <= window]
            if len(batch) >= t.batch_min:
                for _, pid, create in batch:
                    if pid not in flagged:
                        flagged.add(pid)
                        out.append(finding("R5", SOFT, pid, [create.index], "batch.uniform", preparer=preparer,
                                           count=len(batch), days=t.batch_window_days))
    return out


def _nip_records(
    histories: Mapping[str | int, ProcessHistory], evidence: Mapping[str, BundleEvidence]
) -> dict[str, list[tuple[dt.datetime, str | int, str, Mapping[str, Any], Entry]]]:
    by_nip: dict[str, list[tuple[dt.datetime, str | int, str, Mapping[str, Any], Entry]]] = defaultdict(list)
    for pid, h in histories.items():
        nominate = h.first("process.nominate_pool")
        if nominate is None:
            continue
        for person, digest in nominate.data.get("evidence", {}).items():
            record = evidence.get(str(digest))
            employee = record.data.get("employee") if record and isinstance(record.data, Mapping) else None
            if isinstance(employee, Mapping) and employee.get("nip"):
                by_nip[str(employee["nip"])].append((nominate.time, pid, str(person), employee, nominate))
    return by_nip


def check_churn(
    histories: Mapping[str | int, ProcessHistory], evidence: Mapping[str, BundleEvidence], t: Thresholds = DEFAULTS
) -> list[Finding]:
    """R19: a pool candidate's profile fields differ from their record in another process's snapshot
    taken up to ``churn_days`` earlier (the data allows this diff; per-field change times are a gap)."""
    out: list[Finding] = []
    window = dt.timedelta(days=t.churn_days)
    for items in _nip_records(histories, evidence).values():
        items.sort(key=lambda x: (x[0], str(x[1])))
        for i, (when, pid, person, employee, nominate) in enumerate(items):
            if person not in _pool(histories[pid]):
                continue
            earlier = [x for x in items[:i] if x[1] != pid and when - x[0] <= window]
            if not earlier:
                continue
            then, other_pid, _, before, other = earlier[-1]
            changed = [f for f in CHURN_FIELDS if before.get(f) != employee.get(f)]
            if changed:
                out.append(finding("R19", SOFT, pid, [nominate.index, other.index], "churn.changed", candidate=person,
                                   fields=", ".join(changed), other=str(other_pid), days=(when - then).days))
    return out


def check_tenure(histories: Mapping[str | int, ProcessHistory], t: Thresholds = DEFAULTS) -> list[Finding]:
    """R20: a new process for a JPT post within ``jpt_tenure_years`` of its previous appointment."""
    out: list[Finding] = []
    for a in _appointments(histories):
        if a.position_type not in JPT_TYPES:
            continue
        until = add_years(a.day, t.jpt_tenure_years)
        for pid, h in histories.items():
            create = h.first("process.create")
            if pid == a.pid or create is None or str(create.data.get("position")) != a.position:
                continue
            if a.day <= _day(create.time) < until:
                out.append(finding("R20", SOFT, pid, [create.index, a.entry.index], "tenure.jpt_replaced",
                                   position=a.position, previous=str(a.pid), decree_date=a.day.isoformat()))
    return out


def check_bundle(
    histories: Mapping[str | int, ProcessHistory], evidence: Mapping[str, BundleEvidence], t: Thresholds = DEFAULTS
) -> list[Finding]:
    """Every cross-process check."""
    return (check_bulk(histories, t) + check_batches(histories, t) + check_churn(histories, evidence, t)
            + check_tenure(histories, t))


# --- the live guard's view ----------------------------------------------------------------------

BLOCK_DOWNSTREAM: Final[Mapping[str, frozenset[str]]] = {
    # Evidence changed after the snapshot taints every later decision that rests on it.
    "process.shortlist": frozenset({"R8", "C3"}),
    "process.reopen_shortlist": frozenset({"R8", "C3"}),
    "process.appoint": frozenset({"R8", "C3"}),
}


def blocking(case: ProcessCase, action: str) -> list[Finding]:
    """The hard findings that refuse ``action``, the last (pending) entry of ``case.history``.

    A hard finding blocks when it names the pending entry, or when its rule taints every later
    decision (:data:`BLOCK_DOWNSTREAM`). Findings about earlier entries alone do not block: they
    were judged when those entries were appended.
    """
    downstream = BLOCK_DOWNSTREAM.get(action, frozenset())
    return [f for f in check_process(case)
            if f.severity == HARD and (PENDING in f.entries or f.rule in downstream)]


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Process, hard before soft, rule, entries."""
    return sorted(findings, key=Finding.sort_key)


__all__: Sequence[str] = [
    "DEFAULTS", "PROCESS_CHECKS", "ProcessCase", "Thresholds", "blocking", "check_bundle", "check_process",
    "make_case", "sort_findings",
]
