"""The access matrix of the admin's data pages: every route × every role, plus anonymous and no role.

Only an admin gets in (GET 200; a POST reaches its form check); every other account gets 403 and an
anonymous visitor goes to the sign-in page. POSTs carry input the form refuses (or a stale page
version), so the admin's row checks the route without changing anything.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask import Flask

from tests.web.access import Case, check_access
from workflow import ledger, services
from workflow.extensions import db
from workflow.models import OrgUnit, Position, Role, User

ADMIN = frozenset({Role.ADMIN})
NOW = dt.datetime(2026, 11, 2, 1, 0, tzinfo=dt.UTC)
STALE = {"version": "0000000000000000"}


def _world() -> tuple[int, int, int]:
    unit = OrgUnit(code="BKD", name="Badan Kepegawaian Daerah")
    db.session.add(unit)
    db.session.flush()
    position = Position(code="BKD-KABID", title="Kepala Bidang", type="administrator", unit_id=unit.id,
                        min_experience_years=0, is_vacant=False)
    db.session.add(position)
    db.session.commit()
    target = services.create_user(db.session, actor=None, username="target", display_name="Target",
                                  password_hash="x", roles=[Role.ASN], now=NOW)
    return unit.id, position.id, target.id


def cases(unit_id: int, position_id: int, user_id: int) -> list[Case]:
    def get(path: str) -> Case:
        return Case("GET", path, allowed=ADMIN)

    def post(path: str, ok: int, **data: str) -> Case:
        return Case("POST", path, allowed=ADMIN, ok=ok, data=data)

    return [
        get("/admin/"),
        get("/admin/unit"),
        get("/admin/unit/baru"),
        post("/admin/unit/baru", 422, code="", name=""),
        get(f"/admin/unit/{unit_id}"),
        post(f"/admin/unit/{unit_id}", 422, code="", name=""),
        get("/admin/jabatan"),
        get("/admin/jabatan/baru"),
        post("/admin/jabatan/baru", 422, code=""),
        get(f"/admin/jabatan/{position_id}"),
        post(f"/admin/jabatan/{position_id}", 422, code=""),
        post(f"/admin/jabatan/{position_id}/standar", 422, teknis="9"),
        post(f"/admin/jabatan/{position_id}/lowongan/buka", 409, **STALE),
        post(f"/admin/jabatan/{position_id}/lowongan/tutup", 409, **STALE),
        get("/admin/impor"),
        post("/admin/impor", 422),
        get("/admin/akun"),
        get("/admin/akun/baru"),
        post("/admin/akun/baru", 422, username=""),
        get(f"/admin/akun/{user_id}"),
        post(f"/admin/akun/{user_id}/peran", 422),
        post(f"/admin/akun/{user_id}/nonaktifkan", 409, **STALE),
        post(f"/admin/akun/{user_id}/aktifkan", 409, **STALE),
        post(f"/admin/akun/{user_id}/kunci/cabut", 422, reason="made up"),
        post(f"/admin/akun/{user_id}/kunci/baru", 409),  # the account already has an active key
    ]


def test_every_admin_route_matches_the_matrix(app: Flask) -> None:
    unit_id, position_id, user_id = _world()
    # The admin visitor needs a signing key for the routes that sign; the matrix makes the account.
    matrix = cases(unit_id, position_id, user_id)
    size = ledger.log_size(db.session)
    assert check_access(app, matrix) == []
    assert ledger.log_size(db.session) == size  # nobody changed anything
    db.session.expire_all()
    assert db.session.get(User, user_id).is_active
    assert db.session.scalar(sa.select(Position.code).where(Position.id == position_id)) == "BKD-KABID"


def test_the_matrix_covers_every_admin_route(app: Flask) -> None:
    ids = {"<int:unit_id>": "901", "<int:position_id>": "902", "<int:user_id>": "903"}
    covered = {(c.method, c.path) for c in cases(901, 902, 903)}
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("admin."):
            path = rule.rule
            for arg, value in ids.items():
                path = path.replace(arg, value)
            routes |= {(method, path) for method in rule.methods or () if method in {"GET", "POST"}}
    assert routes == covered
