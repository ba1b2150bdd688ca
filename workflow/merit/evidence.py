"""Evidence records: each candidate's exact input data at nomination time, salted and digested.

Pure (stdlib + ``rfc8785``). A record is plain JSON data::

    {"v": 1, "kind": "jejak.merit.evidence", "pseudonym": "p-…", "salt": "<base64, 16 bytes>",
     "employee": {... every fact the rules read ...}}

and its digest is the log's evidence digest (``audit.bundle.evidence_digest``: SHA-256 of the
canonical ``{"data": <record without salt>, "salt": <base64>}``), so the digests in nomination
statements are exactly the keys of a bundle's evidence section — one definition, which the
offline verifier recomputes. Log entries carry only pseudonyms and digests (DESIGN.md §4); the
16-byte random salt stops anyone from confirming a guessed record (NIP, birth date and rank are
guessable) against a published digest.

Pseudonyms are ``"p-" + hex(HMAC-SHA256(process_secret, NIP))[:24]`` (96 bits). HMAC rather than
"sequential numbers after a salted shuffle" because a pseudonym then depends only on the secret
and the NIP: adding or removing a candidate (an upheld objection) never renames the others, an
inspector holding the secret can recompute any one pseudonym without a mapping table, and the
ranking's final tie-break (``ranking.py``) stays a lottery fixed at process creation. The secret
(32 random bytes) must be committed before the snapshot is taken — otherwise an operator could
try secrets until a favoured candidate wins ties — and is never published.

``evaluate(records, position, ruleset, dates, route=...)`` works from the records alone, so the
compliance replay reproduces the nomination byte for byte.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from audit.bundle import EvidenceRecord as BundleEvidence
from audit.bundle import evidence_digest
from workflow.merit.evaluation import Candidate, Evaluation, evaluate_candidates
from workflow.merit.facts import (
    AssessmentFact,
    DisciplineFact,
    EmployeeFacts,
    PositionFacts,
    ProcessDates,
    RatingFact,
)
from workflow.merit.ruleset import RuleSet

RECORD_VERSION = 1
RECORD_KIND = "jejak.merit.evidence"
SALT_BYTES = 16
SECRET_BYTES = 32
PSEUDONYM_HEX = 24

SaltSource = Callable[[int], bytes]


class EvidenceError(ValueError):
    """An evidence record is malformed or does not match its digest."""


@dataclass(frozen=True, slots=True)
class EvidenceRecord:
    """A record and the SHA-256 (hex) of its canonical bytes."""

    record: Mapping[str, Any]
    digest: str

    @property
    def pseudonym(self) -> str:
        return str(self.record["pseudonym"])


def new_process_secret(source: SaltSource = os.urandom) -> bytes:
    """32 random bytes for a new process's pseudonyms."""
    return source(SECRET_BYTES)


def pseudonym(secret: bytes, nip: str) -> str:
    """The per-process pseudonym of ``nip`` (see the module docstring for why HMAC)."""
    if len(secret) < 16:
        raise ValueError("the process secret must be at least 16 bytes")
    return "p-" + hmac.new(secret, nip.encode("ascii"), hashlib.sha256).hexdigest()[:PSEUDONYM_HEX]


def _d(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


def _date(text: str | None) -> dt.date | None:
    return None if text is None else dt.date.fromisoformat(text)


def facts_to_dict(facts: EmployeeFacts) -> dict[str, Any]:
    """Plain JSON data of ``facts``; lists in a fixed order so equal facts give equal bytes."""
    return {
        "nip": facts.nip,
        "birth_date": _d(facts.birth_date),
        "tmt_cpns": _d(facts.tmt_cpns),
        "golongan": facts.golongan,
        "tmt_golongan": _d(facts.tmt_golongan),
        "position_type": facts.position_type,
        "tmt_position": _d(facts.tmt_position),
        "education": facts.education,
        "lhkpn_status": facts.lhkpn_status,
        "lhkpn_year": facts.lhkpn_year,
        "acting_position": facts.acting_position,
        "ratings": [{"year": r.year, "predikat": r.predikat} for r in sorted(facts.ratings, key=lambda r: r.year)],
        "discipline": [
            {"level": d.level, "imposed_on": _d(d.imposed_on), "ends_on": _d(d.ends_on)}
            for d in sorted(facts.discipline, key=lambda d: (d.imposed_on, d.level, d.ends_on or dt.date.min))
        ],
        "assessments": [
            {
                "assessed_on": _d(a.assessed_on),
                "valid_until": _d(a.valid_until),
                "provider": a.provider,
                "provider_accredited": a.provider_accredited,
                "competencies": {name: level for name, level in sorted(a.competencies)},
                "potential": {name: level for name, level in sorted(a.potential)},
            }
            for a in sorted(facts.assessments, key=lambda a: (a.assessed_on, a.provider))
        ],
    }


def facts_from_dict(data: Mapping[str, Any]) -> EmployeeFacts:
    """Inverse of ``facts_to_dict``. Raises EvidenceError naming a missing or bad field."""
    try:
        return EmployeeFacts(
            nip=str(data["nip"]),
            birth_date=dt.date.fromisoformat(data["birth_date"]),
            tmt_cpns=dt.date.fromisoformat(data["tmt_cpns"]),
            golongan=str(data["golongan"]),
            tmt_golongan=dt.date.fromisoformat(data["tmt_golongan"]),
            position_type=str(data["position_type"]),
            tmt_position=dt.date.fromisoformat(data["tmt_position"]),
            education=str(data["education"]),
            lhkpn_status=str(data["lhkpn_status"]),
            lhkpn_year=data["lhkpn_year"],
            acting_position=data.get("acting_position"),  # absent from records sealed before it existed
            ratings=tuple(RatingFact(int(r["year"]), str(r["predikat"])) for r in data["ratings"]),
            discipline=tuple(
                DisciplineFact(str(d["level"]), dt.date.fromisoformat(d["imposed_on"]), _date(d["ends_on"]))
                for d in data["discipline"]
            ),
            assessments=tuple(
                AssessmentFact(
                    assessed_on=dt.date.fromisoformat(a["assessed_on"]),
                    valid_until=dt.date.fromisoformat(a["valid_until"]),
                    provider=str(a["provider"]),
                    provider_accredited=bool(a["provider_accredited"]),
                    competencies=tuple(sorted((str(k), int(v)) for k, v in a["competencies"].items())),
                    potential=tuple(sorted((str(k), int(v)) for k, v in a["potential"].items())),
                )
                for a in data["assessments"]
            ),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise EvidenceError(f"malformed employee data in evidence record: {exc!r}") from None


def position_to_dict(position: PositionFacts) -> dict[str, Any]:
    """Plain JSON data of the vacancy (part of the process's pinned inputs)."""
    return {
        "code": position.code,
        "type": position.type,
        "min_golongan": position.min_golongan,
        "min_education": position.min_education,
        "min_experience_years": position.min_experience_years,
        "standards": {name: level for name, level in sorted(position.standards)},
    }


def position_from_dict(data: Mapping[str, Any]) -> PositionFacts:
    """Inverse of ``position_to_dict``."""
    return PositionFacts(
        code=str(data["code"]),
        type=str(data["type"]),
        min_golongan=data["min_golongan"],
        min_education=data["min_education"],
        min_experience_years=int(data["min_experience_years"]),
        standards=tuple(sorted((str(k), int(v)) for k, v in data["standards"].items())),
    )


def _split_salt(record: Mapping[str, Any]) -> tuple[bytes, dict[str, Any]]:
    try:
        salt = base64.b64decode(str(record["salt"]), validate=True)
    except (KeyError, ValueError) as exc:
        raise EvidenceError(f"evidence record has no valid salt: {exc!r}") from None
    return salt, {key: value for key, value in record.items() if key != "salt"}


def record_digest(record: Mapping[str, Any]) -> str:
    """The record's evidence digest (``audit.bundle.evidence_digest`` over its data and salt)."""
    salt, data = _split_salt(record)
    try:
        return evidence_digest(salt, data)
    except ValueError as exc:
        raise EvidenceError(f"evidence record cannot be digested: {exc}") from None


def to_bundle_evidence(record: EvidenceRecord) -> BundleEvidence:
    """The record as a bundle's evidence entry (salt and data apart), keyed by ``record.digest``."""
    salt, data = _split_salt(record.record)
    return BundleEvidence(salt, data)


def from_bundle_evidence(digest: str, evidence: BundleEvidence) -> EvidenceRecord:
    """Inverse of :func:`to_bundle_evidence`; check it with :func:`verify_record`."""
    if not isinstance(evidence.data, Mapping):
        raise EvidenceError(f"evidence {digest[:12]}… is not a merit evidence record")
    record = {**evidence.data, "salt": base64.b64encode(evidence.salt).decode("ascii")}
    return EvidenceRecord(record=record, digest=digest)


def make_record(facts: EmployeeFacts, *, pseudonym: str, salt: bytes) -> EvidenceRecord:
    """Seal one candidate's facts."""
    if len(salt) != SALT_BYTES:
        raise ValueError(f"the salt must be {SALT_BYTES} bytes")
    record = {
        "v": RECORD_VERSION,
        "kind": RECORD_KIND,
        "pseudonym": pseudonym,
        "salt": base64.b64encode(salt).decode("ascii"),
        "employee": facts_to_dict(facts),
    }
    return EvidenceRecord(record=record, digest=record_digest(record))


def build_records(
    facts: Iterable[EmployeeFacts], *, secret: bytes, salt_source: SaltSource = os.urandom
) -> list[EvidenceRecord]:
    """Evidence records for every candidate, in pseudonym order (so the list reveals no input order)."""
    records = [make_record(f, pseudonym=pseudonym(secret, f.nip), salt=salt_source(SALT_BYTES)) for f in facts]
    return sorted(records, key=lambda r: r.pseudonym)


def verify_record(record: EvidenceRecord) -> EmployeeFacts:
    """Check a record's digest and shape; return its facts. Raises EvidenceError."""
    if record_digest(record.record) != record.digest:
        raise EvidenceError(f"evidence record {record.record.get('pseudonym')!r} does not match its digest")
    if record.record.get("v") != RECORD_VERSION or record.record.get("kind") != RECORD_KIND:
        raise EvidenceError("unknown evidence record version or kind")
    return facts_from_dict(record.record["employee"])


def evaluate(
    records: Sequence[EvidenceRecord],
    position: PositionFacts,
    ruleset: RuleSet,
    dates: ProcessDates,
    *,
    route: str,
    verify: bool = True,
) -> Evaluation:
    """Evaluate a vacancy from evidence records alone.

    Args:
        verify: check each record's digest first. Only the code that sealed the records a moment
            earlier in the same process may pass False (it saves a second canonicalisation).
    """
    candidates = [
        Candidate(r.pseudonym, verify_record(r) if verify else facts_from_dict(r.record["employee"]))
        for r in records
    ]
    return evaluate_candidates(candidates, position, ruleset, dates, route=route)
