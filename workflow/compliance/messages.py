"""The findings' plain-language messages, in Bahasa Indonesia and English.

One catalogue: the CLI, the JSON and HTML reports, the inspector's web page and the live 409
refusal all render a finding from its ``key`` and ``params`` through :func:`render`. Texts are
``str.format`` templates; the web page shows them as data (escaped), never as markup.

Import rule: standard library only.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

# Short rule names (domain.md §5 for R*, docs/compliance.md for the replay checks C*).
RULES: Final[Mapping[str, tuple[str, str]]] = MappingProxyType({
    "C1": ("Set aturan yang dipatok", "Pinned rule set"),
    "C2": ("Urutan tahapan", "Stage sequence"),
    "C3": ("Rekam bukti tersedia", "Evidence available"),
    "C4": ("Alasan pengecualian", "Exclusion reasons"),
    "C7": ("Kuorum", "Quorum"),
    "R1": ("Lonjakan pengangkatan massal", "Bulk appointment spike"),
    "R2": ("Pelaku tanpa peran", "Non-role actor"),
    "R3": ("Tangan yang sama", "Same hands"),
    "R4": ("Persetujuan di luar log", "Off-chain approval"),
    "R5": ("Calon tunggal / keseragaman batch", "Single candidate / batch uniformity"),
    "R6": ("Masa Pilkada", "Pilkada window"),
    "R7": ("Kesetiaan peringkat", "Rank fidelity"),
    "R8": ("Perubahan nilai setelah tahap ditutup", "Post-close score edits"),
    "R9": ("Syarat kelayakan dilanggar", "Eligibility overridden"),
    "R10": ("Integritas daftar pendek", "Shortlist integrity"),
    "R11": ("Sanggahan terbuka", "Open objection"),
    "R12": ("Plt menjadi definitif", "Acting official made definitive"),
    "R13": ("Hasil ditetapkan lebih dulu", "Pre-decided outcome"),
    "R14": ("Konflik kepentingan panitia", "Committee conflict of interest"),
    "R15": ("Peserta terlalu sedikit", "Thin field"),
    "R16": ("Susunan panitia", "Committee composition"),
    "R17": ("Tanggal mundur", "Backdating"),
    "R19": ("Perubahan profil menjelang snapshot", "Profile churn before the snapshot"),
    "R20": ("Masa jabatan JPT", "JPT tenure"),
})

MESSAGES: Final[Mapping[str, tuple[str, str]]] = MappingProxyType({
    "ruleset.unavailable": ("Set aturan yang dipatok tidak dapat dimuat: {detail}",
                            "The pinned rule set cannot be loaded: {detail}"),
    "ruleset.changed": ("Nominasi memakai set aturan lain daripada yang dipatok saat proses dibuat.",
                        "The nomination used another rule set than the one pinned when the process was created."),
    "sequence.bad_create": ("Entri pembuatan proses tidak berada di awal atau tidak menuju draf.",
                            "The creation entry is not first or does not lead to draft."),
    "sequence.before_create": ("{action} dicatat sebelum proses dibuat.", "{action} was recorded before the process "
                               "was created."),
    "sequence.wrong_stage": ("{action} dicatat dari tahap {recorded}, padahal proses berada di tahap {stage}.",
                             "{action} was recorded from stage {recorded} while the process was at {stage}."),
    "sequence.illegal": ("{action} dari tahap {stage} ke {to} tidak diizinkan oleh mesin status.",
                         "{action} from {stage} to {to} is not allowed by the state machine."),
    "roles.not_system": ("{action} harus ditandatangani kunci sistem.", "{action} must be signed by the system key."),
    "roles.not_permitted": ("{action} dilakukan dengan peran {role}, yang tidak berwenang.",
                            "{action} was made in role {role}, which may not do it."),
    "roles.not_seated": ("{action} ditandatangani akun {actor} yang tidak duduk dalam panitia.",
                         "{action} was signed by account {actor}, who holds no committee seat."),
    "roles.other_ppk": ("Pengangkatan ditandatangani akun {actor}, bukan PPK yang ditetapkan ({ppk}).",
                        "The appointment was signed by account {actor}, not the designated PPK ({ppk})."),
    "committee.size": ("Panitia beranggota {size}; harus ganjil dan antara {min} dan {max}.",
                       "The committee has {size} members; it must be odd and between {min} and {max}."),
    "committee.internal": ("{internal} dari {size} anggota panitia berasal dari internal (batas {percent}%).",
                           "{internal} of {size} committee members are internal (limit {percent}%)."),
    "committee.member_candidate": ("Anggota panitia {person} juga kandidat dalam proses ini.",
                                   "Committee member {person} is also a candidate in this process."),
    "committee.tie_not_recused": ("Anggota {person} menyatakan hubungan dengan kandidat {candidates} tetapi tidak "
                                  "mengundurkan diri.",
                                  "Member {person} declared a tie to candidate(s) {candidates} but did not recuse."),
    "duties.candidate_official": ("Akun {actor} bertindak sebagai {role} dan juga kandidat {candidate} (sanggahan).",
                                  "Account {actor} acted as {role} and is also candidate {candidate} (objection)."),
    "evidence.absent": ("Bundel tidak memuat rekam bukti proses ini ({count} dirujuk): hasil tidak dapat diulang.",
                        "The bundle carries none of this process's evidence records ({count} referenced): the "
                        "result cannot be replayed."),
    "evidence.changed": ("Rekam bukti {candidate} (digest {digest}…) tidak ada atau berubah setelah snapshot.",
                         "The evidence record of {candidate} (digest {digest}…) is missing or changed after "
                         "the snapshot."),
    "evidence.wrong_record": ("Digest untuk {candidate} menunjuk rekam bukti orang lain.",
                              "The digest for {candidate} points to another person's evidence record."),
    "evaluation.failed": ("Evaluasi ulang gagal: {detail}", "The re-evaluation failed: {detail}"),
    "eligibility.recomputed": ("{candidate} masuk pool padahal tidak memenuhi syarat menurut evaluasi ulang.",
                               "{candidate} is in the pool but is not eligible when the rules are re-run."),
    "evaluation.pool_differs": ("Pool tercatat ({recorded}) berbeda dari hasil evaluasi ulang ({recomputed}); "
                                "beda pertama di peringkat {rank}.",
                                "The recorded pool ({recorded}) differs from the re-evaluation ({recomputed}); "
                                "first difference at rank {rank}."),
    "evaluation.digest_differs": ("evaluation_sha256 tercatat tidak sama dengan evaluasi ulang dari rekam bukti.",
                                  "The recorded evaluation_sha256 differs from the re-evaluation of the records."),
    "eligibility.pool": ("{candidate} masuk pool padahal nominasi mencatatnya tidak memenuhi syarat.",
                         "{candidate} is in the pool although the nomination recorded them as not eligible."),
    "eligibility.shortlist": ("{candidate} masuk daftar pendek padahal tidak memenuhi syarat.",
                              "{candidate} is on the shortlist although not eligible."),
    "eligibility.appointee": ("Yang diangkat, {candidate}, tidak memenuhi syarat.",
                              "The appointee, {candidate}, is not eligible."),
    "exclusion.undecided": ("Verifikator tidak memutus kandidat {candidate}.",
                            "The verifier made no decision on candidate {candidate}."),
    "exclusion.unexpected": ("Keputusan verifikasi ganda atau untuk bukan anggota pool: {candidate}.",
                             "A duplicate verification decision, or one for a non-pool candidate: {candidate}."),
    "exclusion.no_reason": ("Pengecualian {candidate} tidak memiliki kode alasan yang sah.",
                            "The exclusion of {candidate} has no valid reason code."),
    "exclusion.no_note": ("Pengecualian {candidate} dengan alasan lain tidak disertai catatan.",
                          "The exclusion of {candidate} for another reason has no note."),
    "shortlist.size": ("Ukuran daftar pendek tercatat {recorded}, set aturan menetapkan {size}.",
                       "The recorded shortlist size is {recorded}; the rule set says {size}."),
    "shortlist.differs": ("Daftar pendek tercatat ({recorded}) bukan peringkat hasil hitung ({expected}).",
                          "The recorded shortlist ({recorded}) is not the computed ranking ({expected})."),
    "votes.before_shortlist": ("Suara {person} dicatat sebelum daftar pendek putaran itu ada.",
                               "The vote of {person} was recorded before that round's shortlist existed."),
    "votes.not_member": ("{person} memberi suara tanpa duduk dalam panitia.",
                         "{person} voted without a committee seat."),
    "votes.signed_by_other": ("Suara {person} ditandatangani akun lain ({actor}).",
                              "The vote of {person} was signed by another account ({actor})."),
    "votes.recused": ("{person} memberi suara setelah mengundurkan diri.", "{person} voted after recusing."),
    "votes.undeclared": ("{person} memberi suara sebelum menandatangani pakta integritas dan deklarasi konflik.",
                         "{person} voted before signing the integrity pact and conflict declaration."),
    "votes.tied": ("{person} memberi suara padahal menyatakan hubungan dengan kandidat {candidates}.",
                   "{person} voted despite a declared tie to candidate(s) {candidates}."),
    "votes.candidate": ("{person} memberi suara padahal kandidat dalam proses ini.",
                        "{person} voted while being a candidate in this process."),
    "votes.after_close": ("Suara {person} dicatat setelah penilaian panitia ditutup.",
                          "The vote of {person} was recorded after the committee review closed."),
    "votes.recommit": ("{person} mengirim komitmen suara kedua.", "{person} committed a second time."),
    "votes.commit_after_reveal": ("{person} berkomitmen setelah suara lain dibuka.",
                                  "{person} committed after other ballots were revealed."),
    "votes.commit_after_open": ("{person} berkomitmen setelah tahap pengungkapan nilai dibuka.",
                                "{person} committed after the reveal phase had opened."),
    "votes.reveal_before_open": ("{person} mengungkap suara sebelum tahap pengungkapan nilai dibuka (belum semua "
                                 "anggota berkomitmen dan ketua belum membukanya).",
                                 "{person} revealed before the reveal phase opened (not every member had "
                                 "committed and the chair had not opened it)."),
    "votes.open_reveal_too_few": ("Ketua membuka pengungkapan nilai dengan {committed} komitmen; kuorum {required} "
                                  "dari {seated} kursi.",
                                  "The chair opened the reveals with {committed} commitments; the quorum is "
                                  "{required} of {seated} seats."),
    "votes.reveal_without_commit": ("{person} membuka suara tanpa komitmen sebelumnya.",
                                    "{person} revealed a ballot without an earlier commitment."),
    "votes.reveal_mismatch": ("Suara yang dibuka {person} tidak cocok dengan komitmennya.",
                              "The ballot {person} revealed does not match their commitment."),
    "votes.rereveal": ("{person} membuka suara dua kali.", "{person} revealed twice."),
    "votes.ballot_incomplete": ("Suara {person} tidak menilai tepat daftar pendek.",
                                "The ballot of {person} does not score exactly the shortlist."),
    "review.offlog_vote": ("Penilaian menghitung suara {person} yang tidak ada di log.",
                           "The review counted a vote by {person} that is not in the log."),
    "review.valid_differs": ("Suara sah tercatat ({recorded}) berbeda dari hasil hitung ulang ({valid}).",
                             "The recorded valid votes ({recorded}) differ from the recount ({valid})."),
    "review.totals_differ": ("Jumlah nilai tercatat berbeda dari hitung ulang suara yang dibuka.",
                             "The recorded totals differ from a recount of the revealed ballots."),
    "review.recommendation_differs": ("Rekomendasi tercatat bukan urutan hasil hitung ulang ({expected}).",
                                      "The recorded recommendation is not the recounted order ({expected})."),
    "review.seated_differs": ("Kuorum dihitung atas {recorded} kursi, padahal panitia beranggota {seated}.",
                              "The quorum was computed over {recorded} seats, but the committee has {seated}."),
    "review.quorum": ("Kuorum tidak terpenuhi: {valid} suara sah, perlu {required} dari {seated}.",
                      "Quorum not met: {valid} valid votes, {required} of {seated} needed."),
    "appoint.not_recommended": ("Yang diangkat, {candidate}, tidak ada dalam rekomendasi panitia.",
                                "The appointee, {candidate}, is not in the committee's recommendation."),
    "appoint.rank_misstated": ("Peringkat {candidate} tercatat {recorded}, sebenarnya {rank}.",
                               "The rank of {candidate} is recorded as {recorded}; it is {rank}."),
    "appoint.unjustified": ("{candidate} (peringkat {rank}) diangkat tanpa justifikasi.",
                            "{candidate} (rank {rank}) was appointed without a justification."),
    "appoint.deviation": ("{candidate} (peringkat {rank}, bukan peringkat 1) diangkat dengan justifikasi.",
                          "{candidate} (rank {rank}, not rank 1) was appointed with a justification."),
    "objections.window_open": ("{action} dicatat sebelum masa sanggah berakhir ({ends_at}).",
                               "{action} was recorded before the objection window ended ({ends_at})."),
    "objections.open": ("Sanggahan {objection} belum dijawab saat {action}.",
                        "Objection {objection} was unanswered at {action}."),
    "objections.upheld_ignored": ("Sanggahan {objection} diterima tetapi daftar pendek tidak dibuka kembali.",
                                  "Objection {objection} was upheld but the shortlist was not reopened."),
    "dates.decree_missing": ("Pengangkatan tidak mencatat tanggal SK.", "The appointment records no decree date."),
    "dates.backdated": ("SK bertanggal {decree_date}, sebelum keputusan yang mendasarinya ({action}, {decided_on}).",
                        "The decree is dated {decree_date}, before the decision it rests on ({action}, "
                        "{decided_on})."),
    "dates.before_snapshot": ("SK bertanggal {decree_date}, sebelum snapshot data merit ({snapshot_on}).",
                              "The decree is dated {decree_date}, before the merit snapshot ({snapshot_on})."),
    "dates.pilkada": ("Pengangkatan dalam masa Pilkada {start}–{end} tanpa surat persetujuan.",
                      "Appointment inside the Pilkada window {start}–{end} without an approval letter."),
    "field.thin": ("Hanya {count} kandidat dalam pool; minimum {minimum}.",
                   "Only {count} candidate(s) in the pool; the minimum is {minimum}."),
    "field.single_pool": ("Pool hanya berisi satu kandidat.", "The pool holds a single candidate."),
    "field.single_shortlist": ("Daftar pendek hanya berisi satu kandidat.", "The shortlist holds a single candidate."),
    "acting.definitive": ("Yang diangkat, {candidate}, adalah Plt pada jabatan {position} itu sendiri.",
                          "The appointee, {candidate}, is the acting holder (Plt) of post {position} itself."),
    "bulk.per_decree": ("{count} pengangkatan dalam satu SK {number} (batas {maximum}).",
                        "{count} appointments under one decree {number} (limit {maximum})."),
    "bulk.spike": ("{count} pengangkatan pada {month}, lebih dari {factor}× rata-rata bulan lain ({baseline}).",
                   "{count} appointments in {month}, more than {factor}× the other months' mean ({baseline})."),
    "batch.uniform": ("Penyusun {preparer} membuat {count} proses bercalon tunggal dalam {days} hari.",
                      "Preparer {preparer} made {count} single-candidate processes within {days} days."),
    "churn.changed": ("Profil {candidate} berubah ({fields}) dalam {days} hari sebelum snapshot (bandingkan "
                      "proses {other}).",
                      "The profile of {candidate} changed ({fields}) within {days} days before the snapshot "
                      "(compare process {other})."),
    "tenure.jpt_replaced": ("Proses baru untuk JPT {position} kurang dari 2 tahun setelah pengangkatan {decree_date} "
                            "(proses {previous}).",
                            "A new process for JPT post {position} less than 2 years after the appointment of "
                            "{decree_date} (process {previous})."),
})


def render(key: str, params: Mapping[str, object], lang: str = "id") -> str:
    """The message of ``key`` in ``lang`` (``id`` or ``en``); an unknown key renders as itself."""
    pair = MESSAGES.get(key)
    if pair is None:
        return key
    try:
        return (pair[0] if lang == "id" else pair[1]).format(**params)
    except (KeyError, IndexError):
        return key


def rule_title(rule: str, lang: str = "id") -> str:
    """The short name of ``rule``."""
    pair = RULES.get(rule)
    return rule if pair is None else (pair[0] if lang == "id" else pair[1])
