"""A deterministic, realistic demo province: units, vacancies with standards, employees, accounts.

:func:`build_province` is pure: its only source of randomness is ``random.Random(seed)`` and its
only clock is the ``reference`` date it is given, so one seed always gives the same province.
:func:`seed_demo` stores it in one transaction, reusing the merit importer's bulk writer, so the
same seed gives byte-identical database content (checked by :func:`workflow.digest.database_digest`).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa
import sqlalchemy.orm as so
from werkzeug.security import generate_password_hash

from workflow.demo_data import (
    ACCREDITED_PROVIDERS,
    ACTING_HEAD_OF,
    BIDANG,
    DISCIPLINE_DESCRIPTIONS,
    EXTERNAL_AFFILIATIONS,
    FUNCTIONAL_TITLES,
    NAME_STYLES,
    PELAKSANA_TITLES,
    SEKSI,
    UNACCREDITED_PROVIDER,
    UNITS,
    VACANCIES,
    UnitSpec,
)
from workflow.digest import database_digest
from workflow.errors import ConflictError, ForbiddenError
from workflow.importing.records import COMPETENCY, POTENTIAL, AssessmentData, DisciplineData, MeritRecord, RatingData
from workflow.importing.writer import write_records
from workflow.models import CompetencyStandard, Employee, OrgUnit, Position, Role, User, UserRole
from workflow.nip import NipAllocator, add_years
from workflow.reference import (
    COMPETENCIES,
    EDUCATION_LEVEL,
    MANAGERIAL_COMPETENCIES,
    POTENTIAL_COMPONENTS,
    DisciplineLevel,
    Education,
    Golongan,
    LhkpnStatus,
    PositionType,
    Predikat,
    Sex,
    golongan_rank,
)

DEMO_PASSWORD = "jejak-demo"  # noqa: S105 - documented demo credential, refused in production
DEFAULT_SEED = 2026
DEFAULT_EMPLOYEES = 2000
DEFAULT_REFERENCE = dt.date(2026, 11, 1)
SKP_YEARS = (2024, 2025)
ASSESSMENT_VALIDITY_YEARS = 3  # domain.md §6: a common default, [U]
__all__ = ["DEMO_PASSWORD", "Province", "build_province", "database_digest", "seed_demo"]

GOLONGAN = list(Golongan)
# Starting rank by education on CPNS appointment, and the usual ceiling without a structural post.
START_RANK = {
    Education.SD: Golongan.I_A,
    Education.SMP: Golongan.I_C,
    Education.SMA: Golongan.II_A,
    Education.D1: Golongan.II_A,
    Education.D2: Golongan.II_B,
    Education.D3: Golongan.II_C,
    Education.D4: Golongan.III_A,
    Education.S1: Golongan.III_A,
    Education.S2: Golongan.III_B,
    Education.S3: Golongan.III_C,
}
RANK_CAP = {
    Education.SD: Golongan.II_A,
    Education.SMP: Golongan.II_D,
    Education.SMA: Golongan.III_B,
    Education.D1: Golongan.III_B,
    Education.D2: Golongan.III_B,
    Education.D3: Golongan.III_C,
    Education.D4: Golongan.IV_A,
    Education.S1: Golongan.IV_A,
    Education.S2: Golongan.IV_C,
    Education.S3: Golongan.IV_D,
}
ENTRY_AGE = {  # age range at CPNS appointment, by education
    Education.SD: (19, 27),
    Education.SMP: (19, 28),
    Education.SMA: (19, 30),
    Education.D1: (20, 30),
    Education.D2: (20, 30),
    Education.D3: (21, 32),
    Education.D4: (22, 34),
    Education.S1: (23, 35),
    Education.S2: (25, 38),
    Education.S3: (29, 40),
}
EDUCATION_MIX = {
    "education": ((Education.S1, 70), (Education.S2, 16), (Education.D3, 4), (Education.SMA, 10)),
    "health": (
        (Education.D3, 36),
        (Education.S1, 30),
        (Education.D4, 9),
        (Education.S2, 9),
        (Education.SMA, 14),
        (Education.SMP, 2),
    ),
    "general": (
        (Education.S1, 44),
        (Education.S2, 14),
        (Education.S3, 1),
        (Education.D3, 12),
        (Education.D4, 2),
        (Education.SMA, 23),
        (Education.SMP, 3),
        (Education.SD, 1),
    ),
}
# Expected competency level by post type (PermenPANRB 38/2017 tiers, [U]); the standard of a post.
TIER_LEVEL = {
    PositionType.JPT_MADYA: 5,
    PositionType.JPT_PRATAMA: 4,
    PositionType.ADMINISTRATOR: 3,
    PositionType.PENGAWAS: 2,
    PositionType.FUNGSIONAL: 2,
    PositionType.PELAKSANA: 1,
}
POSITION_RULES = {  # (min golongan, min education, min years of experience) per post type
    PositionType.JPT_MADYA: (Golongan.IV_D, Education.S1, 7),
    PositionType.JPT_PRATAMA: (Golongan.IV_B, Education.S1, 5),
    PositionType.ADMINISTRATOR: (Golongan.III_D, Education.S1, 3),
    PositionType.PENGAWAS: (Golongan.III_B, Education.D3, 4),
    PositionType.FUNGSIONAL: (Golongan.III_C, Education.S1, 2),
    PositionType.PELAKSANA: (Golongan.II_A, Education.SMA, 0),
}


@dataclass(slots=True)
class PositionRow:
    code: str
    title: str
    type: PositionType
    unit: str
    is_vacant: bool
    vacant_since: dt.date | None
    standards: dict[str, int]


@dataclass(slots=True)
class AccountRow:
    username: str
    role: Role
    display_name: str
    affiliation: str
    employee_nip: str | None = None


@dataclass(slots=True)
class Province:
    """Everything the demo stores, as plain data."""

    units: list[UnitSpec]
    positions: list[PositionRow]
    records: list[MeritRecord]
    holders: dict[str, tuple[str, bool]]  # nip -> (position code, acting)
    accounts: list[AccountRow] = field(default_factory=list)


def _weighted(rng: random.Random, pairs: Sequence[tuple[object, int]]) -> object:
    return rng.choices([item for item, _ in pairs], weights=[w for _, w in pairs])[0]


def _months_after(day: dt.date, months: int) -> dt.date:
    year, month = divmod(day.month - 1 + months, 12)
    return dt.date(day.year + year, month + 1, 1)


def _first_of_month_between(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    first = start if start.day == 1 else _months_after(start, 1)
    span = (end.year - first.year) * 12 + end.month - first.month
    return _months_after(first, rng.randint(0, max(span, 0)))


def _name(rng: random.Random, sex: Sex) -> str:
    style = rng.choices(NAME_STYLES, weights=[s.weight for s in NAME_STYLES])[0]
    male = sex == Sex.MALE
    given = rng.choice(style.male if male else style.female)
    prefixes = style.prefix_male if male else style.prefix_female
    if prefixes:
        return f"{rng.choice(prefixes)} {given}"
    if style.second and rng.random() < 0.85:
        second = rng.choice(style.second)
        if second != given:
            return f"{given} {second}"
    return given


def _level(rng: random.Random, base: float, talent: float) -> int:
    return max(1, min(5, round(base + 0.6 * talent + rng.gauss(0, 0.5))))


def _predikat(rng: random.Random, talent: float) -> Predikat:
    # Most staff are "baik" (PermenPANRB 6/2022 caps the top share); the latent talent makes years agree.
    score = talent + rng.gauss(0, 0.6)
    if score > 1.35:
        return Predikat.SANGAT_BAIK
    if score > -1.45:
        return Predikat.BAIK
    if score > -2.0:
        return Predikat.BUTUH_PERBAIKAN
    return Predikat.KURANG if score > -2.6 else Predikat.SANGAT_KURANG


class _Generator:
    """Draws one province; every draw goes through ``self.rng`` in a fixed order."""

    def __init__(self, seed: int, reference: dt.date) -> None:
        self.rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not secrets
        self.reference = reference
        self.nips = NipAllocator()

    def employee(self, unit: UnitSpec, post: PositionType | None = None, title: str | None = None) -> MeritRecord:
        rng, ref = self.rng, self.reference
        female_share = 0.6 if unit.kind in ("education", "health") else 0.42
        sex = Sex.FEMALE if rng.random() < female_share else Sex.MALE
        if post in (PositionType.JPT_PRATAMA, PositionType.JPT_MADYA):
            education = Education.S2 if rng.random() < 0.85 else Education.S3
            age = rng.randint(47, 57)
        else:
            education = _weighted(rng, EDUCATION_MIX[unit.kind])  # type: ignore[assignment]
            age = min(57, max(22, round(rng.triangular(22, 58, 48))))
        birth = add_years(ref, -age) - dt.timedelta(days=rng.randint(1, 364))
        low, high = ENTRY_AGE[education]
        entry = min(rng.randint(low, high), age - 1)
        tmt_cpns = _first_of_month_between(rng, add_years(birth, entry), min(add_years(birth, entry + 1), ref))
        service_years = (ref - tmt_cpns).days // 365
        period = rng.choice((4, 4, 4, 5))  # regular promotion every four years, sometimes later
        start = GOLONGAN.index(START_RANK[education])
        cap = GOLONGAN.index(RANK_CAP[education])
        if post is None:
            post, title = self._post(unit, education, min(start + service_years // period, cap))
        if post in (PositionType.ADMINISTRATOR, PositionType.JPT_PRATAMA, PositionType.JPT_MADYA):
            cap = GOLONGAN.index(Golongan.IV_D)  # structural posts open the higher ranks
        steps = min(service_years // period, cap - start)
        if post == PositionType.JPT_PRATAMA:
            steps = max(steps, GOLONGAN.index(Golongan.IV_B) - start)
        golongan = GOLONGAN[start + steps]
        tmt_golongan = tmt_cpns if steps == 0 else dt.date(tmt_cpns.year + steps * period, rng.choice((4, 10)), 1)
        tmt_golongan = min(max(tmt_golongan, tmt_cpns), _months_after(ref, -1))
        tmt_position = _first_of_month_between(rng, max(tmt_cpns, add_years(ref, -8)), _months_after(ref, -2))
        talent = rng.gauss(0, 1)
        nip = self.nips.issue(birth, tmt_cpns, sex)
        return MeritRecord(
            nip=nip,
            unit_code=unit.code,
            unit_name=unit.name,
            employee={
                "nip": nip,
                "name": _name(rng, sex),
                "sex": sex,
                "birth_date": birth,
                "tmt_cpns": tmt_cpns,
                "golongan": golongan,
                "tmt_golongan": tmt_golongan,
                "position_title": title,
                "position_type": post,
                "tmt_position": tmt_position,
                "education": education,
                **self._lhkpn(post),
            },
            ratings=tuple(
                RatingData(year, _predikat(rng, talent)) for year in SKP_YEARS if tmt_cpns < dt.date(year, 7, 1)
            ),
            discipline=self._discipline(tmt_cpns),
            assessments=self._assessments(post, talent),
        )

    def _post(self, unit: UnitSpec, education: Education, rank: int) -> tuple[PositionType, str]:
        rng = self.rng
        level = EDUCATION_LEVEL[education]
        degree = level >= EDUCATION_LEVEL[Education.S1]
        if degree and rank >= GOLONGAN.index(Golongan.III_D) and rng.random() < 0.14:
            if rng.random() < 0.25:
                return PositionType.ADMINISTRATOR, f"Sekretaris {unit.name}"
            return PositionType.ADMINISTRATOR, f"Kepala Bidang {rng.choice(BIDANG)}"
        if level >= EDUCATION_LEVEL[Education.D3] and rank >= GOLONGAN.index(Golongan.III_B) and rng.random() < 0.12:
            if rng.random() < 0.3:
                return PositionType.PENGAWAS, "Kepala Subbagian Umum dan Kepegawaian"
            return PositionType.PENGAWAS, f"Kepala Seksi {rng.choice(SEKSI)}"
        functional_share = {"education": 0.85, "health": 0.7, "general": 0.3}[unit.kind]
        if level >= EDUCATION_LEVEL[Education.D3] and rng.random() < functional_share:
            return PositionType.FUNGSIONAL, f"{rng.choice(FUNCTIONAL_TITLES[unit.kind])} {_jf_level(degree, rank)}"
        return PositionType.PELAKSANA, rng.choice(PELAKSANA_TITLES)

    def _lhkpn(self, post: PositionType) -> dict[str, object]:
        # LHKPN is due from structural officials; others file the internal LHKASN, often late.
        chance = {PositionType.JPT_MADYA: 0.97, PositionType.JPT_PRATAMA: 0.95, PositionType.ADMINISTRATOR: 0.9}
        if post in chance:
            filed = self.rng.random() < chance[post]
        else:
            draw = self.rng.random()
            if draw < 0.55:
                return {"lhkpn_status": LhkpnStatus.NOT_REQUIRED, "lhkpn_year": None}
            filed = draw < 0.9
        if filed:
            return {"lhkpn_status": LhkpnStatus.FILED, "lhkpn_year": self.reference.year - 1}
        return {"lhkpn_status": LhkpnStatus.NOT_FILED, "lhkpn_year": None}

    def _discipline(self, tmt_cpns: dt.date) -> tuple[DisciplineData, ...]:
        rng = self.rng
        if rng.random() >= 0.03:
            return ()
        level = _weighted(
            rng, ((DisciplineLevel.RINGAN, 60), (DisciplineLevel.SEDANG, 30), (DisciplineLevel.BERAT, 10))
        )
        description, months = rng.choice(DISCIPLINE_DESCRIPTIONS[str(level)])
        start = max(tmt_cpns, dt.date(2019, 1, 1))
        imposed = start + dt.timedelta(days=rng.randint(0, max((self.reference - start).days - 30, 0)))
        ends = _months_after(imposed, months) if months else None
        return (DisciplineData(imposed, level, ends, description),)  # type: ignore[arg-type]

    def _assessments(self, post: PositionType, talent: float) -> tuple[AssessmentData, ...]:
        rng = self.rng
        chance = {PositionType.FUNGSIONAL: 0.7, PositionType.PELAKSANA: 0.55}.get(post, 0.92)
        if rng.random() >= chance:
            return ()
        count = 2 if rng.random() < 0.1 else 1
        first = add_years(self.reference, -4)  # most results are recent; some have expired (3-year validity)
        latest = first + dt.timedelta(days=rng.randint(0, (self.reference - first).days))
        dates = [latest] if count == 1 else [latest - dt.timedelta(days=rng.randint(1100, 1500)), latest]
        base = TIER_LEVEL[post] + 0.8
        result = []
        for day in dates:
            provider, accredited = self._provider()
            scores = [(COMPETENCY, name, _level(rng, base, talent)) for name in COMPETENCIES]
            scores += [(POTENTIAL, name, _level(rng, 3.0, talent)) for name in POTENTIAL_COMPONENTS]
            result.append(
                AssessmentData(
                    day, provider, add_years(day, ASSESSMENT_VALIDITY_YEARS), accredited, tuple(sorted(scores))
                )
            )
        return tuple(result)

    def _provider(self) -> tuple[str, bool]:
        options = [*ACCREDITED_PROVIDERS, UNACCREDITED_PROVIDER]
        name = str(_weighted(self.rng, options))
        return name, name != UNACCREDITED_PROVIDER[0]


def _jf_level(degree: bool, rank: int) -> str:
    if not degree:
        if rank < GOLONGAN.index(Golongan.III_A):
            return "Terampil"
        return "Mahir" if rank < GOLONGAN.index(Golongan.III_C) else "Penyelia"
    if rank < GOLONGAN.index(Golongan.III_C):
        return "Ahli Pertama"
    if rank < GOLONGAN.index(Golongan.IV_A):
        return "Ahli Muda"
    return "Ahli Madya" if rank < GOLONGAN.index(Golongan.IV_D) else "Ahli Utama"


def _standards(post: PositionType, title: str) -> dict[str, int]:
    level = TIER_LEVEL[post]
    if post == PositionType.FUNGSIONAL:
        level = 3 if "Madya" in title else 2
    standards = dict.fromkeys(MANAGERIAL_COMPETENCIES, level)
    standards["sosial_kultural"] = level
    standards["teknis"] = min(5, level + (1 if post in (PositionType.FUNGSIONAL, PositionType.PELAKSANA) else 0))
    return standards


def build_province(seed: int, employees: int, reference: dt.date) -> Province:
    """Draw the demo province (pure: same arguments, same result).

    Raises:
        ValueError: fewer employees than the province has head posts.
    """
    gen = _Generator(seed, reference)
    units = list(UNITS)
    vacant = {v.code: v for v in VACANCIES}
    by_code = {u.code: u for u in units}
    vacant_heads = {v.unit for v in VACANCIES if v.type in (PositionType.JPT_PRATAMA, PositionType.JPT_MADYA)}
    headed = [u for u in units if u.code not in vacant_heads or u.code == "SETDA"]
    if employees < len(headed) * 2:  # one head per unit, one acting head, then staff
        raise ValueError(f"the demo needs at least {len(headed) * 2} employees (one head per unit, then staff)")

    positions: list[PositionRow] = []
    records: list[MeritRecord] = []
    holders: dict[str, tuple[str, bool]] = {}
    for unit in headed:
        code = f"{unit.code}-HEAD"
        positions.append(PositionRow(code, unit.head_title, PositionType.JPT_PRATAMA, unit.code, False, None, {}))
        record = gen.employee(unit, PositionType.JPT_PRATAMA, unit.head_title)
        records.append(record)
        holders[record.nip] = (code, False)
    for v in VACANCIES:
        positions.append(PositionRow(v.code, v.title, v.type, v.unit, True, dt.date.fromisoformat(v.vacant_since), {}))
    for row in positions:
        row.standards = _standards(row.type, row.title)

    # The vacant head post is run meanwhile by its unit's secretary as acting head (Plt, domain.md R12).
    acting_unit = by_code[vacant[ACTING_HEAD_OF].unit]
    plt = gen.employee(acting_unit, PositionType.ADMINISTRATOR, f"Sekretaris {acting_unit.name}")
    records.append(plt)
    holders[plt.nip] = (ACTING_HEAD_OF, True)

    weights = [u.weight for u in units]
    for _ in range(employees - len(records)):
        records.append(gen.employee(gen.rng.choices(units, weights=weights)[0]))
    province = Province(units=units, positions=positions, records=records, holders=holders)
    province.accounts = _accounts(gen.rng, province, reference)
    return province


def _accounts(rng: random.Random, province: Province, reference: dt.date) -> list[AccountRow]:
    """One account per role; internal officials and ASN accounts are linked to employee records."""
    by_nip = {r.nip: r for r in province.records}
    senior = _senior_heads(province, reference)
    if len(senior) < 3:
        raise ValueError("too few senior unit heads for the internal committee members; use more employees")

    def official(username: str, role: Role, nip: str) -> AccountRow:
        record = by_nip[nip]
        return AccountRow(username, role, record.employee["name"], "internal", record.nip)

    def stranger() -> str:
        return _name(rng, rng.choice((Sex.MALE, Sex.FEMALE)))

    staff = sorted((r for r in province.records if r.nip not in province.holders), key=lambda r: r.nip)
    # The admin prepares processes, so must never be a candidate in one (R3): a junior BKD clerk
    # below the pengawas rank floor is eligible for no demo vacancy.
    junior = golongan_rank("III/a")
    bkd_staff = next(
        (r for r in staff if r.unit_code == "BKD" and golongan_rank(r.employee["golongan"]) < junior),
        next(r for r in staff if golongan_rank(r.employee["golongan"]) < junior),
    )
    # Committee of 7 with the chair: 3 internal (43 %, within the 45 % cap of domain.md §4), 4 external.
    accounts = [
        AccountRow("admin", Role.ADMIN, bkd_staff.employee["name"], "internal", bkd_staff.nip),
        official("ketua", Role.COMMITTEE_CHAIR, senior[0]),
        official("anggota1", Role.COMMITTEE_MEMBER, senior[1]),
        official("anggota2", Role.COMMITTEE_MEMBER, senior[2]),
    ]
    for i, affiliation in enumerate(EXTERNAL_AFFILIATIONS, start=3):
        accounts.append(AccountRow(f"anggota{i}", Role.COMMITTEE_MEMBER, stranger(), affiliation))
    accounts += [
        AccountRow("ppk", Role.PPK, stranger(), "Gubernur Lampung"),
        AccountRow("verifikator", Role.VERIFIER, stranger(), "UPTD Penilaian Kompetensi BKD Provinsi Lampung"),
        AccountRow("inspektur", Role.INSPECTOR, stranger(), "Inspektorat Jenderal Kemendagri"),
    ]
    # ASN accounts: a strong administrator, an average one, and someone with a discipline record.
    admins = [r for r in staff if r.employee["position_type"] == PositionType.ADMINISTRATOR and r.nip != bkd_staff.nip]
    admins.sort(key=lambda r: (-_merit(r), r.nip))
    picks = [admins[0], admins[len(admins) // 2]] if len(admins) >= 2 else staff[1:3]
    taken = {r.nip for r in picks} | {bkd_staff.nip}
    candidates = [r for r in staff if r.nip not in taken]
    picks.append(next((r for r in candidates if r.discipline), candidates[-1]))
    for i, record in enumerate(picks, start=1):
        accounts.append(AccountRow(f"asn{i}", Role.ASN, record.employee["name"], "internal", record.nip))
    return accounts


def _senior_heads(province: Province, reference: dt.date) -> list[str]:
    """NIPs of unit heads who can sit as internal committee members on every demo vacancy, oldest first.

    Internal members hold at least the level of the post being filled (domain.md §4), so they are
    JPT holders themselves — and a member who is also a candidate cannot sit (R3/R14). Officials
    past the JPT age caps of rule set 2026.1 (56 for pratama; 57½ at registration for madya, whose
    rank floor is IV/d) can be candidates for none of the demo's vacancies.
    """
    madya_floor = golongan_rank("IV/d")

    def age(record: MeritRecord) -> float:
        return (reference - record.employee["birth_date"]).days / 365.25

    by_nip = {r.nip: r for r in province.records}
    heads = [by_nip[nip] for nip, (_code, acting) in sorted(province.holders.items()) if not acting]
    eligible_nowhere = [
        r for r in heads
        if age(r) >= 56 and (age(r) >= 57.5 or golongan_rank(r.employee["golongan"]) < madya_floor)
    ]
    return [r.nip for r in sorted(eligible_nowhere, key=lambda r: (-age(r), r.nip))]


def _merit(record: MeritRecord) -> float:
    ratings = sum(r.predikat == Predikat.SANGAT_BAIK for r in record.ratings)
    levels = [lvl for a in record.assessments[-1:] for kind, _n, lvl in a.scores if kind == COMPETENCY]
    return ratings * 10 + (sum(levels) / len(levels) if levels else 0)


@dataclass(frozen=True, slots=True)
class DemoResult:
    created: bool
    employees: int
    accounts: tuple[AccountRow, ...]


def seed_demo(
    session: so.Session,
    *,
    allowed: bool,
    seed: int = DEFAULT_SEED,
    employees: int = DEFAULT_EMPLOYEES,
    reference: dt.date = DEFAULT_REFERENCE,
    if_empty: bool = False,
    password: str = DEMO_PASSWORD,
    hash_method: str = "scrypt",
) -> DemoResult:
    """Store the demo province and its accounts in one transaction.

    Raises:
        ForbiddenError: ``allowed`` is false (production configuration).
        ConflictError: the database already holds employees or accounts (and ``if_empty`` is false).
        ValueError: too few employees for the province's head posts.

    ``hash_method`` is werkzeug's; tests pass a cheap one, since scrypt dominates a small demo.
    """
    if not allowed:
        raise ForbiddenError("The demo province is disabled in this configuration (DEMO_ALLOWED is false).")
    existing = session.scalar(sa.select(sa.func.count()).select_from(Employee)) or 0
    existing_users = session.scalar(sa.select(sa.func.count()).select_from(User)) or 0
    if existing or existing_users:
        if if_empty:
            return DemoResult(created=False, employees=existing, accounts=())
        raise ConflictError(
            f"The database already holds {existing} employee(s) and {existing_users} account(s); "
            "the demo only fills an empty database."
        )
    province = build_province(seed, employees, reference)
    stamp = dt.datetime.combine(reference, dt.time())
    try:
        _store(session, province, stamp, lambda: generate_password_hash(password, method=hash_method))
        session.commit()
    except Exception:
        session.rollback()
        raise
    return DemoResult(created=True, employees=len(province.records), accounts=tuple(province.accounts))


def _store(session: so.Session, province: Province, stamp: dt.datetime, password_hash: Callable[[], str]) -> None:
    unit_ids: dict[str, int] = {}
    for unit in province.units:  # parents come first in UNITS
        row = OrgUnit(code=unit.code, name=unit.name, parent_id=unit_ids.get(unit.parent or ""))
        session.add(row)
        session.flush()
        unit_ids[unit.code] = row.id
    position_ids: dict[str, int] = {}
    for p in province.positions:
        position = Position(
            code=p.code,
            title=p.title,
            type=p.type,
            unit_id=unit_ids[p.unit],
            min_golongan=POSITION_RULES[p.type][0],
            min_education=POSITION_RULES[p.type][1],
            min_experience_years=POSITION_RULES[p.type][2],
            is_vacant=p.is_vacant,
            vacant_since=p.vacant_since,
            standards=[CompetencyStandard(competency=c, level=lvl) for c, lvl in sorted(p.standards.items())],
        )
        session.add(position)
        session.flush()
        position_ids[p.code] = position.id
    write_records(session, province.records, now=stamp)
    employee_ids: dict[str, int] = {
        nip: emp_id for nip, emp_id in session.execute(sa.select(Employee.nip, Employee.id))
    }
    holders = sorted(province.holders.items())
    if holders:
        session.execute(
            sa.update(Employee),
            [
                {"id": employee_ids[nip], "position_id": position_ids[code], "is_acting": acting}
                for nip, (code, acting) in holders
            ],
        )
    for account in province.accounts:
        session.add(
            User(
                username=account.username,
                display_name=account.display_name,
                password_hash=password_hash(),  # a fresh salt per account
                employee_id=employee_ids.get(account.employee_nip or ""),
                affiliation=account.affiliation,
                created_at=stamp,
                roles=[UserRole(role=account.role)],
            )
        )
    session.flush()
