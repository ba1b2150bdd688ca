"""The admin's data pages: units, positions, standards, vacancies, merit import, accounts.

Happy paths go through the real forms (CSRF and all) and the services; bad input answers 422 with
the problem next to its field and changes nothing; refusals answer 409/403 with a page that says why.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from audit.entry import parse_leaf_unverified
from tests.services.helpers import employee
from tests.web.helpers import PASSWORD, csrf_token, login, sign_in_directly
from workflow import ledger, services
from workflow.extensions import db
from workflow.models import CompetencyStandard, Employee, OrgUnit, Position, Role, User
from workflow.models.ledger import KeyStatus, SigningKey
from workflow.security import hash_password
from workflow.views import admin as admin_views

ASSETS = Path(__file__).resolve().parent.parent / "assets" / "merit"
NOW = dt.datetime(2026, 11, 2, 1, 0, tzinfo=dt.UTC)


@dataclass
class Setup:
    app: Flask
    client: FlaskClient
    admin: User
    unit: OrgUnit
    position: Position
    employee: Employee


def account(username: str, *roles: Role) -> User:
    """An account with an enrolled signing key, through the accounts service (as the CLI makes them)."""
    return services.create_user(db.session, actor=None, username=username, display_name=username.title(),
                                password_hash=hash_password(PASSWORD), roles=list(roles), now=NOW,
                                affiliation="internal")


@pytest.fixture
def setup(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Setup:
    monkeypatch.setattr(admin_views, "_now", lambda: NOW)
    unit = OrgUnit(code="BKD", name="Badan Kepegawaian Daerah")
    db.session.add(unit)
    db.session.flush()
    position = Position(code="BKD-KABID", title="Kepala Bidang Mutasi", type="administrator", unit_id=unit.id,
                        min_experience_years=0, is_vacant=False)
    position.standards = [CompetencyStandard(competency="integritas", level=3)]
    emp = employee(unit.id, 1)
    db.session.add_all([position, emp])
    db.session.commit()
    admin = account("siti", Role.ADMIN)
    client = app.test_client()
    sign_in_directly(client, admin)
    return Setup(app, client, admin, unit, position, emp)


def post(client: FlaskClient, path: str, data: dict[str, object] | None = None, **kwargs: object):  # type: ignore[no-untyped-def]
    return client.post(path, data={"csrf_token": csrf_token(client, "/admin/"), **(data or {})}, **kwargs)


def log_actions(start: int = 0) -> list[str]:
    leaves = ledger.read_leaves(db.session, start, ledger.log_size(db.session))
    return [json.loads(parse_leaf_unverified(leaf).envelope.payload)["action"] for leaf in leaves]


def counts() -> tuple[int, ...]:
    db.session.expire_all()
    tables = (OrgUnit, Position, CompetencyStandard, Employee, User)
    rows = (db.session.scalar(sa.select(sa.func.count()).select_from(t)) for t in tables)
    return (*rows, ledger.log_size(db.session))


def text(response) -> str:  # type: ignore[no-untyped-def]
    return response.get_data(as_text=True)


def field_error(body: str, name: str) -> str:
    """The messages shown next to field ``name`` (empty when there are none)."""
    match = re.search(rf'<ul class="field-errors" id="f-{re.escape(name)}-error">(.*?)</ul>', body, re.DOTALL)
    return "" if match is None else re.sub(r"<[^>]+>", " ", match.group(1))


def version_of(body: str, action: str) -> str:
    form = re.search(rf'action="{re.escape(action)}".*?name="version" value="([0-9a-f]+)"', body, re.DOTALL)
    assert form, f"no version field in the form posting to {action}"
    return form.group(1)


# --- front page and lists ------------------------------------------------------------------------


def test_front_page_links_every_section_and_nav_has_data(setup: Setup) -> None:
    body = text(setup.client.get("/admin/"))
    for path in ("/admin/unit", "/admin/jabatan", "/admin/impor", "/admin/akun"):
        assert f'href="{path}"' in body
    assert 'href="/admin/" aria-current="page">Data</a>' in body


def test_lists_render_with_filters_and_survive_bad_query_values(setup: Setup) -> None:
    c = setup.client
    assert "BKD-KABID" in text(c.get(f"/admin/jabatan?jenis=administrator&lowong=tidak&unit={setup.unit.id}"))
    assert "BKD-KABID" not in text(c.get("/admin/jabatan?lowong=ya"))
    assert "BKD-KABID" not in text(c.get("/admin/jabatan?jenis=fungsional"))
    assert "BKD-KABID" in text(c.get("/admin/jabatan?q=mutasi"))
    assert "Badan Kepegawaian Daerah" in text(c.get("/admin/unit?q=kepeg"))
    assert "siti" in text(c.get("/admin/akun?peran=admin&status=aktif"))
    assert "siti" not in text(c.get("/admin/akun?peran=asn"))
    for path in ("/admin/jabatan?jenis=x&unit=abc&lowong=maybe&hal=-3", "/admin/unit?hal=abc&q=%25_",
                 "/admin/akun?peran=raja&status=?&hal=99999"):
        assert c.get(path).status_code == 200


def test_long_lists_are_paged(setup: Setup) -> None:
    db.session.add_all(OrgUnit(code=f"U{i:03d}", name=f"Unit {i}") for i in range(60))
    db.session.commit()
    first, second = text(setup.client.get("/admin/unit")), text(setup.client.get("/admin/unit?hal=2"))
    assert "U000" in first and "U060" not in first and "U059" not in first
    assert "U059" in second and "U000" not in second
    assert 'href="/admin/unit?hal=2"' in first and 'href="/admin/unit?hal=1"' in second
    assert "U059" in text(setup.client.get("/admin/unit?hal=500"))  # past the end: the last page


def test_unknown_ids_are_404(setup: Setup) -> None:
    for path in ("/admin/unit/999", "/admin/jabatan/999", "/admin/akun/999"):
        assert setup.client.get(path).status_code == 404
    assert post(setup.client, "/admin/jabatan/999/lowongan/buka").status_code == 404
    assert post(setup.client, "/admin/akun/999/peran", {"roles": "asn"}).status_code == 404


# --- units ---------------------------------------------------------------------------------------


def test_create_and_edit_a_unit(setup: Setup) -> None:
    response = post(setup.client, "/admin/unit/baru", {"code": "D-KES", "name": "Dinas Kesehatan",
                                                       "parent_id": ""})
    assert response.status_code == 303
    unit = db.session.scalars(sa.select(OrgUnit).where(OrgUnit.code == "D-KES")).one()
    assert unit.parent_id is None
    assert "Dinas Kesehatan" in text(setup.client.get(response.headers["Location"]))
    response = post(setup.client, f"/admin/unit/{unit.id}", {"code": "D-KES", "name": "Dinas Kesehatan Provinsi",
                                                             "parent_id": str(setup.unit.id)})
    assert response.status_code == 303
    db.session.expire_all()
    assert (unit.name, unit.parent_id) == ("Dinas Kesehatan Provinsi", setup.unit.id)


@pytest.mark.parametrize(
    ("data", "field", "says"),
    [
        ({"code": "", "name": "X"}, "code", "Wajib diisi"),
        ({"code": "a b", "name": "X"}, "code", "Kode hanya berisi"),
        ({"code": "BKD", "name": "X"}, "code", "sudah dipakai"),
        ({"code": "NEW", "name": ""}, "name", "Wajib diisi"),
        ({"code": "NEW", "name": "X", "parent_id": "abc"}, "parent_id", "Pilih unit induk"),
        ({"code": "NEW", "name": "X", "parent_id": "999"}, "parent_id", "tidak ditemukan"),
    ],
)
def test_bad_unit_input_is_422_next_to_the_field_and_changes_nothing(
    setup: Setup, data: dict[str, str], field: str, says: str
) -> None:
    before = counts()
    response = post(setup.client, "/admin/unit/baru", data)
    assert response.status_code == 422
    assert says in field_error(text(response), field)
    assert counts() == before


def test_a_unit_cannot_become_its_own_ancestor(setup: Setup) -> None:
    child = OrgUnit(code="BKD-MUT", name="Bidang Mutasi", parent_id=setup.unit.id)
    db.session.add(child)
    db.session.commit()
    response = post(setup.client, f"/admin/unit/{setup.unit.id}", {"code": "BKD", "name": "BKD",
                                                                     "parent_id": str(child.id)})
    assert response.status_code == 422
    assert "induk" in field_error(text(response), "parent_id")
    db.session.expire_all()
    assert setup.unit.parent_id is None


def test_a_field_the_form_does_not_have_is_refused(setup: Setup) -> None:
    before = counts()
    response = post(setup.client, "/admin/unit/baru", {"code": "X", "name": "X", "is_admin": "1"})
    assert response.status_code == 422
    assert counts() == before


# --- positions -----------------------------------------------------------------------------------


POSITION = {"code": "BKD-ANALIS", "title": "Analis SDM Aparatur", "type": "fungsional", "min_golongan": "III/a",
            "min_education": "S1", "min_experience_years": "2"}


def test_create_a_position_with_standards_signs_position_create(setup: Setup) -> None:
    size = ledger.log_size(db.session)
    response = post(setup.client, "/admin/jabatan/baru",
                    {**POSITION, "unit_id": str(setup.unit.id), "integritas": "3", "teknis": "4", "kerjasama": ""})
    assert response.status_code == 303
    position = db.session.scalars(sa.select(Position).where(Position.code == "BKD-ANALIS")).one()
    assert response.headers["Location"].endswith(f"/admin/jabatan/{position.id}")
    assert {s.competency: s.level for s in position.standards} == {"integritas": 3, "teknis": 4}
    assert log_actions(size) == ["position.create"]
    page = text(setup.client.get(f"/admin/jabatan/{position.id}"))
    assert "Analis SDM Aparatur" in page and "Buka lowongan" in page


@pytest.mark.parametrize(
    ("change", "field", "says"),
    [
        ({"type": "raja"}, "type", "Pilih salah satu"),
        ({"type": ""}, "type", "Wajib diisi"),
        ({"min_golongan": "V/a"}, "min_golongan", "Pilih salah satu"),
        ({"min_experience_years": "dua"}, "min_experience_years", "Isi angka"),
        ({"min_experience_years": "99"}, "min_experience_years", "antara 0 dan 40"),
        ({"teknis": "7"}, "teknis", "Level harus 1 sampai 5"),
        ({"integritas": "x"}, "integritas", "Isi level 1 sampai 5"),
        ({"unit_id": "999"}, "unit_id", "tidak ditemukan"),
        ({"code": "BKD-KABID"}, "code", "sudah dipakai"),
    ],
)
def test_bad_position_input_is_422_next_to_the_field_and_changes_nothing(
    setup: Setup, change: dict[str, str], field: str, says: str
) -> None:
    before = counts()
    response = post(setup.client, "/admin/jabatan/baru", {**POSITION, "unit_id": str(setup.unit.id), **change})
    assert response.status_code == 422
    body = text(response)
    assert says in field_error(body, field), body
    assert 'value="Analis SDM Aparatur"' in body  # what was typed is kept
    assert counts() == before


def test_edit_requirements_logs_title_alone_does_not(setup: Setup) -> None:
    path = f"/admin/jabatan/{setup.position.id}"
    fields = {"code": "BKD-KABID", "title": "Kepala Bidang Mutasi dan Promosi", "type": "administrator",
              "unit_id": str(setup.unit.id), "min_golongan": "", "min_education": "", "min_experience_years": "0"}
    size = ledger.log_size(db.session)
    version = version_of(text(setup.client.get(path)), path)
    assert post(setup.client, path, {**fields, "version": version}).status_code == 303
    assert log_actions(size) == []
    version = version_of(text(setup.client.get(path)), path)
    assert post(setup.client, path, {**fields, "min_golongan": "III/d", "version": version}).status_code == 303
    assert log_actions(size) == ["position.update"]
    db.session.expire_all()
    assert (setup.position.title, setup.position.min_golongan) == ("Kepala Bidang Mutasi dan Promosi", "III/d")


def test_a_save_from_a_stale_page_is_refused(setup: Setup) -> None:
    path = f"/admin/jabatan/{setup.position.id}"
    stale = version_of(text(setup.client.get(path)), f"{path}/standar")
    assert post(setup.client, f"{path}/lowongan/buka", {"version": stale}).status_code == 303
    before = counts()
    response = post(setup.client, f"{path}/standar", {"integritas": "5", "version": stale})
    assert response.status_code == 409
    assert "diubah orang lain" in text(response)
    assert counts() == before


def test_standards_form(setup: Setup) -> None:
    path = f"/admin/jabatan/{setup.position.id}"
    version = version_of(text(setup.client.get(path)), f"{path}/standar")
    size = ledger.log_size(db.session)
    response = post(setup.client, f"{path}/standar", {"integritas": "4", "teknis": "3", "version": version})
    assert response.status_code == 303
    db.session.expire_all()
    assert {s.competency: s.level for s in setup.position.standards} == {"integritas": 4, "teknis": 3}
    assert log_actions(size) == ["position.update"]
    before = counts()
    version = version_of(text(setup.client.get(path)), f"{path}/standar")
    response = post(setup.client, f"{path}/standar", {"integritas": "9", "version": version})
    assert response.status_code == 422
    assert "Level harus 1 sampai 5" in field_error(text(response), "integritas")
    assert counts() == before


def test_open_and_close_a_vacancy(setup: Setup) -> None:
    path = f"/admin/jabatan/{setup.position.id}"
    size = ledger.log_size(db.session)
    version = version_of(text(setup.client.get(path)), f"{path}/lowongan/buka")
    assert post(setup.client, f"{path}/lowongan/buka", {"version": version}).status_code == 303
    db.session.expire_all()
    assert setup.position.is_vacant
    page = text(setup.client.get(path))
    assert "Tutup lowongan" in page
    assert post(setup.client, f"{path}/lowongan/tutup", {"version": version_of(page, f"{path}/lowongan/tutup")}
                ).status_code == 303
    assert log_actions(size) == ["vacancy.open", "vacancy.close"]
    response = post(setup.client, f"{path}/lowongan/tutup")  # a second click: already closed
    assert response.status_code == 409
    assert "tidak sedang lowong" in text(response)


def test_an_open_process_locks_the_position(setup: Setup) -> None:
    path = f"/admin/jabatan/{setup.position.id}"
    assert post(setup.client, f"{path}/lowongan/buka").status_code == 303
    db.session.expire_all()
    services.create_process(db.session, actor=setup.admin, position_id=setup.position.id, route="open", now=NOW)
    page = text(setup.client.get(path))
    assert "sedang dalam proses pengisian" in page and "Tutup lowongan" not in page
    before = counts()
    response = post(setup.client, f"{path}/lowongan/tutup")
    assert response.status_code == 409
    assert "sedang dalam proses pengisian" in text(response)
    response = post(setup.client, f"{path}/standar", {"teknis": "5"})
    assert response.status_code == 409
    assert counts() == before


def test_refusals_speak_english_too(setup: Setup) -> None:
    setup.client.set_cookie("jejak_lang", "en")
    response = post(setup.client, f"/admin/jabatan/{setup.position.id}/lowongan/tutup")
    assert response.status_code == 409
    assert "Position BKD-KABID is not vacant." in text(response)


def test_an_admin_without_a_key_gets_a_403_that_says_so(setup: Setup) -> None:
    services.revoke_user_key(db.session, actor=None, user_id=setup.admin.id, reason_text="test", now=NOW)
    before = counts()
    response = post(setup.client, f"/admin/jabatan/{setup.position.id}/lowongan/buka")
    assert response.status_code == 403
    assert "kunci tanda tangan" in text(response)
    assert counts() == before


# --- merit import --------------------------------------------------------------------------------


def upload(client: FlaskClient, name: str, content: bytes):  # type: ignore[no-untyped-def]
    import io

    return post(client, "/admin/impor", {"file": (io.BytesIO(content), name)}, content_type="multipart/form-data")


def test_import_then_the_same_file_again_changes_nothing(setup: Setup) -> None:
    content = (ASSETS / "valid.csv").read_bytes()
    first = upload(setup.client, "valid.csv", content)
    assert first.status_code == 200
    body = text(first)
    assert "Impor berhasil" in body
    assert re.search(r"Pegawai baru</th><td class=\"num\">3<", body)
    before = counts()
    again = text(upload(setup.client, "valid.csv", content))
    assert re.search(r"Pegawai baru</th><td class=\"num\">0<", again)
    assert re.search(r"Pegawai tidak berubah</th><td class=\"num\">3<", again)
    assert counts() == before
    assert "Andi Saputra" not in again  # the file's contents are not echoed back


def test_a_bad_row_imports_nothing_and_names_line_and_field(setup: Setup) -> None:
    before = counts()
    response = upload(setup.client, "bad_row.csv", (ASSETS / "bad_row.csv").read_bytes())
    assert response.status_code == 422
    body = text(response)
    assert "tidak ada yang diimpor" in body
    assert re.search(r">baris 3</td>\s*<td[^>]*>nipBaru</td>", body)
    assert re.search(r">baris 4</td>\s*<td[^>]*>komp_teknis</td>", body)
    assert "Andi Saputra" not in body and "Wirawan" not in body  # only the erroneous values
    assert counts() == before


def test_a_bad_json_record_is_reported_by_index(setup: Setup) -> None:
    before = counts()
    response = upload(setup.client, "bad_record.json", (ASSETS / "bad_record.json").read_bytes())
    assert response.status_code == 422
    assert "records[" in text(response)
    assert counts() == before


def test_a_long_report_is_grouped_and_capped(setup: Setup) -> None:
    header = (ASSETS / "valid.csv").read_text(encoding="utf-8").splitlines()[0]
    rows = "\n".join("x" * 5 for _ in range(1500))  # every row malformed
    response = upload(setup.client, "many.csv", f"{header}\n{rows}\n".encode())
    assert response.status_code == 422
    body = text(response)
    assert body.count('<details class="admin-details"') == admin_views.PROBLEMS_SHOWN // admin_views.PROBLEMS_PER_GROUP
    assert "hanya 1.000 masalah pertama" in body


@pytest.mark.parametrize(("name", "says"), [("data.xlsx", ".csv atau .json"), ("", "Pilih berkas")])
def test_upload_form_problems_are_next_to_the_file_field(setup: Setup, name: str, says: str) -> None:
    before = counts()
    response = upload(setup.client, name, b"a,b\n") if name else post(setup.client, "/admin/impor", {})
    assert response.status_code == 422
    assert says in field_error(text(response), "file")
    assert counts() == before


def test_an_upload_over_the_limit_is_413_with_a_page(setup: Setup) -> None:
    setup.app.config["ADMIN_IMPORT_MAX_BYTES"] = 1024
    before = counts()
    response = upload(setup.client, "big.csv", b"x" * 4096)
    assert response.status_code == 413
    assert "Berkas terlalu besar" in text(response)
    assert counts() == before


# --- accounts ------------------------------------------------------------------------------------


def test_create_an_account_enrols_its_key_and_shows_the_password_once(setup: Setup, new_client) -> None:  # type: ignore[no-untyped-def]
    size = ledger.log_size(db.session)
    response = post(setup.client, "/admin/akun/baru", {"username": "budi", "display_name": "Budi Santoso",
                                                       "roles": ["committee_member", "inspector"],
                                                       "affiliation": "Universitas Lampung"})
    assert response.status_code == 200
    body = text(response)
    password = re.search(r'<p class="admin-secret"><code>([^<]+)</code>', body).group(1)  # type: ignore[union-attr]
    assert len(password) >= 12
    user = db.session.scalars(sa.select(User).where(User.username == "budi")).one()
    assert sorted(str(r.role) for r in user.roles) == ["committee_member", "inspector"]
    assert log_actions(size) == ["key.enrol"]
    assert db.session.scalar(sa.select(SigningKey.status).where(SigningKey.user_id == user.id)) == KeyStatus.ACTIVE
    assert password not in text(setup.client.get(f"/admin/akun/{user.id}"))  # shown once, never again
    other = new_client()
    assert login(other, "budi", password).status_code == 303


def test_create_an_account_linked_by_nip_with_a_chosen_password(setup: Setup) -> None:
    response = post(setup.client, "/admin/akun/baru", {"username": "pegawai1", "display_name": "Pegawai Satu",
                                                       "roles": "asn", "nip": setup.employee.nip,
                                                       "password": "kalimat sandi yang cukup panjang"})
    assert response.status_code == 200
    assert "admin-secret" not in text(response)
    user = db.session.scalars(sa.select(User).where(User.username == "pegawai1")).one()
    assert user.employee_id == setup.employee.id


@pytest.mark.parametrize(
    ("data", "field", "says"),
    [
        ({"username": "siti"}, "username", "sudah dipakai"),
        ({"username": "Budi Santoso"}, "username", "huruf kecil"),
        ({"roles": []}, "roles", "minimal satu peran"),
        ({"roles": ["raja"]}, "roles", "Peran tidak dikenal"),
        ({"nip": "12345"}, "nip", "18 angka"),
        ({"nip": "199001012015011999"}, "nip", "Tidak ada pegawai"),
        ({"password": "pendek"}, "password", "minimal 12"),
    ],
)
def test_bad_account_input_is_422_next_to_the_field_and_changes_nothing(
    setup: Setup, data: dict[str, object], field: str, says: str
) -> None:
    before = counts()
    response = post(setup.client, "/admin/akun/baru", {"username": "budi", "display_name": "Budi",
                                                       "roles": ["asn"], **data})
    assert response.status_code == 422
    assert says in field_error(text(response), field)
    assert counts() == before


def test_a_nip_already_linked_is_refused(setup: Setup) -> None:
    post(setup.client, "/admin/akun/baru", {"username": "pegawai1", "display_name": "P", "roles": "asn",
                                            "nip": setup.employee.nip})
    before = counts()
    response = post(setup.client, "/admin/akun/baru", {"username": "pegawai2", "display_name": "P", "roles": "asn",
                                                       "nip": setup.employee.nip})
    assert response.status_code == 422
    assert "sudah terhubung ke akun pegawai1" in field_error(text(response), "nip")
    assert counts() == before


def test_change_roles_is_logged(setup: Setup) -> None:
    user = account("rina", Role.VERIFIER)
    path = f"/admin/akun/{user.id}"
    size = ledger.log_size(db.session)
    version = version_of(text(setup.client.get(path)), f"{path}/peran")
    response = post(setup.client, f"{path}/peran", {"roles": ["verifier", "inspector"], "version": version})
    assert response.status_code == 303
    db.session.expire_all()
    assert sorted(str(r.role) for r in user.roles) == ["inspector", "verifier"]
    assert log_actions(size) == ["account.roles"]
    response = post(setup.client, f"{path}/peran", {})
    assert response.status_code == 422
    assert "minimal satu peran" in field_error(text(response), "roles")


def test_an_admin_cannot_demote_or_deactivate_themself(setup: Setup) -> None:
    path = f"/admin/akun/{setup.admin.id}"
    page = text(setup.client.get(path))
    assert "Nonaktifkan akun" not in page and "Ini akun Anda sendiri" in page
    before = counts()
    response = post(setup.client, f"{path}/peran", {"roles": ["inspector"]})
    assert response.status_code == 409
    assert "mencabut peran admin dari akun Anda sendiri" in text(response)
    response = post(setup.client, f"{path}/nonaktifkan")
    assert response.status_code == 409
    assert "menonaktifkan akun Anda sendiri" in text(response)
    assert counts() == before
    db.session.expire_all()
    assert setup.admin.is_active and setup.admin.has_role(Role.ADMIN)


def test_deactivate_ends_the_session_and_reactivate(setup: Setup, new_client) -> None:  # type: ignore[no-untyped-def]
    user = account("dedi", Role.PPK)
    theirs = new_client()
    sign_in_directly(theirs, user)
    assert theirs.get("/beranda").status_code == 200
    path = f"/admin/akun/{user.id}"
    size = ledger.log_size(db.session)
    assert post(setup.client, f"{path}/nonaktifkan",
                {"version": version_of(text(setup.client.get(path)), f"{path}/nonaktifkan")}).status_code == 303
    assert theirs.get("/beranda").status_code == 302  # signed out on the next request
    assert "Aktifkan kembali" in text(setup.client.get(path))
    assert post(setup.client, f"{path}/aktifkan").status_code == 303
    assert log_actions(size) == ["account.deactivate", "account.reactivate"]


def test_revoke_a_key_with_a_listed_reason_then_enrol_a_new_one(setup: Setup) -> None:
    user = account("eka", Role.COMMITTEE_CHAIR)
    path = f"/admin/akun/{user.id}"
    before = counts()
    response = post(setup.client, f"{path}/kunci/cabut", {"reason": "Pak Eka menerima suap"})
    assert response.status_code == 422
    assert "Pilih salah satu alasan" in field_error(text(response), "reason")
    assert counts() == before
    size = ledger.log_size(db.session)
    assert post(setup.client, f"{path}/kunci/cabut", {"reason": "compromised"}).status_code == 303
    assert "Daftarkan kunci baru" in text(setup.client.get(path))
    assert post(setup.client, f"{path}/kunci/cabut", {"reason": "compromised"}).status_code == 409
    assert post(setup.client, f"{path}/kunci/baru").status_code == 303
    assert log_actions(size) == ["key.revoke", "key.enrol"]
    assert post(setup.client, f"{path}/kunci/baru").status_code == 409
