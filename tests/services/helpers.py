"""A small world for the service tests: one unit, vacant posts, eligible employees, enrolled accounts.

``World.advance(stage)`` drives the process there through the services with distinct actors, so
each guard test starts from a real state reached the real way.
"""

from __future__ import annotations

import datetime as dt
import itertools
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field

import sqlalchemy as sa
import sqlalchemy.orm as so

from workflow import ledger, services
from workflow.extensions import db
from workflow.lifecycle import Seat, Stage
from workflow.models import (
    Assessment,
    AssessmentScore,
    CompetencyStandard,
    Employee,
    OrgUnit,
    PerformanceRating,
    Position,
    Role,
    User,
)
from workflow.models import process as m
from workflow.models.ledger import LogLeaf
from workflow.reference import COMPETENCIES, POTENTIAL_COMPONENTS

T0 = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)
D = dt.date
PROCESS_TABLES = (m.Process, m.CommitteeSeat, m.Candidate, m.VoteCommit, m.VoteReveal, m.RevealOpening,
                  m.Objection, m.ProcessParticipant, Position)


def at(minutes: int) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


def counter_bytes() -> Callable[[int], bytes]:
    """A deterministic byte source (salts, secrets)."""
    count = itertools.count(1)
    return lambda n: next(count).to_bytes(n, "big")


def employee(unit_id: int, i: int, *, level: int = 4, golongan: str = "IV/a", excellent: bool = False) -> Employee:
    emp = Employee(
        nip=f"198001012005011{i:03d}", name=f"Pegawai {i}", sex="M", birth_date=D(1980, 1, 1),
        tmt_cpns=D(2005, 1, 1), golongan=golongan, tmt_golongan=D(2020, 4, 1), position_title="Kepala Seksi",
        position_type="pengawas", tmt_position=D(2018, 1, 1), unit_id=unit_id, education="S1",
        lhkpn_status="filed", lhkpn_year=2025,
    )
    emp.ratings = [PerformanceRating(year=2024, predikat="baik"),
                   PerformanceRating(year=2025, predikat="sangat_baik" if excellent else "baik")]
    a = Assessment(assessed_on=D(2025, 1, 15), valid_until=D(2028, 1, 14), provider="UPTD Lampung",
                   provider_accredited=True)
    a.scores = [AssessmentScore(kind="competency", name=c, level=level) for c in COMPETENCIES]
    a.scores += [AssessmentScore(kind="potential", name=p, level=level) for p in POTENTIAL_COMPONENTS]
    emp.assessments = [a]
    return emp


@dataclass
class World:
    session: so.Session
    position_id: int
    other_position_id: int
    admin: User
    admin2: User
    chair: User
    members: list[User]  # four, the last one internal
    verifier: User
    ppk: User
    ppk2: User
    asn: User  # linked to the best candidate (rank 1)
    asn_other: User  # linked to a pool candidate (rank 3)
    stranger: User  # asn not a candidate
    employees: list[Employee]
    process_id: int = 0
    nonces: dict[int, str] = field(default_factory=dict)

    @property
    def committee(self) -> list[User]:
        return [self.chair, *self.members]

    def process(self) -> m.Process:
        self.session.expire_all()
        row = self.session.get(m.Process, self.process_id)
        assert row is not None
        return row

    def pool(self) -> list[m.Candidate]:
        return list(self.session.scalars(
            sa.select(m.Candidate).where(m.Candidate.process_id == self.process_id, m.Candidate.in_pool.is_(True))
            .order_by(m.Candidate.merit_rank)
        ))

    def candidate_of(self, user: User) -> m.Candidate:
        return self.session.scalars(sa.select(m.Candidate).where(
            m.Candidate.process_id == self.process_id, m.Candidate.employee_id == user.employee_id)).one()

    def ranking(self) -> list[str]:
        rows = [c for c in self.pool() if c.shortlist_rank]
        return [c.pseudonym for c in sorted(rows, key=lambda c: c.shortlist_rank or 0)]

    # --- driving the process ----------------------------------------------------------------

    def create(self, minute: int = 0) -> int:
        process = services.create_process(
            self.session, actor=self.admin, position_id=self.position_id, route="open", now=at(minute),
            ppk_id=self.ppk.id, planned_appointment_on=D(2026, 6, 1), secret_source=counter_bytes(),
        )
        self.process_id = process.id
        return process.id

    def seat_all(self, minute: int = 1) -> None:
        for user in self.committee:
            services.seat_member(self.session, self.process_id, actor=self.admin, user_id=user.id, now=at(minute),
                                 seat=Seat.CHAIR if user is self.chair else Seat.MEMBER)

    def pledge_all(self, minute: int = 2) -> None:
        for user in self.committee:
            services.sign_pledge(self.session, self.process_id, actor=user, now=at(minute))

    def decisions(self, exclude: dict[str, str] | None = None) -> dict[str, services.CompetencyDecision]:
        exclude = exclude or {}
        return {
            c.pseudonym: services.CompetencyDecision(False, exclude[c.pseudonym]) if c.pseudonym in exclude
            else services.CompetencyDecision(True)
            for c in self.pool()
        }

    def vote(self, voters: list[User], minute: int, *, favourite: str | None = None) -> None:
        """``voters`` commit at ``minute`` and reveal a minute later; when some unrecused member does
        not vote, the chair opens the reveal phase after the commits (``services.open_reveal``)."""
        ranking = self.ranking()
        ballots = {}
        for user in voters:
            scores = {p: (10 if p == favourite else 5 - i) for i, p in enumerate(ranking)}
            nonce = secrets.token_hex(16)
            digest = services.ballot_commitment(self.session, self.process_id, member=user, scores=scores,
                                                reason_text="merit", nonce=nonce)
            services.commit_vote(self.session, self.process_id, actor=user, commitment=digest, now=at(minute))
            ballots[user.id] = (scores, nonce)
        unrecused = set(self.session.scalars(sa.select(m.CommitteeSeat.user_id).where(
            m.CommitteeSeat.process_id == self.process_id, m.CommitteeSeat.recused.is_(False))))
        if unrecused - {u.id for u in voters}:
            services.open_reveal(self.session, self.process_id, actor=self.chair, now=at(minute))
        for user in voters:
            scores, nonce = ballots[user.id]
            services.reveal_vote(self.session, self.process_id, actor=user, scores=scores, reason_text="merit",
                                 nonce=nonce, now=at(minute + 1))

    def advance(self, stage: Stage) -> None:
        """Drive a fresh process to ``stage`` (round 1, no objections)."""
        steps: list[tuple[Stage, Callable[[], object]]] = [
            (Stage.DRAFT, lambda: (self.create(), self.seat_all(), self.pledge_all())),
            (Stage.COMMITTEE_FORMED, lambda: services.form_committee(
                self.session, self.process_id, actor=self.admin, now=at(3))),
            (Stage.POOL_NOMINATED, lambda: services.nominate_pool(
                self.session, self.process_id, actor=self.admin, now=at(4), salt_source=counter_bytes())),
            (Stage.COMPETENCY_VERIFIED, lambda: services.verify_competency(
                self.session, self.process_id, actor=self.verifier, decisions=self.decisions(), now=at(5))),
            (Stage.SHORTLISTED, lambda: services.shortlist(self.session, self.process_id, actor=self.admin, now=at(6))),
            (Stage.COMMITTEE_REVIEWED, lambda: (
                self.vote(self.committee, 7),
                services.close_review(self.session, self.process_id, actor=self.chair, now=at(9)))),
            (Stage.ANNOUNCED, lambda: services.announce(self.session, self.process_id, actor=self.admin, now=at(10))),
            (Stage.OBJECTIONS_RESOLVED, lambda: services.resolve_objections(
                self.session, self.process_id, actor=self.chair, now=at(10) + dt.timedelta(days=6))),
        ]
        for reached, run in steps:
            run()
            if reached == stage:
                return
        raise AssertionError(f"cannot advance to {stage}")


def make_world(session: so.Session) -> World:
    """Build the world and commit it; every account has an enrolled key."""
    unit = OrgUnit(code="BKD", name="Badan Kepegawaian Daerah")
    session.add(unit)
    session.flush()
    positions = []
    for code in ("BKD-KABID", "BKD-SEKRETARIS"):
        pos = Position(code=code, title=f"Jabatan {code}", type="administrator", unit_id=unit.id,
                       min_experience_years=0, is_vacant=True)
        pos.standards = [CompetencyStandard(competency=c, level=3) for c in COMPETENCIES]
        session.add(pos)
        positions.append(pos)
    # Five eligible candidates with distinct merit (0 is the best), one not eligible (III/a).
    employees = [employee(unit.id, 0, level=5, excellent=True), employee(unit.id, 1, level=5),
                 employee(unit.id, 2, level=4, excellent=True), employee(unit.id, 3, level=4),
                 employee(unit.id, 4, level=3), employee(unit.id, 5, golongan="III/a"),
                 employee(unit.id, 6, golongan="II/a")]
    session.add_all(employees)
    session.commit()

    def account(name: str, role: Role, employee_id: int | None = None, affiliation: str = "Unila") -> User:
        return services.create_user(session, actor=None, username=name, display_name=name.title(), password_hash="x",
                                    roles=[role], now=T0, employee_id=employee_id, affiliation=affiliation)

    admin = account("admin", Role.ADMIN, affiliation="internal")
    world = World(
        session=session, position_id=positions[0].id, other_position_id=positions[1].id, admin=admin,
        admin2=account("admin2", Role.ADMIN, affiliation="internal"),
        chair=account("ketua", Role.COMMITTEE_CHAIR),
        members=[account("anggota1", Role.COMMITTEE_MEMBER), account("anggota2", Role.COMMITTEE_MEMBER),
                 account("anggota3", Role.COMMITTEE_MEMBER),
                 account("anggota4", Role.COMMITTEE_MEMBER, employees[6].id, "internal")],
        verifier=account("verifikator", Role.VERIFIER), ppk=account("ppk", Role.PPK),
        ppk2=account("ppk2", Role.PPK),
        asn=account("asn1", Role.ASN, employees[0].id, "internal"),
        asn_other=account("asn2", Role.ASN, employees[2].id, "internal"),
        stranger=account("asn3", Role.ASN, employees[5].id, "internal"),
        employees=employees,
    )
    return world


def snapshot(session: so.Session) -> tuple[object, ...]:
    """Everything an action could write: log size and leaves, row counts, and the process rows' state."""
    session.expire_all()
    counts = tuple(session.scalar(sa.select(sa.func.count()).select_from(t)) for t in PROCESS_TABLES)
    processes = tuple(session.execute(sa.select(m.Process.id, m.Process.status, m.Process.updated_at,
                                                m.Process.round)).all())
    candidates = tuple(session.execute(sa.select(
        m.Candidate.id, m.Candidate.decision, m.Candidate.shortlist_rank, m.Candidate.recommended_rank
    ).order_by(m.Candidate.id)).all())
    seats = tuple(session.execute(sa.select(m.CommitteeSeat.id, m.CommitteeSeat.pact_signed_at,
                                            m.CommitteeSeat.recused)).all())
    leaves = session.scalar(sa.select(sa.func.count()).select_from(LogLeaf))
    return ledger.log_size(session), leaves, counts, processes, candidates, seats


__all__ = ["T0", "World", "at", "db", "make_world", "snapshot"]
