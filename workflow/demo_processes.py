"""Demo processes in every stage, made through the real services so the demo log is a real log.

Runs on a database the demo province (``workflow.demo.seed_demo``) has filled: it enrols keys for
the demo accounts, then drives one process per stage (draft … appointed, and a cancelled one)
with the accounts the province creates. Deterministic: times come from ``now`` and every random
byte (pseudonym secrets, evidence salts, ballot nonces) from ``random.Random(seed)``.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so

from workflow import services
from workflow.lifecycle import Seat, Stage
from workflow.lifecycle.votes import commitment
from workflow.merit.ruleset import RULED_POSITION_TYPES
from workflow.models import Position, User
from workflow.models import process as m
from workflow.services import NotPermittedError, RefusedError

DEFAULT_SEED = 2026
COMMITTEE = ("ketua", "anggota1", "anggota2", "anggota3", "anggota4", "anggota5", "anggota6")
# Deepest first: the processes that need the objection window to pass come first on the clock, so
# the announced process is still inside its window at ``now``.
TARGETS = (
    Stage.APPOINTED, Stage.OBJECTIONS_RESOLVED, Stage.CANCELLED, Stage.COMMITTEE_REVIEWED, Stage.SHORTLISTED,
    Stage.COMPETENCY_VERIFIED, Stage.POOL_NOMINATED, Stage.COMMITTEE_FORMED, Stage.DRAFT, Stage.ANNOUNCED,
)


@dataclass(frozen=True, slots=True)
class DemoProcess:
    """One demo process: its id, the position it fills and the stage it was left in."""

    process_id: int
    position: str
    stage: Stage


class _Clock:
    def __init__(self, start: dt.datetime) -> None:
        self.t = start

    def tick(self) -> dt.datetime:
        self.t += dt.timedelta(minutes=7)
        return self.t

    def skip(self, delta: dt.timedelta) -> dt.datetime:
        self.t += delta
        return self.t


class _Driver:
    def __init__(self, session: so.Session, accounts: dict[str, User], clock: _Clock, rng: random.Random) -> None:
        self.s, self.a, self.clock, self.rng = session, accounts, clock, rng
        self.placed_asn1 = False

    def _bytes(self) -> Callable[[int], bytes]:
        return self.rng.randbytes

    def create(self, position: Position) -> int:
        return services.create_process(
            self.s, actor=self.a["admin"], position_id=position.id, route="open", now=self.clock.tick(),
            ppk_id=self.a["ppk"].id, planned_appointment_on=(self.clock.t + dt.timedelta(days=60)).date(),
            secret_source=self._bytes(),
        ).id

    def committee(self, pid: int) -> None:
        for name in COMMITTEE:
            services.seat_member(self.s, pid, actor=self.a["admin"], user_id=self.a[name].id, now=self.clock.tick(),
                                 seat=Seat.CHAIR if name == "ketua" else Seat.MEMBER)
        for name in COMMITTEE:
            services.sign_pledge(self.s, pid, actor=self.a[name], now=self.clock.tick())

    def pool(self, pid: int) -> list[m.Candidate]:
        return list(self.s.scalars(
            sa.select(m.Candidate).where(m.Candidate.process_id == pid, m.Candidate.in_pool.is_(True))
            .order_by(m.Candidate.merit_rank)
        ))

    def vote(self, pid: int) -> None:
        ranking = [c.pseudonym for c in sorted((c for c in self.pool(pid) if c.shortlist_rank),
                                               key=lambda c: c.shortlist_rank or 0)]
        ballots = {}
        for name in COMMITTEE:
            member = services.member_person(self.s, pid, self.a[name])
            scores = {p: 10 - i for i, p in enumerate(ranking)}
            nonce = self.rng.randbytes(16).hex()
            ballots[name] = (scores, nonce)
            services.commit_vote(self.s, pid, actor=self.a[name], now=self.clock.tick(),
                                 commitment=commitment(member, scores, "Sesuai hasil penilaian merit.", nonce))
        for name, (scores, nonce) in ballots.items():
            services.reveal_vote(self.s, pid, actor=self.a[name], scores=scores, nonce=nonce, now=self.clock.tick(),
                                 reason_text="Sesuai hasil penilaian merit.")

    def place_asn(self, pid: int, username: str, *, eligible: bool = True) -> User | None:
        """Link a demo ASN account to a candidacy in this process (demo data only).

        The demo's ASN accounts exist to show a civil servant's side of a process — the explanation
        and the objection — so each is moved onto a candidacy that has one: the shortlist's
        runner-up, or (``eligible=False``) someone who failed a rule, preferably the discipline
        look-back. None when there is no such candidate without an account.
        """
        account = self.a.get(username)
        linked = set(self.s.scalars(sa.select(User.employee_id).where(User.employee_id.is_not(None))))
        if eligible:
            picks = sorted((c for c in self.pool(pid) if c.shortlist_rank), key=lambda c: c.shortlist_rank or 0)[1:]
        else:
            failed = self.s.scalars(sa.select(m.Candidate).where(
                m.Candidate.process_id == pid, m.Candidate.eligible.is_(False)).order_by(m.Candidate.pseudonym))
            picks = sorted(failed, key=lambda c: b"discipline.fail" not in bytes(c.result))
        picks = [c for c in picks if c.employee_id not in linked]
        if account is None or not picks:
            return None
        account.employee_id = picks[0].employee_id
        self.s.commit()
        return account

    def objection(self, pid: int, *, upheld: bool) -> bool:
        """An objection by a demo ASN who is a candidate here, answered by the chair; False if none is."""
        asn = next((u for name, u in sorted(self.a.items()) if name.startswith("asn") and u.employee_id is not None
                    and self.s.scalar(sa.select(m.Candidate.id).where(m.Candidate.process_id == pid,
                                                                      m.Candidate.employee_id == u.employee_id))),
                   None) or (self.place_asn(pid, "asn1") if not self.placed_asn1 else None)
        if asn is None:
            return False
        self.placed_asn1 = self.placed_asn1 or asn.username == "asn1"
        row = services.file_objection(self.s, pid, actor=asn, now=self.clock.tick(),
                                      text="Mohon peninjauan ulang nilai kinerja saya.")
        services.answer_objection(self.s, pid, row.id, actor=self.a["ketua"], upheld=upheld, now=self.clock.tick(),
                                  answer="Nilai kinerja sesuai data SIASN; sanggahan tidak diterima.")
        return True

    def drive(self, pid: int, target: Stage) -> None:
        a, s, tick = self.a, self.s, self.clock.tick
        if target == Stage.DRAFT:
            return
        self.committee(pid)
        if target == Stage.CANCELLED:
            services.cancel_process(s, pid, actor=a["admin"], now=tick(),
                                    reason_text="Formasi jabatan ditinjau ulang dalam evaluasi kelembagaan.")
            return
        steps: list[tuple[Stage, Callable[[], object]]] = [
            (Stage.COMMITTEE_FORMED, lambda: services.form_committee(s, pid, actor=a["admin"], now=tick())),
            (Stage.POOL_NOMINATED, lambda: services.nominate_pool(s, pid, actor=a["admin"], now=tick(),
                                                                  salt_source=self._bytes())),
            (Stage.COMPETENCY_VERIFIED, lambda: services.verify_competency(
                s, pid, actor=a["verifikator"], now=tick(),
                decisions={c.pseudonym: services.CompetencyDecision(True) for c in self.pool(pid)})),
            (Stage.SHORTLISTED, lambda: services.shortlist(s, pid, actor=a["admin"], now=tick())),
            (Stage.COMMITTEE_REVIEWED, lambda: (self.vote(pid),
                                                services.close_review(s, pid, actor=a["ketua"], now=tick()))),
            (Stage.ANNOUNCED, lambda: services.announce(s, pid, actor=a["admin"], now=tick())),
            (Stage.OBJECTIONS_RESOLVED, lambda: (
                self.objection(pid, upheld=False),
                services.resolve_objections(s, pid, actor=a["ketua"], now=self.clock.skip(dt.timedelta(days=6))))),
            (Stage.APPOINTED, lambda: self.appoint(pid)),
        ]
        for reached, run in steps:
            run()
            if reached == target:
                return

    def appoint(self, pid: int) -> None:
        first = next(c for c in self.pool(pid) if c.recommended_rank == 1)
        now = self.clock.tick()
        services.appoint(self.s, pid, actor=self.a["ppk"], appointee=first.pseudonym, now=now,
                         decree_number=f"821.2/{pid:03d}/BKD/{now.year}", decree_date=now.date())


def create_demo_processes(session: so.Session, *, now: dt.datetime, seed: int = DEFAULT_SEED) -> list[DemoProcess]:
    """Create one process per stage on the demo province, through the services.

    Args:
        session: a session on a database filled by ``seed_demo`` (every call commits).
        now: the demo's present (timezone-aware); the processes' history runs over the 14 days
            before it, and the announced process's objection window is still open at ``now``.
        seed: seeds every random byte, so the same database and seed give the same log.

    Returns:
        The processes made, in creation order. A vacancy whose pool cannot be nominated (e.g. a
        committee member or the admin is eligible for it, a duty conflict) is cancelled with that
        reason and the next vacancy is tried; stages still missing when vacancies run out are
        simply not in the list.

    Raises:
        LookupError: a demo account (admin, ketua, anggota1–6, verifikator, ppk) is missing.
    """
    names = ("admin", *COMMITTEE, "verifikator", "ppk", "asn1", "asn2", "asn3")
    accounts = {u.username: u for u in session.scalars(sa.select(User).where(User.username.in_(names)))}
    missing = sorted(set(names) - set(accounts) - {"asn1", "asn2", "asn3"})
    if missing:
        raise LookupError(f"demo accounts missing: {', '.join(missing)}")
    clock = _Clock(now - dt.timedelta(days=14))
    for user in sorted(accounts.values(), key=lambda u: u.id):
        services.ensure_user_key(session, user.id, now=clock.tick())
    vacancies = list(session.scalars(
        sa.select(Position).where(Position.is_vacant.is_(True), Position.type.in_(RULED_POSITION_TYPES))
        # Administrator and pengawas posts first: the demo's internal members head units (JPT).
        .order_by(sa.case((Position.type.in_(("administrator", "pengawas")), 0), else_=1), Position.code)
    ))
    # Demo data only: a seeded generator makes the demo log reproducible; no secret protects anything.
    driver = _Driver(session, accounts, clock, random.Random(seed))  # noqa: S311
    made: list[DemoProcess] = []
    for target in TARGETS:
        while vacancies:
            position = vacancies.pop(0)
            pid = driver.create(position)
            try:
                driver.drive(pid, target)
            except (RefusedError, NotPermittedError) as exc:
                services.cancel_process(session, pid, actor=accounts["admin"], now=clock.tick(),
                                        reason_text=f"Tidak dapat dilanjutkan: {', '.join(exc.codes)}")
                made.append(DemoProcess(pid, position.code, Stage.CANCELLED))
                continue
            made.append(DemoProcess(pid, position.code, target))
            if target == Stage.ANNOUNCED:  # the window is open at ``now``: asn2 can object in the demo
                driver.place_asn(pid, "asn2")
                driver.place_asn(pid, "asn3", eligible=False)
            if target == Stage.CANCELLED:
                vacancies.insert(0, position)  # free again: the draft can reuse it
            break
    return made
