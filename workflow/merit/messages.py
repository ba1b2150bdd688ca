"""Message catalogue (Bahasa Indonesia and English) for rule results and explanations.

Pure (stdlib only). ``render(key, params, lang)`` is a plain function so the offline replay
and tests render exactly what the web page shows; the web layer may wrap it with Flask-Babel.
Official Indonesian terms (predikat names, golongan codes, kotak labels) stay untranslated in
the English text, as the ASN will meet them in those words on their SK and SKP.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

LANGS: Final = ("id", "en")

CATALOGUE: Final[dict[str, dict[str, str]]] = {
    # --- eligibility ---------------------------------------------------------------------------
    "education.pass": {
        "id": "Pendidikan {value} memenuhi syarat minimal {required}.",
        "en": "Education {value} meets the minimum {required}.",
    },
    "education.fail": {
        "id": "Pendidikan {value} di bawah syarat minimal {required}.",
        "en": "Education {value} is below the minimum {required}.",
    },
    "education.hint": {
        "id": "Diperlukan ijazah {required} atau lebih tinggi (S1 dan D-IV setara).",
        "en": "Needs a {required} degree or higher (S1 and D-IV count the same).",
    },
    "golongan.pass": {
        "id": "Golongan {value} memenuhi syarat minimal {required}.",
        "en": "Rank {value} meets the minimum {required}.",
    },
    "golongan.fail": {
        "id": "Golongan {value} di bawah syarat minimal {required}.",
        "en": "Rank {value} is below the minimum {required}.",
    },
    "golongan.hint": {
        "id": "Diperlukan golongan {required}; golongan Anda {value} sejak {since}.",
        "en": "Rank {required} required, yours {value} since {since}.",
    },
    "feeder.pass": {
        "id": "Menduduki jabatan {value} selama {held}, syarat {years} tahun.",
        "en": "Has held a {value} post for {held}; {years} years required.",
    },
    "feeder.wrong_type": {
        "id": "Jabatan {value} bukan jabatan asal yang dipersyaratkan ({allowed}).",
        "en": "A {value} post is not one of the required feeder posts ({allowed}).",
    },
    "feeder.too_short": {
        "id": "Menduduki jabatan {value} baru {held}, syarat {years} tahun.",
        "en": "Has held the {value} post for only {held}; {years} years required.",
    },
    "feeder.hint_type": {
        "id": "Diperlukan jabatan {allowed} paling singkat {years} tahun.",
        "en": "Needs a {allowed} post held for at least {years} years.",
    },
    "feeder.hint_time": {
        "id": "Syarat masa jabatan terpenuhi pada {date}.",
        "en": "The time-in-post requirement is met on {date}.",
    },
    "experience.pass": {
        "id": "Masa kerja {held} sejak TMT CPNS, syarat {years} tahun.",
        "en": "{held} of service since TMT CPNS; {years} years required.",
    },
    "experience.fail": {
        "id": "Masa kerja baru {held} sejak TMT CPNS, syarat {years} tahun.",
        "en": "Only {held} of service since TMT CPNS; {years} years required.",
    },
    "experience.hint": {
        "id": "Syarat masa kerja terpenuhi pada {date}.",
        "en": "The service requirement is met on {date}.",
    },
    "age.none": {
        "id": "Tidak ada batas usia untuk jenis jabatan ini pada tahap {stage}.",
        "en": "No age cap applies to this type of post at {stage}.",
    },
    "age.pass": {
        "id": "Usia {value} pada {date} ({stage}), batas {cap}.",
        "en": "Age {value} on {date} ({stage}); cap {cap}.",
    },
    "age.fail": {
        "id": "Usia {value} pada {date} ({stage}) melebihi batas {cap}.",
        "en": "Age {value} on {date} ({stage}) is above the cap {cap}.",
    },
    "age.hint": {
        "id": "Batas usia {cap} terlampaui sejak {since}; syarat ini tidak dapat dipenuhi lagi.",
        "en": "The age cap {cap} was passed on {since}; this requirement can no longer be met.",
    },
    "skp.pass": {
        "id": "Predikat SKP {year}: {value} (minimal {required}).",
        "en": "SKP {year} predikat: {value} (at least {required}).",
    },
    "skp.fail": {
        "id": "Predikat SKP {year}: {value}, di bawah minimal {required}.",
        "en": "SKP {year} predikat: {value}, below the minimum {required}.",
    },
    "skp.missing": {
        "id": "Tidak ada predikat SKP untuk tahun {year}.",
        "en": "No SKP predikat recorded for {year}.",
    },
    "skp.hint": {
        "id": "Diperlukan predikat SKP '{required}' atau lebih baik untuk tahun {year}.",
        "en": "Needs SKP '{required}' or better in {year}.",
    },
    "discipline.pass": {
        "id": "Tidak ada hukuman disiplin {levels} yang dijatuhkan atau berjalan sejak {since}.",
        "en": "No {levels} discipline penalty imposed or running since {since}.",
    },
    "discipline.fail": {
        "id": "Hukuman disiplin {level} dijatuhkan {imposed} (berakhir {ends}) dalam masa {years} tahun terakhir.",
        "en": "A {level} discipline penalty imposed {imposed} (ending {ends}) within the last {years} years.",
    },
    "discipline.hint": {
        "id": "Syarat ini terpenuhi untuk pendaftaran mulai {date}.",
        "en": "This requirement is met for registrations from {date}.",
    },
    "lhkpn.pass": {
        "id": "LHKPN/LHKASN tahun {year} telah disampaikan.",
        "en": "LHKPN/LHKASN for {year} has been filed.",
    },
    "lhkpn.not_required": {
        "id": "LHKPN/LHKASN tidak dipersyaratkan untuk jabatan ini.",
        "en": "LHKPN/LHKASN is not required for this post.",
    },
    "lhkpn.fail": {
        "id": "LHKPN/LHKASN belum disampaikan untuk tahun {year} atau sesudahnya (status: {value}).",
        "en": "No LHKPN/LHKASN filed for {year} or later (status: {value}).",
    },
    "lhkpn.hint": {
        "id": "Sampaikan LHKPN/LHKASN tahun {year}.",
        "en": "File the LHKPN/LHKASN for {year}.",
    },
    "assessment.present": {
        "id": "Hasil asesmen tanggal {date} oleh {provider}.",
        "en": "Assessment of {date} by {provider}.",
    },
    "assessment.none": {
        "id": "Tidak ada hasil asesmen kompetensi sampai {date}.",
        "en": "No competency assessment up to {date}.",
    },
    "assessment.none_hint": {
        "id": "Ikuti asesmen kompetensi pada assessment center terakreditasi.",
        "en": "Take a competency assessment at an accredited assessment centre.",
    },
    "assessment.valid": {
        "id": "Hasil asesmen berlaku sampai {until}.",
        "en": "The assessment is valid until {until}.",
    },
    "assessment.expired": {
        "id": "Hasil asesmen hanya berlaku sampai {until}, sebelum {date}.",
        "en": "The assessment was valid only until {until}, before {date}.",
    },
    "assessment.expired_hint": {
        "id": "Diperlukan asesmen baru yang dilaksanakan paling cepat {earliest}.",
        "en": "Needs a new assessment taken on or after {earliest}.",
    },
    "assessment.accredited": {
        "id": "{provider} adalah penyelenggara asesmen terakreditasi.",
        "en": "{provider} is an accredited assessment provider.",
    },
    "assessment.not_accredited": {
        "id": "{provider} bukan penyelenggara asesmen terakreditasi.",
        "en": "{provider} is not an accredited assessment provider.",
    },
    "assessment.accredited_hint": {
        "id": "Diperlukan asesmen oleh assessment center terakreditasi.",
        "en": "Needs an assessment by an accredited assessment centre.",
    },
    "jpm.pass": {
        "id": "JPM {value} % ({band}) memenuhi batas lulus {required} %.",
        "en": "JPM {value} % ({band}) meets the pass mark {required} %.",
    },
    "jpm.fail": {
        "id": "JPM {value} % ({band}) di bawah batas lulus {required} %.",
        "en": "JPM {value} % ({band}) is below the pass mark {required} %.",
    },
    "jpm.unavailable": {
        "id": "JPM tidak dapat dihitung: {reason}.",
        "en": "JPM cannot be computed: {reason}.",
    },
    "jpm.hint": {
        "id": "Diperlukan tambahan {levels} level kompetensi; kesenjangan terbesar: {gaps}.",
        "en": "Needs {levels} more competency level(s); largest gaps: {gaps}.",
    },
    # --- 9-box ---------------------------------------------------------------------------------
    **{
        f"box.{n}.label": {"id": label_id, "en": label_en}
        for n, label_id, label_en in (
            (9, "Kinerja di atas ekspektasi, potensial tinggi", "Performance above expectations, high potential"),
            (8, "Kinerja sesuai ekspektasi, potensial tinggi", "Performance meets expectations, high potential"),
            (7, "Kinerja di atas ekspektasi, potensial menengah", "Performance above expectations, medium potential"),
            (6, "Kinerja di bawah ekspektasi, potensial tinggi", "Performance below expectations, high potential"),
            (5, "Kinerja sesuai ekspektasi, potensial menengah",
             "Performance meets expectations, medium potential"),
            (4, "Kinerja di atas ekspektasi, potensial rendah", "Performance above expectations, low potential"),
            (3, "Kinerja di bawah ekspektasi, potensial menengah",
             "Performance below expectations, medium potential"),
            (2, "Kinerja sesuai ekspektasi, potensial rendah", "Performance meets expectations, low potential"),
            (1, "Kinerja di bawah ekspektasi, potensial rendah", "Performance below expectations, low potential"),
        )
    },
    "box.9.follow_up": {
        "id": "Dipromosikan dan dipertahankan; masuk kelompok rencana suksesi instansi dan nasional; penghargaan.",
        "en": "Promote and retain; agency and national succession group; award.",
    },
    "box.8.follow_up": {
        "id": "Dipertahankan; kelompok rencana suksesi instansi; rotasi/perluasan jabatan; bimbingan kinerja.",
        "en": "Retain; agency succession group; rotation or job enlargement; performance coaching.",
    },
    "box.7.follow_up": {
        "id": "Dipertahankan; kelompok rencana suksesi instansi; rotasi/pengayaan jabatan; pengembangan "
        "kompetensi; tugas belajar.",
        "en": "Retain; agency succession group; rotation or job enrichment; competency development; "
        "study assignment.",
    },
    "box.6.follow_up": {
        "id": "Penempatan yang sesuai; bimbingan kinerja; konseling kinerja.",
        "en": "Suitable placement; performance coaching; performance counselling.",
    },
    "box.5.follow_up": {
        "id": "Penempatan yang sesuai; bimbingan kinerja; pengembangan kompetensi.",
        "en": "Suitable placement; performance coaching; competency development.",
    },
    "box.4.follow_up": {
        "id": "Rotasi; pengembangan kompetensi.",
        "en": "Rotation; competency development.",
    },
    "box.3.follow_up": {
        "id": "Bimbingan dan konseling kinerja; pengembangan kompetensi; penempatan yang sesuai.",
        "en": "Performance coaching and counselling; competency development; suitable placement.",
    },
    "box.2.follow_up": {
        "id": "Bimbingan kinerja; pengembangan kompetensi; penempatan yang sesuai.",
        "en": "Performance coaching; competency development; suitable placement.",
    },
    "box.1.follow_up": {
        "id": "Diproses sesuai ketentuan peraturan perundang-undangan.",
        "en": "Handled under the applicable regulations.",
    },
    "box.none": {
        "id": "Belum dapat dipetakan ke kotak talenta: {reason}.",
        "en": "Cannot be placed in the talent matrix: {reason}.",
    },
    "reason.no_performance": {
        "id": "predikat SKP tahun {years} tidak lengkap",
        "en": "SKP predikat for {years} incomplete",
    },
    "reason.no_assessment": {"id": "tidak ada hasil asesmen", "en": "no assessment"},
    "reason.incomplete_potential": {
        "id": "komponen potensial belum lengkap ({missing})",
        "en": "potential components missing ({missing})",
    },
    "reason.no_standard": {
        "id": "jabatan belum memiliki standar kompetensi",
        "en": "the position has no competency standard",
    },
    "level.di_atas": {"id": "di atas ekspektasi", "en": "above expectations"},
    "level.sesuai": {"id": "sesuai ekspektasi", "en": "meets expectations"},
    "level.di_bawah": {"id": "di bawah ekspektasi", "en": "below expectations"},
    "level.tinggi": {"id": "tinggi", "en": "high"},
    "level.menengah": {"id": "menengah", "en": "medium"},
    "level.rendah": {"id": "rendah", "en": "low"},
    "stage.registration": {"id": "pendaftaran", "en": "registration"},
    "stage.appointment": {"id": "pelantikan", "en": "appointment"},
    # --- outcome ---------------------------------------------------------------------------------
    "outcome.shortlisted": {
        "id": "Masuk daftar pendek: peringkat {rank} dari {eligible} kandidat memenuhi syarat.",
        "en": "Shortlisted: rank {rank} of {eligible} eligible candidates.",
    },
    "outcome.eligible_not_shortlisted": {
        "id": "Memenuhi syarat, peringkat {rank} dari {eligible}; batas daftar pendek adalah peringkat {cutoff_rank}.",
        "en": "Eligible, rank {rank} of {eligible}; the shortlist ends at rank {cutoff_rank}.",
    },
    "outcome.not_eligible": {
        "id": "Tidak memenuhi syarat: {failed} syarat tidak terpenuhi.",
        "en": "Not eligible: {failed} requirement(s) not met.",
    },
    "outcome.not_in_talent_pool": {
        "id": "Memenuhi syarat, tetapi kotak {box} tidak termasuk kelompok rencana suksesi (kotak {pool}).",
        "en": "Eligible, but box {box} is not in the succession group (boxes {pool}).",
    },
    "outcome.not_in_talent_pool_unplaced": {
        "id": "Memenuhi syarat, tetapi belum dapat dipetakan ke kotak talenta.",
        "en": "Eligible, but not placed in the talent matrix.",
    },
    "cutoff.talent": {
        "id": "Batas daftar pendek (peringkat {rank}): kotak {box}, JPM {jpm} %, nilai komposit {composite}.",
        "en": "Shortlist cut-off (rank {rank}): box {box}, JPM {jpm} %, composite {composite}.",
    },
    "cutoff.open": {
        "id": "Batas daftar pendek (peringkat {rank}): nilai komposit {composite}, JPM {jpm} %.",
        "en": "Shortlist cut-off (rank {rank}): composite {composite}, JPM {jpm} %.",
    },
    "cutoff.none": {
        "id": "Tidak ada kandidat yang memenuhi syarat.",
        "en": "No candidate is eligible.",
    },
}


# A parameter whose value is itself a catalogue key with one of these prefixes is rendered in the
# same language, so results can carry "reason.no_assessment" instead of text in one language.
NESTED_PREFIXES: Final = ("reason.", "level.", "stage.")


class UnknownMessageError(KeyError):
    """A message key or language that the catalogue does not hold."""


def render(key: str, params: Mapping[str, str | int] | None = None, lang: str = "id") -> str:
    """Render catalogue entry ``key`` in ``lang`` ("id" or "en") with ``params``.

    Raises:
        UnknownMessageError: unknown key or language.
        KeyError: a placeholder has no parameter (a programming error, never hidden).
    """
    try:
        template = CATALOGUE[key][lang]
    except KeyError:
        raise UnknownMessageError(f"no message {key!r} in language {lang!r}") from None
    values = {
        name: render(value, None, lang) if isinstance(value, str) and value.startswith(NESTED_PREFIXES) else value
        for name, value in (params or {}).items()
    }
    return template.format_map(values)


def render_both(key: str, params: Mapping[str, str | int] | None = None) -> dict[str, str]:
    """``{"id": ..., "en": ...}`` for one message."""
    return {lang: render(key, params, lang) for lang in LANGS}
