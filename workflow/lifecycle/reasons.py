"""Machine-readable reasons why an action is refused (blockers) or flagged (warnings).

One catalogue of codes with Indonesian and English messages, so the 409 page, the JSON API, the
statement in the log and the compliance replay all say the same thing (STYLE.md §5.7).

Import rule: standard library only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from workflow.lifecycle.stages import Label, Lang

# Params go into log statements and JSON bodies, so only JSON-safe, float-free scalars (C11).
ParamValue = str | int


@dataclass(frozen=True, slots=True)
class Reason:
    """One unmet requirement: a stable ``code``, its ``params`` and the rendered messages."""

    code: str
    params: Mapping[str, ParamValue]
    message_id: str
    message_en: str

    def message(self, lang: Lang = "id") -> str:
        """Return the rendered message in ``lang``."""
        return self.message_id if lang == "id" else self.message_en

    def as_dict(self) -> dict[str, object]:
        """Return a JSON-ready dict: ``{"code", "params", "message": {"id", "en"}}``."""
        return {
            "code": self.code,
            "params": dict(self.params),
            "message": {"id": self.message_id, "en": self.message_en},
        }


def reason(code: str, **params: ParamValue) -> Reason:
    """Build the :class:`Reason` for ``code`` with its messages rendered from ``params``.

    Raises:
        KeyError: ``code`` is not in :data:`MESSAGES`, or a placeholder has no param.
        TypeError: a param is not a str or int (bools are refused too).
    """
    for name, value in params.items():
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise TypeError(f"reason param {name!r} must be str or int, got {type(value).__name__}")
    label = MESSAGES[code]
    return Reason(
        code=code,
        params=MappingProxyType(dict(params)),
        message_id=label.id.format(**params),
        message_en=label.en.format(**params),
    )


def codes(reasons: list[Reason]) -> list[str]:
    """Return the codes of ``reasons`` in order (handy for tests and logs)."""
    return [r.code for r in reasons]


MESSAGES: Final[Mapping[str, Label]] = MappingProxyType(
    {
        # The stage itself.
        "stage.illegal_event": Label(
            "{action} tidak tersedia pada tahap {stage}.",
            "{action} is not possible at stage {stage}.",
        ),
        # Roles and segregation of duties (DESIGN.md §6; domain.md R2, R3, R4).
        "role.not_permitted": Label(
            "Peran {role} tidak boleh melakukan {action}.",
            "The role {role} may not perform {action}.",
        ),
        "role.not_seated": Label(
            "{person} tidak duduk sebagai {seat} dalam panitia proses ini.",
            "{person} is not seated as {seat} on this process's committee.",
        ),
        "role.recused": Label(
            "{person} mengundurkan diri karena konflik kepentingan dan tidak boleh bertindak.",
            "{person} is recused for a conflict of interest and may not act.",
        ),
        "role.not_process_ppk": Label(
            "{person} bukan PPK yang ditetapkan untuk proses ini.",
            "{person} is not the appointing authority (PPK) set for this process.",
        ),
        "sod.conflict": Label(
            "{person} tidak boleh sekaligus menjadi {duty_a} dan {duty_b} dalam satu proses.",
            "{person} may not be both {duty_a} and {duty_b} in one process.",
        ),
        "payload.unexpected_field": Label(
            "Isian {field} tidak dikenal untuk {action}.",
            "Field {field} is not accepted for {action}.",
        ),
        # Committee composition (domain.md §4, R14, R16).
        "committee.size_out_of_bounds": Label(
            "Panitia beranggotakan {size} orang; harus {minimum}–{maximum}.",
            "The committee has {size} members; it must have {minimum}–{maximum}.",
        ),
        "committee.size_even": Label(
            "Jumlah anggota panitia ({size}) harus ganjil.",
            "The committee size ({size}) must be odd.",
        ),
        "committee.internal_share_exceeded": Label(
            "Anggota internal {internal} dari {size}; paling banyak {max_percent}%.",
            "{internal} of {size} members are internal; at most {max_percent}% may be.",
        ),
        "committee.chair_missing": Label(
            "Panitia belum memiliki ketua.",
            "The committee has no chair.",
        ),
        "committee.chair_multiple": Label(
            "Panitia memiliki {count} ketua; harus tepat satu.",
            "The committee has {count} chairs; it must have exactly one.",
        ),
        "committee.chair_recused": Label(
            "Ketua panitia {person} mengundurkan diri; tetapkan ketua lain.",
            "The chair {person} is recused; seat another chair.",
        ),
        "committee.duplicate_member": Label(
            "{person} didudukkan lebih dari sekali.",
            "{person} is seated more than once.",
        ),
        "committee.pact_unsigned": Label(
            "{person} belum menandatangani pakta integritas.",
            "{person} has not signed the integrity pact.",
        ),
        "committee.coi_undeclared": Label(
            "{person} belum menyampaikan pernyataan konflik kepentingan.",
            "{person} has not made a conflict-of-interest declaration.",
        ),
        "committee.member_is_candidate": Label(
            "{person} adalah kandidat dan tidak boleh menjadi anggota panitia.",
            "{person} is a candidate and may not sit on the committee.",
        ),
        "committee.conflict_not_recused": Label(
            "{person} menyatakan hubungan dengan kandidat {candidate} tetapi belum mengundurkan diri.",
            "{person} declared a tie to candidate {candidate} but is not recused.",
        ),
        # Pool (domain.md R15).
        "pool.snapshot_missing": Label(
            "Snapshot data merit yang dikunci belum dicatat.",
            "No locked merit snapshot has been recorded.",
        ),
        "pool.too_few_candidates": Label(
            "Kandidat {count}; paling sedikit {minimum}.",
            "{count} candidates; at least {minimum} are required.",
        ),
        "pool.thin_field": Label(
            "Hanya {count} kandidat (disarankan paling sedikit {minimum}); ini ditandai untuk pemeriksa.",
            "Only {count} candidates (at least {minimum} recommended); this is flagged for inspectors.",
        ),
        # Competency verification.
        "verification.missing": Label(
            "Kandidat {candidate} belum diverifikasi.",
            "Candidate {candidate} has not been verified.",
        ),
        "verification.unknown_candidate": Label(
            "Verifikasi untuk {candidate}, yang bukan kandidat proses ini.",
            "A verification names {candidate}, who is not a candidate in this process.",
        ),
        "verification.duplicate": Label(
            "Kandidat {candidate} diverifikasi lebih dari sekali.",
            "Candidate {candidate} has more than one verification.",
        ),
        "verification.reason_missing": Label(
            "Pengecualian {candidate} tidak memiliki kode alasan.",
            "The exclusion of {candidate} has no reason code.",
        ),
        "verification.reason_unknown": Label(
            "Kode alasan {reason} untuk {candidate} tidak ada dalam daftar.",
            "Reason code {reason} for {candidate} is not on the list.",
        ),
        "verification.note_missing": Label(
            "Pengecualian {candidate} dengan alasan lain harus disertai catatan.",
            "The exclusion of {candidate} for another reason needs a written note.",
        ),
        # Shortlist (domain.md R10).
        "shortlist.ranking_missing": Label(
            "Peringkat belum dihitung.",
            "No ranking has been computed.",
        ),
        "shortlist.not_eligible": Label(
            "Peringkat memuat {candidate}, yang bukan kandidat yang lolos verifikasi.",
            "The ranking lists {candidate}, who is not a verified eligible candidate.",
        ),
        "shortlist.duplicate": Label(
            "Peringkat memuat {candidate} lebih dari sekali.",
            "The ranking lists {candidate} more than once.",
        ),
        # Votes (commit–reveal) and the committee review.
        "votes.not_eligible_voter": Label(
            "{person} bukan anggota panitia yang berhak memilih (tidak duduk atau mengundurkan diri).",
            "{person} may not vote (not seated, or recused).",
        ),
        "votes.duplicate": Label(
            "{person} memiliki lebih dari satu {kind}.",
            "{person} has more than one {kind}.",
        ),
        "votes.reveal_without_commit": Label(
            "{person} membuka suara tanpa komitmen sebelumnya.",
            "{person} revealed a vote without having committed to it.",
        ),
        "votes.reveal_before_commit": Label(
            "Suara {person} dibuka sebelum komitmennya.",
            "{person}'s vote was revealed before it was committed.",
        ),
        "votes.commit_after_reveal": Label(
            "Komitmen {person} dicatat setelah suara lain dibuka.",
            "{person} committed after another vote had been revealed.",
        ),
        "votes.reveal_mismatch": Label(
            "Suara yang dibuka oleh {person} tidak cocok dengan komitmennya.",
            "{person}'s revealed vote does not match the commitment.",
        ),
        "votes.malformed": Label(
            "Suara {person} tidak sah: {detail}.",
            "{person}'s vote is malformed: {detail}.",
        ),
        "votes.ballot_incomplete": Label(
            "Suara {person} harus menilai tepat semua kandidat dalam peringkat.",
            "{person}'s ballot must score exactly the ranked candidates.",
        ),
        "votes.commit_after_open": Label(
            "Komitmen {person} dicatat setelah tahap pengungkapan nilai dibuka.",
            "{person} committed after the reveal phase had opened.",
        ),
        "votes.reveal_before_open": Label(
            "Suara {person} diungkap sebelum tahap pengungkapan nilai dibuka.",
            "{person} revealed before the reveal phase opened.",
        ),
        "votes.commits_closed": Label(
            "Komitmen ditutup: tahap pengungkapan nilai sudah dibuka.",
            "Commitments are closed: the reveal phase is open.",
        ),
        "votes.reveal_not_open": Label(
            "Suara belum dapat diungkap: tahap pengungkapan nilai belum dibuka ({committed} dari {voters} "
            "anggota sudah berkomitmen). Tahap ini terbuka setelah semua anggota berkomitmen, atau dibuka ketua "
            "setelah kuorum komitmen tercapai.",
            "Votes cannot be revealed yet: the reveal phase is not open ({committed} of {voters} members have "
            "committed). It opens once every member has committed, or when the chair opens it after a quorum of "
            "commitments.",
        ),
        "votes.reveal_already_open": Label(
            "Tahap pengungkapan nilai sudah dibuka.",
            "The reveal phase is already open.",
        ),
        "votes.open_reveal_too_few": Label(
            "Baru {committed} komitmen; pengungkapan nilai dapat dibuka setelah paling sedikit {required} "
            "komitmen (kuorum).",
            "Only {committed} commitments; reveals can be opened once there are at least {required} (the quorum).",
        ),
        "votes.already_committed": Label(
            "{person} sudah memberikan komitmen.",
            "{person} has already committed.",
        ),
        "votes.already_revealed": Label(
            "{person} sudah membuka suaranya.",
            "{person} has already revealed.",
        ),
        "votes.stage_closed": Label(
            "Pemungutan suara hanya pada tahap daftar pendek (sekarang: {stage}).",
            "Voting is open only while shortlisted (now: {stage}).",
        ),
        "review.quorum_not_met": Label(
            "Suara sah {valid} dari {seated} anggota; kuorum {required}.",
            "{valid} valid votes of {seated} seated members; quorum is {required}.",
        ),
        "review.recommendation_missing": Label(
            "Rekomendasi panitia belum dihitung.",
            "The committee's recommendation has not been computed.",
        ),
        "review.recommendation_not_ranked": Label(
            "Rekomendasi memuat {candidate}, yang tidak ada dalam daftar pendek.",
            "The recommendation lists {candidate}, who is not on the shortlist.",
        ),
        # Objections.
        "objections.window_unknown": Label(
            "Akhir masa sanggah belum ditetapkan.",
            "The end of the objection window is not set.",
        ),
        "objections.window_open": Label(
            "Masa sanggah masih berjalan sampai {ends_at}.",
            "The objection window is open until {ends_at}.",
        ),
        "objections.unanswered": Label(
            "Sanggahan {objection} belum dijawab.",
            "Objection {objection} has not been answered.",
        ),
        "objections.upheld": Label(
            "Sanggahan {objection} diterima; daftar pendek harus dihitung ulang.",
            "Objection {objection} was upheld; the shortlist must be recomputed.",
        ),
        "objections.none_upheld": Label(
            "Tidak ada sanggahan yang diterima.",
            "No objection has been upheld.",
        ),
        # Appointment (domain.md R6, R7, R11, R17).
        "appoint.appointee_missing": Label(
            "Pilih kandidat yang diangkat.",
            "Choose the candidate to appoint.",
        ),
        "appoint.not_recommended": Label(
            "{candidate} tidak termasuk dalam rekomendasi panitia.",
            "{candidate} is not in the committee's recommendation.",
        ),
        "appoint.justification_required": Label(
            "{candidate} berperingkat {rank}; mengangkat selain peringkat 1 memerlukan justifikasi tertulis.",
            "{candidate} is ranked {rank}; appointing anyone but rank 1 needs a written justification.",
        ),
        "appoint.deviation_from_rank1": Label(
            "Pengangkatan menyimpang dari peringkat 1 ({candidate}, peringkat {rank}); ditandai.",
            "The appointment departs from rank 1 ({candidate}, rank {rank}); flagged.",
        ),
        "appoint.decree_missing": Label(
            "Nomor dan tanggal SK pengangkatan wajib diisi.",
            "The appointment decree number and date are required.",
        ),
        "appoint.decision_missing": Label(
            "Waktu keputusan panitia tidak tercatat.",
            "The committee decision time is not recorded.",
        ),
        "appoint.decree_backdated": Label(
            "Tanggal SK {decree_date} lebih awal dari keputusan panitia {decided_on}.",
            "The decree date {decree_date} is before the committee decision of {decided_on}.",
        ),
        "appoint.pilkada_approval_missing": Label(
            "Tanggal {on} berada dalam masa Pilkada ({start}–{end}); lampirkan persetujuan Mendagri.",
            "{on} falls in the Pilkada window ({start}–{end}); attach the Home Affairs approval letter.",
        ),
        "appoint.open_objection": Label(
            "Sanggahan {objection} masih terbuka.",
            "Objection {objection} is still open.",
        ),
        # Cancellation.
        "cancel.reason_required": Label(
            "Alasan pembatalan wajib diisi.",
            "A reason for cancelling is required.",
        ),
    }
)
