"""Stages and events of a position-filling process, with their human labels (DESIGN.md §2).

Import rule: standard library only, like every module of ``workflow.lifecycle`` (which may add
``transitions``), so the state machine is testable and replayable without Flask or a database.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final, Literal

Lang = Literal["id", "en"]


class Stage(StrEnum):
    """Where a process stands; the value is what the ``status`` column stores."""

    DRAFT = "draft"
    COMMITTEE_FORMED = "committee_formed"
    POOL_NOMINATED = "pool_nominated"
    COMPETENCY_VERIFIED = "competency_verified"
    SHORTLISTED = "shortlisted"
    COMMITTEE_REVIEWED = "committee_reviewed"
    ANNOUNCED = "announced"
    OBJECTIONS_RESOLVED = "objections_resolved"
    APPOINTED = "appointed"
    CANCELLED = "cancelled"


class Event(StrEnum):
    """What moves a process: verbs in the present tense (STYLE.md §2), one trigger each."""

    FORM_COMMITTEE = "form_committee"
    NOMINATE_POOL = "nominate_pool"
    VERIFY_COMPETENCY = "verify_competency"
    SHORTLIST = "shortlist"
    REVIEW = "review"
    ANNOUNCE = "announce"
    RESOLVE_OBJECTIONS = "resolve_objections"
    REOPEN_SHORTLIST = "reopen_shortlist"
    APPOINT = "appoint"
    CANCEL = "cancel"


# No event leaves these: a finished or cancelled process is never reopened (domain.md §7.1);
# a new process that links to the old one is started instead.
TERMINAL_STAGES: Final[frozenset[Stage]] = frozenset({Stage.APPOINTED, Stage.CANCELLED})


@dataclass(frozen=True, slots=True)
class Label:
    """A text in Indonesian (``id``, the UI default) and English (``en``)."""

    id: str
    en: str

    def text(self, lang: Lang = "id") -> str:
        """Return the text in ``lang``."""
        return self.id if lang == "id" else self.en


STAGE_LABELS: Final[dict[Stage, Label]] = {
    Stage.DRAFT: Label("Draf", "Draft"),
    Stage.COMMITTEE_FORMED: Label("Panitia seleksi dibentuk", "Committee formed"),
    Stage.POOL_NOMINATED: Label("Kandidat dinominasikan", "Candidate pool nominated"),
    Stage.COMPETENCY_VERIFIED: Label("Kompetensi terverifikasi", "Competency verified"),
    Stage.SHORTLISTED: Label("Daftar pendek ditetapkan", "Shortlisted"),
    Stage.COMMITTEE_REVIEWED: Label("Dinilai panitia seleksi", "Reviewed by the committee"),
    Stage.ANNOUNCED: Label("Hasil diumumkan (masa sanggah)", "Results announced (objection window)"),
    Stage.OBJECTIONS_RESOLVED: Label("Sanggahan diselesaikan", "Objections resolved"),
    Stage.APPOINTED: Label("Diangkat", "Appointed"),
    Stage.CANCELLED: Label("Dibatalkan", "Cancelled"),
}

EVENT_LABELS: Final[dict[Event, Label]] = {
    Event.FORM_COMMITTEE: Label("Bentuk panitia seleksi", "Form the committee"),
    Event.NOMINATE_POOL: Label("Nominasikan kandidat", "Nominate the candidate pool"),
    Event.VERIFY_COMPETENCY: Label("Verifikasi kompetensi", "Verify competency"),
    Event.SHORTLIST: Label("Tetapkan daftar pendek", "Compute the shortlist"),
    Event.REVIEW: Label("Tutup penilaian panitia", "Close the committee review"),
    Event.ANNOUNCE: Label("Umumkan hasil", "Announce the results"),
    Event.RESOLVE_OBJECTIONS: Label("Tutup masa sanggah", "Close the objection window"),
    Event.REOPEN_SHORTLIST: Label("Buka kembali daftar pendek", "Reopen the shortlist"),
    Event.APPOINT: Label("Angkat kandidat", "Appoint a candidate"),
    Event.CANCEL: Label("Batalkan proses", "Cancel the process"),
}
