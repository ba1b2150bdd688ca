"""Refusal reasons the services add to the state machine's catalogue, and the errors that carry them.

Same shape as ``workflow.lifecycle.reasons`` (code, params, Indonesian and English message), so a
view renders a refusal the same way whether the machine or the service found it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Final

from workflow.errors import ConflictError, ForbiddenError
from workflow.lifecycle import Label, Reason
from workflow.lifecycle import reasons as lifecycle_reasons

MESSAGES: Final[Mapping[str, Label]] = MappingProxyType(
    {
        "process.position_not_vacant": Label(
            "Jabatan {position} tidak lowong.", "Position {position} is not vacant."
        ),
        "process.position_busy": Label(
            "Jabatan {position} sudah memiliki proses yang berjalan ({process}).",
            "Position {position} already has an open process ({process}).",
        ),
        "process.route_unknown": Label("Jalur {route} tidak dikenal.", "Unknown route {route}."),
        "process.position_type_unruled": Label(
            "Aturan merit {ruleset} belum memuat syarat untuk jabatan {type} ({position}); proses tidak dapat dibuat.",
            "Merit rule set {ruleset} has no eligibility rules for {type} posts ({position}); no process can open.",
        ),
        "process.ppk_not_ppk": Label(
            "Akun {user} tidak memiliki peran PPK.", "Account {user} does not hold the PPK role."
        ),
        "account.inactive": Label("Akun {user} tidak aktif.", "Account {user} is not active."),
        "key.missing": Label(
            "Akun {user} belum memiliki kunci tanda tangan yang aktif.",
            "Account {user} has no active signing key.",
        ),
        "committee.closed": Label(
            "Susunan panitia hanya dapat diubah pada tahap draf (sekarang: {stage}).",
            "The committee can only be changed while the process is a draft (now: {stage}).",
        ),
        "committee.already_seated": Label(
            "Akun {user} sudah duduk dalam panitia proses ini.", "Account {user} is already seated on this committee."
        ),
        "committee.account_not_eligible": Label(
            "Akun {user} tidak memiliki peran anggota atau ketua panitia.",
            "Account {user} holds no committee member or chair role.",
        ),
        "committee.already_recused": Label("{person} sudah mengundurkan diri.", "{person} is already recused."),
        "committee.reason_required": Label("Alasan wajib diisi.", "A reason is required."),
        "verification.stage_closed": Label(
            "Verifikasi hanya pada tahap kandidat dinominasikan (sekarang: {stage}).",
            "Verification is only possible once the pool is nominated (now: {stage}).",
        ),
        "objection.stage_closed": Label(
            "Sanggahan hanya dapat diajukan atau dijawab saat hasil diumumkan (sekarang: {stage}).",
            "Objections can only be filed or answered while results are announced (now: {stage}).",
        ),
        "objection.window_closed": Label(
            "Masa sanggah berakhir pada {ends_at}.", "The objection window closed at {ends_at}."
        ),
        "objection.not_candidate": Label(
            "Anda bukan kandidat dalam proses ini.", "You are not a candidate in this process."
        ),
        "objection.text_required": Label("Isi sanggahan wajib diisi.", "The objection needs a text."),
        "objection.already_answered": Label(
            "Sanggahan {objection} sudah dijawab.", "Objection {objection} has already been answered."
        ),
        "objection.answer_required": Label("Jawaban wajib diisi.", "The answer needs a text."),
        "appoint.unknown_candidate": Label(
            "{candidate} bukan kandidat proses ini.", "{candidate} is not a candidate in this process."
        ),
        "appoint.approval_digest_invalid": Label(
            "Digest surat persetujuan harus 64 digit heksadesimal (SHA-256).",
            "The approval letter digest must be 64 hex digits (SHA-256).",
        ),
    }
)


def reason(code: str, **params: str | int) -> Reason:
    """Build a :class:`Reason` from the service catalogue, or the lifecycle's if the code is there."""
    if code in lifecycle_reasons.MESSAGES:
        return lifecycle_reasons.reason(code, **params)
    label = MESSAGES[code]
    return Reason(
        code=code,
        params=MappingProxyType(dict(params)),
        message_id=label.id.format(**params),
        message_en=label.en.format(**params),
    )


class _Refusal:
    reasons: tuple[Reason, ...]
    action: str

    @property
    def codes(self) -> list[str]:
        """The reason codes, in order (what tests and JSON clients compare)."""
        return [r.code for r in self.reasons]


class NotPermittedError(_Refusal, ForbiddenError):
    """403: the actor may not do this here (role, seat, recusal, own conflict of duties, key)."""

    def __init__(self, action: str, reasons: Sequence[Reason]) -> None:
        super().__init__(f"{action} not permitted: " + "; ".join(r.message_en for r in reasons))
        self.action, self.reasons = action, tuple(reasons)


class RefusedError(_Refusal, ConflictError):
    """409: the process's state or the action's inputs do not allow it now (``reasons`` say why)."""

    def __init__(self, action: str, reasons: Sequence[Reason]) -> None:
        super().__init__(f"{action} refused: " + "; ".join(r.message_en for r in reasons))
        self.action, self.reasons = action, tuple(reasons)
