"""Read-only queries behind the ASN's own pages (``/saya``): my candidacies, my explanation, my receipt.

Web layer (Flask, SQLAlchemy, ``audit``, ``workflow.merit``). Nothing here changes a process; the
one write is :func:`covering_checkpoint`, which signs a log checkpoint when none covers an entry
yet (what ``workflow.ledger`` asks of a reader that must prove a fresh entry).

Privacy rule (domain.md §7.7, DESIGN.md §4): every function takes the signed-in account's
``employee_id`` and returns only that employee's rows; a process where the employee has no
candidate row is :class:`NotFoundError` (404), exactly as a process that does not exist. Of other
candidates only the cut-off's ranking values appear (``Explanation.cutoff_text``).

The explanation is recomputed from the sealed evidence records and the pinned inputs of the
``process.nominate_pool`` statement with the same pure function the nomination ran
(``workflow.merit.evidence.evaluate``), and accepted only when it reproduces the process's
snapshot digest byte for byte — so the numbers on the page are the numbers that decided, and a
change to a stored record shows up as a warning instead of a wrong explanation.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app
from flask_babel import lazy_gettext

from audit.canonical import canonical_json
from workflow import clock, ledger
from workflow.clock import utc
from workflow.errors import NotFoundError
from workflow.keystore import get_keystore
from workflow.lifecycle import STAGE_LABELS, Stage
from workflow.merit.eligibility import PREDIKAT_LABEL
from workflow.merit.explain import Explanation, explain
from workflow.merit.messages import render
from workflow.merit.ruleset import COMPOSITE_PARTS, RuleSet, RuleSetError
from workflow.models import OrgUnit, Position, SigningKey
from workflow.models import process as m
from workflow.models.ledger import KeyOwner
from workflow.services.evaluations import (
    StoredEvaluationError,
    nomination_entry,
    pinned_ruleset,
    stored_evaluation,
)

RECEIPT_FORMAT: Final = "jejak-receipt/v1"
OBJECTION_MIN_LENGTH: Final = 20
OBJECTION_MAX_LENGTH: Final = 4000

# Stages in the order a process passes them (cancelled is off the line).
STAGE_ORDER: Final = (
    Stage.DRAFT, Stage.COMMITTEE_FORMED, Stage.POOL_NOMINATED, Stage.COMPETENCY_VERIFIED, Stage.SHORTLISTED,
    Stage.COMMITTEE_REVIEWED, Stage.ANNOUNCED, Stage.OBJECTIONS_RESOLVED, Stage.APPOINTED,
)
# The committee's recommendation is the result the announcement publishes; before it, an ASN sees
# only what the computed steps (nomination, shortlist) put in the public log.
_RESULTS_PUBLIC: Final = frozenset({Stage.ANNOUNCED, Stage.OBJECTIONS_RESOLVED, Stage.APPOINTED})

# Names of the codes the merit rules use, for people (official terms stay as they are).
COMPETENCY_LABELS: Final[Mapping[str, Any]] = {
    "integritas": lazy_gettext("Integritas"),
    "kerjasama": lazy_gettext("Kerja sama"),
    "komunikasi": lazy_gettext("Komunikasi"),
    "orientasi_hasil": lazy_gettext("Orientasi pada hasil"),
    "pelayanan_publik": lazy_gettext("Pelayanan publik"),
    "pengembangan_diri": lazy_gettext("Pengembangan diri dan orang lain"),
    "mengelola_perubahan": lazy_gettext("Mengelola perubahan"),
    "pengambilan_keputusan": lazy_gettext("Pengambilan keputusan"),
    "sosial_kultural": lazy_gettext("Sosial kultural"),
    "teknis": lazy_gettext("Teknis"),
}
POTENTIAL_LABELS: Final[Mapping[str, Any]] = {
    "kemampuan_intelektual": lazy_gettext("Kemampuan intelektual"),
    "kemampuan_interpersonal": lazy_gettext("Kemampuan interpersonal"),
    "kesadaran_diri": lazy_gettext("Kesadaran diri"),
    "berpikir_kritis_strategis": lazy_gettext("Berpikir kritis dan strategis"),
    "problem_solving": lazy_gettext("Pemecahan masalah"),
    "kecerdasan_emosional": lazy_gettext("Kecerdasan emosional"),
    "growth_mindset": lazy_gettext("Growth mindset"),
    "grit": lazy_gettext("Grit"),
}
BAND_LABELS: Final[Mapping[str, Any]] = {
    "MS": lazy_gettext("Memenuhi Syarat"),
    "MMS": lazy_gettext("Masih Memenuhi Syarat"),
    "KMS": lazy_gettext("Kurang Memenuhi Syarat"),
    "O": lazy_gettext("Optimal"),
    "CO": lazy_gettext("Cukup Optimal"),
    "KO": lazy_gettext("Kurang Optimal"),
}
COMPOSITE_LABELS: Final[Mapping[str, Any]] = {
    "performance": lazy_gettext("Kinerja (SKP)"),
    "competency": lazy_gettext("Kompetensi (JPM)"),
    "potential": lazy_gettext("Potensial"),
    "qualification": lazy_gettext("Kualifikasi pendidikan"),
    "integrity": lazy_gettext("Integritas (riwayat disiplin)"),
}


# --- the clock ---------------------------------------------------------------------------------


def now() -> dt.datetime:
    """The current time, aware UTC, whole seconds (``workflow.clock``; tests set ``CLOCK``)."""
    return clock.now().replace(microsecond=0)


def stage_label(stage: Stage | str, lang: str) -> str:
    """The stage's name in ``lang`` (the lifecycle's own id/en labels); an unknown value as it is."""
    try:
        return STAGE_LABELS[Stage(stage)].text("en" if lang == "en" else "id")
    except ValueError:
        return str(stage)


def _stage_at_least(stage: Stage, reached: Stage) -> bool:
    return stage in STAGE_ORDER and STAGE_ORDER.index(stage) >= STAGE_ORDER.index(reached)


# --- my candidacies ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Status:
    """Where I stand in a process, as a code the templates word (``params`` fill the sentence)."""

    code: str
    params: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Candidacy:
    """One process that considered me: what the list page shows."""

    process_id: int
    position_title: str
    position_code: str
    unit_name: str
    stage: Stage
    status: Status


def status_of(process: m.Process, candidate: m.Candidate) -> Status:
    """My outcome so far in ``process`` (only my own row and the process row are read)."""
    stage = Stage(process.status)
    current = candidate.round == process.round
    if stage == Stage.APPOINTED:
        if process.appointee_pseudonym == candidate.pseudonym:
            return Status("appointed", {})
        if candidate.in_pool:
            return Status("not_appointed", {})
    if stage == Stage.CANCELLED:
        return Status("cancelled", {})
    if not candidate.in_pool:
        return Status("not_in_pool", {"outcome": candidate.outcome})
    if candidate.decision == m.Decision.EXCLUDED:
        return Status("excluded", {"reason": str(candidate.exclusion_reason or "")})
    if stage in _RESULTS_PUBLIC and current and candidate.recommended_rank:
        return Status("recommended", {"rank": candidate.recommended_rank})
    if stage in _RESULTS_PUBLIC and current and candidate.shortlist_rank:
        return Status("shortlisted_not_recommended", {"rank": candidate.shortlist_rank})
    if _stage_at_least(stage, Stage.SHORTLISTED) and current and candidate.shortlist_rank:
        return Status("shortlisted", {"rank": candidate.shortlist_rank})
    if _stage_at_least(stage, Stage.SHORTLISTED):
        return Status("not_shortlisted", {"rank": candidate.merit_rank or 0})
    if candidate.decision == m.Decision.CONFIRMED:
        return Status("confirmed", {"rank": candidate.merit_rank or 0})
    return Status("in_pool", {"rank": candidate.merit_rank or 0})


def candidacies(session: so.Session, employee_id: int | None) -> list[Candidacy]:
    """Every process in which ``employee_id`` has a candidate row (newest process first)."""
    if employee_id is None:
        return []
    rows = session.execute(
        sa.select(m.Process, m.Candidate, Position.title, Position.code, OrgUnit.name)
        .join(m.Candidate, m.Candidate.process_id == m.Process.id)
        .join(Position, Position.id == m.Process.position_id)
        .join(OrgUnit, OrgUnit.id == Position.unit_id)
        .where(m.Candidate.employee_id == employee_id)
        .order_by(m.Process.created_at.desc(), m.Process.id.desc())
    ).all()
    return [
        Candidacy(process.id, title, code, unit, Stage(process.status), status_of(process, candidate))
        for process, candidate, title, code, unit in rows
    ]


def own_candidacy(session: so.Session, process_id: int, employee_id: int | None) -> tuple[m.Process, m.Candidate]:
    """The process and my candidate row in it.

    Raises:
        NotFoundError: no such process, or I have no candidate row in it (the same 404 either
            way, so nobody learns which processes considered someone else).
    """
    if employee_id is not None:
        row = session.execute(
            sa.select(m.Process, m.Candidate)
            .join(m.Candidate, m.Candidate.process_id == m.Process.id)
            .where(m.Process.id == process_id, m.Candidate.employee_id == employee_id)
        ).one_or_none()
        if row is not None:
            return row[0], row[1]
    raise NotFoundError(f"process {process_id} has no candidacy of this account")


# --- the explanation page ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CompositePart:
    name: str
    weight: Decimal
    score: Decimal


@dataclass(frozen=True, slots=True)
class ObjectionView:
    """One of my objections and, once given, its answer."""

    id: int
    round: int
    text: str
    filed_at: dt.datetime
    upheld: bool | None
    answer: str | None
    answered_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class ExplanationPage:
    """Everything ``asn/process.html`` shows; only my own data and the cut-off."""

    process: m.Process
    position_title: str
    position_code: str
    unit_name: str
    stage: Stage
    status: Status
    explanation: Explanation | None
    problem: str | None
    composite: tuple[CompositePart, ...]
    composite_total: Decimal | None
    jpm_percent: Decimal | None
    potential_score: Decimal | None
    performance_level_text: str | None
    potential_level_text: str | None
    performance_years: tuple[tuple[int, str], ...]
    window_ends_at: dt.datetime | None
    window_open: bool
    objections: tuple[ObjectionView, ...]
    evidence_digest: str
    entry_index: int | None
    basis_hex: str


def _level_text(level: str | None, lang: str) -> str | None:
    return None if level is None else render(f"level.{level}", None, lang)


def objections_of(session: so.Session, candidate: m.Candidate) -> tuple[ObjectionView, ...]:
    """My objections in this process, every round, oldest first."""
    rows = session.scalars(
        sa.select(m.Objection).where(m.Objection.candidate_id == candidate.id).order_by(m.Objection.id)
    )
    return tuple(
        ObjectionView(o.id, o.round, o.text, utc(o.filed_at) or o.filed_at, o.upheld, o.answer, utc(o.answered_at))
        for o in rows
    )


def window(process: m.Process, moment: dt.datetime) -> tuple[dt.datetime | None, bool]:
    """The objection window's end and whether an objection may be filed at ``moment``."""
    ends_at = utc(process.objection_window_ends_at)
    is_open = Stage(process.status) == Stage.ANNOUNCED and ends_at is not None and moment < ends_at
    return ends_at, is_open


def explanation_page(
    session: so.Session, process_id: int, employee_id: int | None, *, lang: str, moment: dt.datetime
) -> ExplanationPage:
    """The explanation of my result in ``process_id`` (NotFoundError unless I am a candidate there)."""
    process, candidate = own_candidacy(session, process_id, employee_id)
    position, unit = session.execute(
        sa.select(Position, OrgUnit.name).join(OrgUnit, OrgUnit.id == Position.unit_id)
        .where(Position.id == process.position_id)
    ).one()
    explanation: Explanation | None = None
    problem: str | None = None
    entry_index: int | None = None
    ruleset: RuleSet | None = None
    try:
        entry = nomination_entry(session, process.id)
        entry_index = entry.index
        ruleset = pinned_ruleset(process)
        evaluation = stored_evaluation(session, process, entry)
        explanation = explain(evaluation, candidate.pseudonym, ruleset, lang="en" if lang == "en" else "id")
    except (NotFoundError, StoredEvaluationError, RuleSetError, KeyError) as exc:
        current_app.logger.error("explanation of process %s unavailable: %s", process.id, exc)
        problem = str(exc)
    composite: tuple[CompositePart, ...] = ()
    total = jpm = potential = None
    perf_text = pot_text = None
    years: tuple[tuple[int, str], ...] = ()
    if explanation is not None and ruleset is not None:
        parts = explanation.composite["parts"]
        composite = tuple(
            CompositePart(name, ruleset.composite_weights[name], Decimal(parts[name])) for name in COMPOSITE_PARTS
        )
        total = Decimal(explanation.composite["total"])
        jpm = Decimal(explanation.jpm["percent"]) if explanation.jpm else None
        potential = Decimal(explanation.potential_score) if explanation.potential_score else None
        perf_text = _level_text(explanation.performance_level, lang)
        pot_text = _level_text(explanation.potential_level, lang)
        years = tuple((y, PREDIKAT_LABEL.get(p, "-") if p else "-") for y, p in explanation.performance_years)
    ends_at, is_open = window(process, moment)
    return ExplanationPage(
        process=process,
        position_title=position.title,
        position_code=position.code,
        unit_name=unit,
        stage=Stage(process.status),
        status=status_of(process, candidate),
        explanation=explanation,
        problem=problem,
        composite=composite,
        composite_total=total,
        jpm_percent=jpm,
        potential_score=potential,
        performance_level_text=perf_text,
        potential_level_text=pot_text,
        performance_years=years,
        window_ends_at=ends_at,
        window_open=is_open,
        objections=objections_of(session, candidate),
        evidence_digest=candidate.evidence_digest,
        entry_index=entry_index,
        basis_hex=ledger.process_basis(session, process.id).hex(),
    )


# --- the receipt -------------------------------------------------------------------------------


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def checkpoint_if_due(session: so.Session, moment: dt.datetime) -> None:
    """After an action committed: sign a checkpoint when one is due (``ledger.maybe_checkpoint``).

    A failure here never undoes the action; the next action, or ``flask audit checkpoint``, signs.
    """
    try:
        ledger.maybe_checkpoint(session, get_keystore().log_signer(), moment)
        session.commit()
    except Exception:  # the action stands; only the checkpoint is late
        session.rollback()
        current_app.logger.exception("checkpoint after an objection failed")


def covering_checkpoint(session: so.Session, index: int, moment: dt.datetime) -> ledger.LogCheckpoint:
    """The latest checkpoint, signed now (and committed) if it does not cover entry ``index`` yet.

    Signing is idempotent and derives only from committed entries (``ledger.checkpoint``); it is
    the single write a reader of the log may make.
    """
    latest = ledger.latest_checkpoint(session)
    if latest is not None and latest.size > index:
        return latest
    try:
        row = ledger.checkpoint(session, get_keystore().log_signer(), moment)
        session.commit()
    except Exception:
        session.rollback()
        raise
    return row


def receipt(session: so.Session, process_id: int, employee_id: int | None, *, moment: dt.datetime) -> bytes:
    """My receipt: my evidence record as stored, the entry that committed to it, and its proof.

    Format ``jejak-receipt/v1`` (docs/receipt.md)::

        {"format", "origin", "log_vkey", "process", "pseudonym",
         "evidence": {"digest", "record"},                       # the record exactly as stored (salt included)
         "entry": {"index", "leaf", "leaf_hash"},                # base64 of the exact leaf bytes and their hash
         "signer": {"key_id", "public_key"},                     # the system key that signed the statement
         "checkpoint": "<signed note>",
         "inclusion_proof": {"index", "size", "proof": [base64, …]}}

    Raises:
        NotFoundError: not my candidacy, or no nomination entry.
    """
    process, candidate = own_candidacy(session, process_id, employee_id)
    entry = nomination_entry(session, process.id)
    checkpoint = covering_checkpoint(session, entry.index, moment)
    proof = ledger.inclusion_proof(session, entry.index, checkpoint.size)
    signer = session.execute(
        sa.select(SigningKey.key_id, SigningKey.public_key)
        .where(SigningKey.key_id == entry.statement.actor.key_id, SigningKey.owner_kind == KeyOwner.SYSTEM)
    ).one_or_none()
    body = {
        "format": RECEIPT_FORMAT,
        "origin": current_app.config["LOG_ORIGIN"],
        "log_vkey": get_keystore().log_vkey(),
        "process": process.id,
        "pseudonym": candidate.pseudonym,
        "evidence": {"digest": candidate.evidence_digest, "record": json.loads(bytes(candidate.evidence))},
        "entry": {"index": entry.index, "leaf": _b64(entry.leaf), "leaf_hash": _b64(entry.leaf_hash)},
        "signer": None if signer is None else {"key_id": signer[0], "public_key": _b64(bytes(signer[1]))},
        "checkpoint": checkpoint.note,
        "inclusion_proof": {"index": entry.index, "size": checkpoint.size, "proof": [_b64(h) for h in proof]},
    }
    # RFC 8785 bytes: one spelling per content, so a checker can refuse any other spelling and every
    # byte of the file is covered by a check (docs/receipt.md).
    return canonical_json(body)


def receipt_filename(process_id: int, pseudonym: str) -> str:
    return f"tanda-terima-proses-{process_id}-{pseudonym}.json"

