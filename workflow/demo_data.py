"""Static data of the demo province (a Lampung-like provincial government): units, vacancies, names.

Pure data, no logic. Everything here is fictitious; unit names follow the usual provincial OPD
pattern. Lists, not sets: their order feeds a seeded random generator and must not vary.
"""

from __future__ import annotations

from typing import Final, NamedTuple

from workflow.reference import PositionType


class UnitSpec(NamedTuple):
    code: str
    name: str
    parent: str | None
    head_title: str
    weight: int  # share of the employees (relative)
    kind: str  # "education", "health" or "general": picks functional job titles and education mix


UNITS: Final[tuple[UnitSpec, ...]] = (
    UnitSpec("SETDA", "Sekretariat Daerah", None, "Asisten Administrasi Umum", 6, "general"),
    UnitSpec(
        "BIRO-PEMOTDA",
        "Biro Pemerintahan dan Otonomi Daerah",
        "SETDA",
        "Kepala Biro Pemerintahan dan Otonomi Daerah",
        2,
        "general",
    ),
    UnitSpec("BIRO-HUKUM", "Biro Hukum", "SETDA", "Kepala Biro Hukum", 2, "general"),
    UnitSpec("BIRO-ORG", "Biro Organisasi", "SETDA", "Kepala Biro Organisasi", 2, "general"),
    UnitSpec("BIRO-EKON", "Biro Perekonomian", "SETDA", "Kepala Biro Perekonomian", 2, "general"),
    UnitSpec(
        "BIRO-ADPEM", "Biro Administrasi Pembangunan", "SETDA", "Kepala Biro Administrasi Pembangunan", 2, "general"
    ),
    UnitSpec("BIRO-KESRA", "Biro Kesejahteraan Rakyat", "SETDA", "Kepala Biro Kesejahteraan Rakyat", 2, "general"),
    UnitSpec("BIRO-UMUM", "Biro Umum", "SETDA", "Kepala Biro Umum", 4, "general"),
    UnitSpec(
        "BIRO-PBJ", "Biro Pengadaan Barang dan Jasa", "SETDA", "Kepala Biro Pengadaan Barang dan Jasa", 2, "general"
    ),
    UnitSpec("SETWAN", "Sekretariat DPRD", None, "Sekretaris DPRD", 4, "general"),
    UnitSpec("INSPEKTORAT", "Inspektorat", None, "Inspektur", 4, "general"),
    UnitSpec(
        "DISDIKBUD", "Dinas Pendidikan dan Kebudayaan", None, "Kepala Dinas Pendidikan dan Kebudayaan", 300, "education"
    ),
    UnitSpec("DINKES", "Dinas Kesehatan", None, "Kepala Dinas Kesehatan", 18, "health"),
    UnitSpec("RSUDAM", "RSUD Dr. H. Abdul Moeloek", None, "Direktur RSUD Dr. H. Abdul Moeloek", 120, "health"),
    UnitSpec("RSJ", "Rumah Sakit Jiwa Daerah", None, "Direktur Rumah Sakit Jiwa Daerah", 20, "health"),
    UnitSpec("RSBNH", "RS Bandar Negara Husada", None, "Direktur RS Bandar Negara Husada", 20, "health"),
    UnitSpec(
        "BAPPEDA",
        "Badan Perencanaan Pembangunan Daerah",
        None,
        "Kepala Badan Perencanaan Pembangunan Daerah",
        5,
        "general",
    ),
    UnitSpec(
        "BPKAD",
        "Badan Pengelolaan Keuangan dan Aset Daerah",
        None,
        "Kepala Badan Pengelolaan Keuangan dan Aset Daerah",
        7,
        "general",
    ),
    UnitSpec("BAPENDA", "Badan Pendapatan Daerah", None, "Kepala Badan Pendapatan Daerah", 12, "general"),
    UnitSpec("BKD", "Badan Kepegawaian Daerah", None, "Kepala Badan Kepegawaian Daerah", 5, "general"),
    UnitSpec(
        "BPSDM",
        "Badan Pengembangan Sumber Daya Manusia",
        None,
        "Kepala Badan Pengembangan Sumber Daya Manusia",
        4,
        "general",
    ),
    UnitSpec(
        "KESBANGPOL",
        "Badan Kesatuan Bangsa dan Politik",
        None,
        "Kepala Badan Kesatuan Bangsa dan Politik",
        3,
        "general",
    ),
    UnitSpec("BPBD", "Badan Penanggulangan Bencana Daerah", None, "Kepala Pelaksana BPBD", 3, "general"),
    UnitSpec("SATPOLPP", "Satuan Polisi Pamong Praja", None, "Kepala Satuan Polisi Pamong Praja", 6, "general"),
    UnitSpec(
        "DPUPR",
        "Dinas Bina Marga dan Bina Konstruksi",
        None,
        "Kepala Dinas Bina Marga dan Bina Konstruksi",
        8,
        "general",
    ),
    UnitSpec(
        "DPKPCK",
        "Dinas Perumahan, Kawasan Permukiman dan Cipta Karya",
        None,
        "Kepala Dinas Perumahan, Kawasan Permukiman dan Cipta Karya",
        5,
        "general",
    ),
    UnitSpec("DINSOS", "Dinas Sosial", None, "Kepala Dinas Sosial", 5, "general"),
    UnitSpec(
        "DISNAKERTRANS",
        "Dinas Tenaga Kerja dan Transmigrasi",
        None,
        "Kepala Dinas Tenaga Kerja dan Transmigrasi",
        5,
        "general",
    ),
    UnitSpec(
        "DPPPA",
        "Dinas Pemberdayaan Perempuan dan Perlindungan Anak",
        None,
        "Kepala Dinas Pemberdayaan Perempuan dan Perlindungan Anak",
        3,
        "general",
    ),
    UnitSpec("DKP", "Dinas Ketahanan Pangan", None, "Kepala Dinas Ketahanan Pangan", 4, "general"),
    UnitSpec("DLH", "Dinas Lingkungan Hidup", None, "Kepala Dinas Lingkungan Hidup", 4, "general"),
    UnitSpec(
        "DPMDT",
        "Dinas Pemberdayaan Masyarakat, Desa dan Transmigrasi",
        None,
        "Kepala Dinas Pemberdayaan Masyarakat, Desa dan Transmigrasi",
        3,
        "general",
    ),
    UnitSpec("DISHUB", "Dinas Perhubungan", None, "Kepala Dinas Perhubungan", 7, "general"),
    UnitSpec(
        "DISKOMINFOTIK",
        "Dinas Komunikasi, Informatika dan Statistik",
        None,
        "Kepala Dinas Komunikasi, Informatika dan Statistik",
        4,
        "general",
    ),
    UnitSpec("DISKOPUKM", "Dinas Koperasi dan UKM", None, "Kepala Dinas Koperasi dan UKM", 3, "general"),
    UnitSpec("DPMPTSP", "Dinas Penanaman Modal dan PTSP", None, "Kepala Dinas Penanaman Modal dan PTSP", 3, "general"),
    UnitSpec("DISPORA", "Dinas Kepemudaan dan Olahraga", None, "Kepala Dinas Kepemudaan dan Olahraga", 3, "general"),
    UnitSpec(
        "DISPUSTAKA", "Dinas Perpustakaan dan Kearsipan", None, "Kepala Dinas Perpustakaan dan Kearsipan", 3, "general"
    ),
    UnitSpec("DKP-LAUT", "Dinas Kelautan dan Perikanan", None, "Kepala Dinas Kelautan dan Perikanan", 4, "general"),
    UnitSpec(
        "DISPAREKRAF",
        "Dinas Pariwisata dan Ekonomi Kreatif",
        None,
        "Kepala Dinas Pariwisata dan Ekonomi Kreatif",
        3,
        "general",
    ),
    UnitSpec(
        "DTPH",
        "Dinas Tanaman Pangan, Hortikultura dan Perkebunan",
        None,
        "Kepala Dinas Tanaman Pangan, Hortikultura dan Perkebunan",
        7,
        "general",
    ),
    UnitSpec(
        "DISNAKKESWAN",
        "Dinas Peternakan dan Kesehatan Hewan",
        None,
        "Kepala Dinas Peternakan dan Kesehatan Hewan",
        5,
        "general",
    ),
    UnitSpec("DISHUT", "Dinas Kehutanan", None, "Kepala Dinas Kehutanan", 8, "general"),
    UnitSpec(
        "DESDM",
        "Dinas Energi dan Sumber Daya Mineral",
        None,
        "Kepala Dinas Energi dan Sumber Daya Mineral",
        3,
        "general",
    ),
    UnitSpec(
        "DISPERINDAG",
        "Dinas Perindustrian dan Perdagangan",
        None,
        "Kepala Dinas Perindustrian dan Perdagangan",
        4,
        "general",
    ),
)


class VacancySpec(NamedTuple):
    code: str
    title: str
    type: PositionType
    unit: str
    vacant_since: str  # ISO date


# A province has one JPT madya post (the Sekda); every other type gets three vacancies.
VACANCIES: Final[tuple[VacancySpec, ...]] = (
    VacancySpec("SETDA-SEKDA", "Sekretaris Daerah Provinsi", PositionType.JPT_MADYA, "SETDA", "2026-07-01"),
    VacancySpec("DINKES-KADIS", "Kepala Dinas Kesehatan", PositionType.JPT_PRATAMA, "DINKES", "2026-05-02"),
    VacancySpec(
        "BAPPEDA-KABAN",
        "Kepala Badan Perencanaan Pembangunan Daerah",
        PositionType.JPT_PRATAMA,
        "BAPPEDA",
        "2026-08-15",
    ),
    VacancySpec("BIRO-HUKUM-KARO", "Kepala Biro Hukum", PositionType.JPT_PRATAMA, "BIRO-HUKUM", "2026-09-01"),
    VacancySpec(
        "DISDIKBUD-SEKDIS",
        "Sekretaris Dinas Pendidikan dan Kebudayaan",
        PositionType.ADMINISTRATOR,
        "DISDIKBUD",
        "2026-06-01",
    ),
    VacancySpec(
        "DINKES-KABID-YANKES", "Kepala Bidang Pelayanan Kesehatan", PositionType.ADMINISTRATOR, "DINKES", "2026-03-01"
    ),
    VacancySpec("BPKAD-KABID-ANGGARAN", "Kepala Bidang Anggaran", PositionType.ADMINISTRATOR, "BPKAD", "2026-09-15"),
    VacancySpec(
        "BAPPEDA-KASUBBAG-UMPEG",
        "Kepala Subbagian Umum dan Kepegawaian",
        PositionType.PENGAWAS,
        "BAPPEDA",
        "2026-04-01",
    ),
    VacancySpec("RSUDAM-KASI-YANMED", "Kepala Seksi Pelayanan Medik", PositionType.PENGAWAS, "RSUDAM", "2026-02-01"),
    VacancySpec(
        "DISHUB-KASI-LLAJ", "Kepala Seksi Lalu Lintas Angkutan Jalan", PositionType.PENGAWAS, "DISHUB", "2026-10-01"
    ),
    VacancySpec("BIRO-ORG-AK-MADYA", "Analis Kebijakan Ahli Madya", PositionType.FUNGSIONAL, "BIRO-ORG", "2026-01-05"),
    VacancySpec("INSPEKTORAT-AUDITOR-MUDA", "Auditor Ahli Muda", PositionType.FUNGSIONAL, "INSPEKTORAT", "2026-06-15"),
    VacancySpec("BAPPEDA-PERENCANA-MUDA", "Perencana Ahli Muda", PositionType.FUNGSIONAL, "BAPPEDA", "2026-07-20"),
    VacancySpec("BPKAD-PENGELOLA-KEU", "Pengelola Keuangan", PositionType.PELAKSANA, "BPKAD", "2026-08-01"),
    VacancySpec("BKD-PENATA-LAYANAN", "Penata Layanan Operasional", PositionType.PELAKSANA, "BKD", "2026-09-10"),
    VacancySpec(
        "DISKOMINFOTIK-PENGOLAH-DATA",
        "Pengolah Data dan Informasi",
        PositionType.PELAKSANA,
        "DISKOMINFOTIK",
        "2026-10-12",
    ),
)

# The vacant head post whose duties an acting (Plt) official performs meanwhile.
ACTING_HEAD_OF: Final = "DINKES-KADIS"

BIDANG: Final = (
    "Perencanaan dan Evaluasi",
    "Pelayanan",
    "Pengembangan",
    "Pembinaan",
    "Pengendalian",
    "Sarana dan Prasarana",
    "Data dan Informasi",
)
SEKSI: Final = (
    "Program",
    "Pelayanan",
    "Pengawasan",
    "Pembinaan",
    "Data dan Pelaporan",
    "Sarana",
)
FUNCTIONAL_TITLES: Final[dict[str, tuple[str, ...]]] = {
    "education": ("Guru", "Guru", "Guru", "Guru", "Pengawas Sekolah", "Pustakawan"),
    "health": ("Perawat", "Perawat", "Bidan", "Dokter", "Apoteker", "Pranata Laboratorium Kesehatan", "Nutrisionis"),
    "general": (
        "Analis Kebijakan",
        "Pranata Komputer",
        "Arsiparis",
        "Analis Sumber Daya Manusia Aparatur",
        "Pengelola Pengadaan Barang/Jasa",
        "Perencana",
        "Auditor",
    ),
}
PELAKSANA_TITLES: Final = (
    "Pengadministrasi Perkantoran",
    "Penata Layanan Operasional",
    "Pengelola Umum Operasional",
    "Operator Layanan Operasional",
    "Pengolah Data dan Informasi",
    "Pengelola Keuangan",
    "Penelaah Teknis Kebijakan",
)

ACCREDITED_PROVIDERS: Final = (
    ("UPTD Penilaian Kompetensi BKD Provinsi Lampung", 55),
    ("Pusat Penilaian Kompetensi ASN BKN", 25),
    ("Kantor Regional V BKN", 12),
)
UNACCREDITED_PROVIDER: Final = ("Biro Psikologi Mitra Insani", 8)

DISCIPLINE_DESCRIPTIONS: Final[dict[str, tuple[tuple[str, int], ...]]] = {
    # (description, duration in months; 0 = no running period), PP 94/2021
    "ringan": (("Teguran lisan", 0), ("Teguran tertulis", 0), ("Pernyataan tidak puas secara tertulis", 0)),
    "sedang": (
        ("Pemotongan tunjangan kinerja 25% selama 6 bulan", 6),
        ("Pemotongan tunjangan kinerja 25% selama 9 bulan", 9),
        ("Pemotongan tunjangan kinerja 25% selama 12 bulan", 12),
    ),
    "berat": (
        ("Penurunan jabatan setingkat lebih rendah selama 12 bulan", 12),
        ("Pembebasan dari jabatan menjadi jabatan pelaksana selama 12 bulan", 12),
    ),
}

EXTERNAL_AFFILIATIONS: Final = (
    "Universitas Lampung",
    "Universitas Islam Negeri Raden Intan Lampung",
    "Institut Teknologi Sumatera",
    "Kantor Regional V BKN",
)


class NameStyle(NamedTuple):
    weight: int
    male: tuple[str, ...]
    female: tuple[str, ...]
    second: tuple[str, ...]  # second names or family names (marga); empty: given names only
    prefix_male: tuple[str, ...] = ()
    prefix_female: tuple[str, ...] = ()


# Regional mix of a Lampung province: Javanese majority (transmigration), then Lampung and other
# Malay-Muslim names, Sundanese, Batak, Minang, Balinese and Palembang (Semendo) families.
NAME_STYLES: Final[tuple[NameStyle, ...]] = (
    NameStyle(
        50,
        (
            "Agus",
            "Budi",
            "Joko",
            "Bambang",
            "Slamet",
            "Eko",
            "Dwi",
            "Heru",
            "Wahyu",
            "Teguh",
            "Sigit",
            "Yudi",
            "Hadi",
            "Aris",
            "Bayu",
            "Dimas",
        ),
        (
            "Sri",
            "Siti",
            "Tri",
            "Endang",
            "Rina",
            "Dewi",
            "Wulan",
            "Sulastri",
            "Puji",
            "Ayu",
            "Lestari",
            "Retno",
            "Indah",
            "Ratna",
            "Yuliana",
            "Kartika",
        ),
        (
            "Santoso",
            "Wibowo",
            "Setiawan",
            "Prasetyo",
            "Susanto",
            "Hartono",
            "Kurniawan",
            "Purnomo",
            "Wahyuni",
            "Rahayu",
            "Lestari",
            "Handayani",
            "Suryani",
            "Utami",
            "Saputra",
            "Nugroho",
        ),
    ),
    NameStyle(
        20,
        (
            "Muhammad",
            "Ahmad",
            "Rizki",
            "Fauzi",
            "Hendra",
            "Irfan",
            "Ridho",
            "Arif",
            "Yusuf",
            "Firman",
            "Zulkarnain",
            "Hasan",
        ),
        (
            "Nurul",
            "Siti",
            "Fitri",
            "Aisyah",
            "Nurhayati",
            "Rahmawati",
            "Maya",
            "Yulia",
            "Intan",
            "Desi",
            "Anisa",
            "Mardiana",
        ),
        (
            "Pratama",
            "Hidayat",
            "Saputra",
            "Ramadhan",
            "Syahputra",
            "Fitriani",
            "Hidayah",
            "Safitri",
            "Wati",
            "Novita",
            "Sari",
            "Anggraini",
        ),
    ),
    NameStyle(
        10,
        ("Asep", "Dede", "Ujang", "Cecep", "Dadang", "Yayan", "Iwan", "Ade"),
        ("Euis", "Neneng", "Iis", "Yeni", "Cucu", "Enung", "Lilis", "Rini"),
        ("Sunandar", "Suhendar", "Hermawan", "Ruhiyat", "Kusnadi", "Nurjanah", "Rosita", "Komalasari"),
    ),
    NameStyle(
        6,
        ("Roy", "Daniel", "Parlindungan", "Maruli", "Hotman", "Benny", "Tigor", "Rudolf"),
        ("Maria", "Rosmawati", "Tiurma", "Lasma", "Debora", "Friska", "Melati", "Ruth"),
        (
            "Siregar",
            "Nasution",
            "Simanjuntak",
            "Hutagalung",
            "Sinaga",
            "Lubis",
            "Harahap",
            "Pardede",
            "Situmorang",
            "Sitompul",
        ),
    ),
    NameStyle(
        5,
        ("Rahmat", "Fadli", "Andika", "Zulfikar", "Irwan", "Afrizal", "Syafri", "Yuliandri"),
        ("Yulia", "Rahmi", "Fitria", "Elfira", "Nofriyanti", "Silvia", "Mardhatillah", "Yusnita"),
        ("Putra", "Putri", "Chaniago", "Koto", "Piliang", "Tanjung", "Sikumbang", "Caniago"),
    ),
    NameStyle(
        5,
        ("Suarta", "Arsana", "Sudarma", "Wirawan", "Mertayasa", "Suardana", "Artawan", "Budiarsa"),
        ("Sukerti", "Ariani", "Suastini", "Wirati", "Sriasih", "Rusmini", "Astiti", "Mariani"),
        (),
        prefix_male=("I Made", "I Wayan", "I Ketut", "I Nyoman", "I Putu", "I Gede", "I Komang"),
        prefix_female=("Ni Made", "Ni Wayan", "Ni Ketut", "Ni Nyoman", "Ni Putu", "Ni Luh", "Ni Komang"),
    ),
    NameStyle(
        4,
        ("Rudi", "Alamsyah", "Ahmad", "Syamsul", "Herman", "Darmawan", "Erwin", "Febri"),
        ("Nurbaiti", "Fatimah", "Meliana", "Herlina", "Desmawati", "Septiani", "Elvira", "Marlina"),
        ("Effendi", "Syarifuddin", "Zainal", "Hamid", "Ismail", "Husin", "Aminah", "Zuraida"),
    ),
)
