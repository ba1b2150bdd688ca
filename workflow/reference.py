"""Reference data of the ASN domain: ranks, education levels, predikat, competencies.

Pure data and tiny lookups (no Flask, no database), shared by the models, the merit import,
the merit rules and the offline compliance replay. Sources: ../shared/domain.md §1, §6, §7.4.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final


class Golongan(StrEnum):
    """Rank codes (golongan/ruang) I/a–IV/e, in ascending order."""

    I_A = "I/a"
    I_B = "I/b"
    I_C = "I/c"
    I_D = "I/d"
    II_A = "II/a"
    II_B = "II/b"
    II_C = "II/c"
    II_D = "II/d"
    III_A = "III/a"
    III_B = "III/b"
    III_C = "III/c"
    III_D = "III/d"
    IV_A = "IV/a"
    IV_B = "IV/b"
    IV_C = "IV/c"
    IV_D = "IV/d"
    IV_E = "IV/e"


PANGKAT: Final[dict[Golongan, str]] = {
    Golongan.I_A: "Juru Muda",
    Golongan.I_B: "Juru Muda Tingkat I",
    Golongan.I_C: "Juru",
    Golongan.I_D: "Juru Tingkat I",
    Golongan.II_A: "Pengatur Muda",
    Golongan.II_B: "Pengatur Muda Tingkat I",
    Golongan.II_C: "Pengatur",
    Golongan.II_D: "Pengatur Tingkat I",
    Golongan.III_A: "Penata Muda",
    Golongan.III_B: "Penata Muda Tingkat I",
    Golongan.III_C: "Penata",
    Golongan.III_D: "Penata Tingkat I",
    Golongan.IV_A: "Pembina",
    Golongan.IV_B: "Pembina Tingkat I",
    Golongan.IV_C: "Pembina Utama Muda",
    Golongan.IV_D: "Pembina Utama Madya",
    Golongan.IV_E: "Pembina Utama",
}

GOLONGAN_ORDER: Final[dict[Golongan, int]] = {g: i for i, g in enumerate(Golongan)}


def golongan_rank(code: str) -> int:
    """Ordinal of a golongan code (I/a = 0 … IV/e = 16); ValueError names a code not on the whitelist."""
    try:
        return GOLONGAN_ORDER[Golongan(code)]
    except ValueError:
        raise ValueError(f"golongan {code!r} is not one of I/a–IV/e") from None


class Education(StrEnum):
    """Highest completed education level (SIASN ``tkPendidikanTerakhir``), ascending."""

    SD = "SD"
    SMP = "SMP"
    SMA = "SMA"
    D1 = "D1"
    D2 = "D2"
    D3 = "D3"
    D4 = "D4"
    S1 = "S1"
    S2 = "S2"
    S3 = "S3"


# D-IV and S1 are the same level for eligibility ("S1/D-IV", PP 11/2017 Pasal 107).
EDUCATION_LEVEL: Final[dict[Education, int]] = {
    Education.SD: 1,
    Education.SMP: 2,
    Education.SMA: 3,
    Education.D1: 4,
    Education.D2: 5,
    Education.D3: 6,
    Education.D4: 7,
    Education.S1: 7,
    Education.S2: 8,
    Education.S3: 9,
}


class PositionType(StrEnum):
    """Kinds of post (jenis jabatan)."""

    JPT_MADYA = "jpt_madya"
    JPT_PRATAMA = "jpt_pratama"
    ADMINISTRATOR = "administrator"
    PENGAWAS = "pengawas"
    FUNGSIONAL = "fungsional"
    PELAKSANA = "pelaksana"


class Sex(StrEnum):
    """``jenisKelamin``; the NIP's 15th digit is 1 for male, 2 for female."""

    MALE = "M"
    FEMALE = "F"


NIP_SEX_DIGIT: Final[dict[Sex, str]] = {Sex.MALE: "1", Sex.FEMALE: "2"}


class Predikat(StrEnum):
    """Employee performance ratings of PermenPANRB 6/2022, best first."""

    SANGAT_BAIK = "sangat_baik"
    BAIK = "baik"
    BUTUH_PERBAIKAN = "butuh_perbaikan"
    KURANG = "kurang"
    SANGAT_KURANG = "sangat_kurang"


PREDIKAT_SCORE: Final[dict[Predikat, int]] = {
    Predikat.SANGAT_BAIK: 5,
    Predikat.BAIK: 4,
    Predikat.BUTUH_PERBAIKAN: 3,
    Predikat.KURANG: 2,
    Predikat.SANGAT_KURANG: 1,
}


class DisciplineLevel(StrEnum):
    """Discipline penalty levels of PP 94/2021."""

    RINGAN = "ringan"
    SEDANG = "sedang"
    BERAT = "berat"


class LhkpnStatus(StrEnum):
    """State of the employee's asset report (LHKPN/LHKASN) for the current period."""

    FILED = "filed"
    NOT_FILED = "not_filed"
    NOT_REQUIRED = "not_required"


# The eight managerial competencies of PermenPANRB 38/2017, then socio-cultural and technical.
MANAGERIAL_COMPETENCIES: Final[tuple[str, ...]] = (
    "integritas",
    "kerjasama",
    "komunikasi",
    "orientasi_hasil",
    "pelayanan_publik",
    "pengembangan_diri",
    "mengelola_perubahan",
    "pengambilan_keputusan",
)
COMPETENCIES: Final[tuple[str, ...]] = (*MANAGERIAL_COMPETENCIES, "sosial_kultural", "teknis")

# Potential components of PermenPANRB 20/2025 Pasal 17 (scored 1–5 by the assessment centre).
POTENTIAL_COMPONENTS: Final[tuple[str, ...]] = (
    "kemampuan_intelektual",
    "kemampuan_interpersonal",
    "kesadaran_diri",
    "berpikir_kritis_strategis",
    "problem_solving",
    "kecerdasan_emosional",
    "growth_mindset",
    "grit",
)

COMPETENCY_LEVEL_MIN: Final = 1
COMPETENCY_LEVEL_MAX: Final = 5
