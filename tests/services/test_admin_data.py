"""Admin data services: units, positions, standards, vacancies, accounts — changes, statements, refusals."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import sqlalchemy as sa

from audit.entry import parse_leaf_unverified, parse_statement_unverified
from audit.verify import verify_bundle
from tests.services.helpers import World, at
from workflow import ledger
from workflow.keystore import get_keystore
from workflow.lifecycle import Stage
from workflow.models import CompetencyStandard, OrgUnit, Position, Role, User
from workflow.models.ledger import KeyStatus, LogLeaf, SigningKey
from workflow.services import NotPermittedError, RefusedError
from workflow.services import admin_data as ad


def statements(world: World, prefix: str) -> list[dict]:
    """The decoded log-level statements (process ``null``) whose action starts with ``prefix``, oldest first."""
    leaves = world.session.scalars(sa.select(LogLeaf.leaf).where(LogLeaf.process_key.is_(None)).order_by(LogLeaf.seq))
    out = []
    for leaf in leaves:
        entry = parse_leaf_unverified(bytes(leaf))
        st = parse_statement_unverified(entry.envelope.payload)
        assert st.process is None
        if st.action.startswith(prefix):
            out.append({"action": st.action, "from": st.from_state, "to": st.to_state, "actor": st.actor,
                        "data": dict(st.data), "basis": st.basis})
    return out


def state(world: World) -> tuple[object, ...]:
    """Everything these services write: log size, units, positions, standards, accounts, keys."""
    s = world.session
    s.expire_all()
    return (
        ledger.log_size(s),
        tuple(s.execute(sa.select(OrgUnit.id, OrgUnit.code, OrgUnit.name, OrgUnit.parent_id).order_by(OrgUnit.id))),
        tuple(s.execute(sa.select(Position.id, Position.code, Position.title, Position.type, Position.unit_id,
                                  Position.min_golongan, Position.is_vacant).order_by(Position.id))),
        tuple(s.execute(sa.select(CompetencyStandard.position_id, CompetencyStandard.competency,
                                  CompetencyStandard.level).order_by(CompetencyStandard.id))),
        tuple(s.execute(sa.select(User.id, User.username, User.is_active).order_by(User.id))),
        tuple((u.id, sorted(str(r.role) for r in u.roles)) for u in s.scalars(sa.select(User).order_by(User.id))),
        tuple(s.execute(sa.select(SigningKey.key_id, SigningKey.status).order_by(SigningKey.id))),
    )


def new_position(world: World, code: str = "BKD-ANALIS", **extra: object) -> Position:
    unit_id = world.session.scalar(sa.select(OrgUnit.id).where(OrgUnit.code == "BKD"))
    values = {"code": code, "title": "Analis SDM Aparatur", "type": "fungsional", "unit_id": unit_id,
              "min_golongan": "III/a", "min_education": "S1", "min_experience_years": 2, **extra}
    return ad.create_position(world.session, actor=world.admin, now=at(1), **values)  # type: ignore[arg-type]


# --- units ---------------------------------------------------------------------------------------


def test_units_create_and_edit_without_statements(world: World) -> None:
    size = ledger.log_size(world.session)
    parent = ad.create_unit(world.session, actor=world.admin, code="DISKES", name="Dinas Kesehatan",
                            parent_id=None, now=at(1))
    child = ad.create_unit(world.session, actor=world.admin, code="DISKES-YANKES", name="Bidang Yankes",
                           parent_id=parent.id, now=at(1))
    ad.update_unit(world.session, child.id, actor=world.admin, code="DISKES-YK", name="Bidang Pelayanan",
                   parent_id=parent.id, now=at(2))
    world.session.expire_all()
    assert (child.code, child.name, child.parent_id) == ("DISKES-YK", "Bidang Pelayanan", parent.id)
    assert ledger.log_size(world.session) == size


def test_unit_input_problems_name_the_field_and_change_nothing(world: World) -> None:
    top = ad.create_unit(world.session, actor=world.admin, code="A", name="A", parent_id=None, now=at(1))
    below = ad.create_unit(world.session, actor=world.admin, code="B", name="B", parent_id=top.id, now=at(1))
    before = state(world)
    with pytest.raises(ad.DataInputError) as taken:
        ad.create_unit(world.session, actor=world.admin, code="BKD", name="x", parent_id=None, now=at(2))
    assert list(taken.value.reasons) == ["code"] and taken.value.reasons["code"][0].code == "unit.code_taken"
    with pytest.raises(ad.DataInputError) as loop:
        ad.update_unit(world.session, top.id, actor=world.admin, code="A", name="A", parent_id=below.id, now=at(2))
    assert loop.value.reasons["parent_id"][0].code == "unit.parent_cycle"
    with pytest.raises(ad.DataInputError) as own:
        ad.update_unit(world.session, top.id, actor=world.admin, code="A", name="A", parent_id=top.id, now=at(2))
    assert own.value.reasons["parent_id"][0].code == "unit.parent_cycle"
    with pytest.raises(ad.DataInputError) as missing:
        ad.create_unit(world.session, actor=world.admin, code="C", name="C", parent_id=999, now=at(2))
    assert missing.value.reasons["parent_id"][0].code == "unit.parent_unknown"
    assert state(world) == before


def test_only_an_active_admin_changes_data(world: World) -> None:
    before = state(world)
    with pytest.raises(NotPermittedError):
        ad.create_unit(world.session, actor=world.chair, code="X", name="X", parent_id=None, now=at(1))
    with pytest.raises(NotPermittedError):
        ad.open_vacancy(world.session, world.other_position_id, actor=world.ppk, now=at(1))
    world.admin2.is_active = False
    world.session.commit()
    with pytest.raises(NotPermittedError) as inactive:
        ad.set_roles(world.session, world.chair.id, actor=world.admin2, roles=[Role.ASN], now=at(1))
    assert inactive.value.codes == ["account.inactive"]
    world.admin2.is_active = True
    world.session.commit()
    assert state(world) == before


# --- positions -----------------------------------------------------------------------------------


def test_create_position_signs_its_requirements_without_personal_data(world: World) -> None:
    position = new_position(world, standards={"integritas": 3, "teknis": 4})
    [st] = statements(world, "position.")
    assert st["action"] == "position.create"
    assert st["actor"].id == str(world.admin.id) and st["actor"].role == "admin"
    assert st["data"] == {
        "position": {"code": "BKD-ANALIS", "type": "fungsional", "min_golongan": "III/a", "min_education": "S1",
                     "min_experience_years": 2, "standards": {"integritas": 3, "teknis": 4}},
        "unit": "BKD",
        "vacant": False,
    }
    assert not position.is_vacant


def test_title_or_unit_changes_are_not_logged_requirements_are(world: World) -> None:
    position = new_position(world)
    common = {"code": "BKD-ANALIS", "type": "fungsional", "unit_id": position.unit_id, "min_golongan": "III/a",
              "min_education": "S1", "min_experience_years": 2}
    changed = ad.update_position(world.session, position.id, actor=world.admin, now=at(2),
                                 **{**common, "title": "Analis SDM Aparatur Ahli Muda"})
    assert changed == ["title"]
    assert len(statements(world, "position.")) == 1
    version = ad.position_version(world.session.get(Position, position.id))
    changed = ad.update_position(world.session, position.id, actor=world.admin, now=at(3), expected_version=version,
                                 **{**common, "title": "Analis", "min_golongan": "III/c", "min_experience_years": 4})
    assert changed == ["title", "min_golongan", "min_experience_years"]
    last = statements(world, "position.")[-1]
    assert last["action"] == "position.update"
    assert last["data"]["changed"] == ["min_golongan", "min_experience_years"]
    assert last["data"]["position"]["min_golongan"] == "III/c"
    assert last["data"]["previous"]["min_golongan"] == "III/a"
    assert ad.update_position(world.session, position.id, actor=world.admin, now=at(4),
                              **{**common, "title": "Analis", "min_golongan": "III/c", "min_experience_years": 4}) == []
    assert len(statements(world, "position.")) == 2


def test_a_stale_view_of_a_position_is_refused(world: World) -> None:
    position = new_position(world)
    stale = ad.position_version(position)
    ad.open_vacancy(world.session, position.id, actor=world.admin, now=at(2), expected_version=stale)
    before = state(world)
    with pytest.raises(ad.StaleViewError):
        ad.set_standards(world.session, position.id, actor=world.admin2, standards={"teknis": 5}, now=at(3),
                         expected_version=stale)
    assert state(world) == before


def test_standards_replace_and_log(world: World) -> None:
    position = new_position(world, standards={"integritas": 3, "kerjasama": 3})
    assert ad.set_standards(world.session, position.id, actor=world.admin, now=at(2),
                            standards={"integritas": 4, "teknis": 2}) is True
    world.session.expire_all()
    assert {s.competency: s.level for s in world.session.get(Position, position.id).standards} == {
        "integritas": 4, "teknis": 2}
    last = statements(world, "position.")[-1]
    assert last["data"]["changed"] == ["standards"]
    assert last["data"]["previous"]["standards"] == {"integritas": 3, "kerjasama": 3}
    assert last["data"]["position"]["standards"] == {"integritas": 4, "teknis": 2}
    size = ledger.log_size(world.session)
    assert ad.set_standards(world.session, position.id, actor=world.admin, now=at(3),
                            standards={"integritas": 4, "teknis": 2}) is False
    assert ledger.log_size(world.session) == size


@pytest.mark.parametrize("standards", [{"teknis": 6}, {"teknis": 0}, {"kejujuran": 3}])
def test_bad_standards_name_the_competency_and_change_nothing(world: World, standards: dict[str, int]) -> None:
    before = state(world)
    with pytest.raises(ad.DataInputError) as err:
        ad.set_standards(world.session, world.position_id, actor=world.admin, standards=standards, now=at(2))
    assert list(err.value.reasons) == list(standards)
    assert state(world) == before


def test_vacancy_open_and_close(world: World) -> None:
    position = new_position(world)
    ad.open_vacancy(world.session, position.id, actor=world.admin, now=at(2))
    world.session.expire_all()
    assert position.is_vacant and position.vacant_since == at(2).date()
    with pytest.raises(RefusedError) as again:
        ad.open_vacancy(world.session, position.id, actor=world.admin, now=at(3))
    assert again.value.codes == ["vacancy.already_open"]
    ad.close_vacancy(world.session, position.id, actor=world.admin, now=at(4))
    opened, closed = statements(world, "vacancy.")
    assert (opened["action"], opened["from"], opened["to"]) == ("vacancy.open", "closed", "open")
    assert opened["data"]["vacant_since"] == at(2).date().isoformat()
    assert (closed["action"], closed["data"]) == ("vacancy.close", {"position": "BKD-ANALIS"})
    with pytest.raises(RefusedError) as shut:
        ad.close_vacancy(world.session, position.id, actor=world.admin, now=at(5))
    assert shut.value.codes == ["vacancy.already_closed"]


def test_an_open_process_locks_requirements_and_vacancy(world: World) -> None:
    world.advance(Stage.DRAFT)
    pos = world.session.get(Position, world.position_id)
    before = state(world)
    common = {"code": pos.code, "title": pos.title, "type": str(pos.type), "unit_id": pos.unit_id,
              "min_golongan": None, "min_education": None, "min_experience_years": 0}
    with pytest.raises(RefusedError) as req:
        ad.update_position(world.session, pos.id, actor=world.admin, now=at(5),
                           **{**common, "min_golongan": "IV/b"})
    assert req.value.codes == ["position.locked"]
    with pytest.raises(RefusedError):
        ad.set_standards(world.session, pos.id, actor=world.admin, standards={"teknis": 5}, now=at(5))
    with pytest.raises(RefusedError):
        ad.close_vacancy(world.session, pos.id, actor=world.admin, now=at(5))
    assert state(world) == before
    # The title is not a requirement: it may still be corrected.
    assert ad.update_position(world.session, pos.id, actor=world.admin, now=at(5),
                              **{**common, "title": "Kepala Bidang Mutasi"}) == ["title"]


def test_an_admin_without_a_signing_key_changes_nothing(world: World) -> None:
    get_keystore().revoke_user_key(world.session, world.admin2.id, at(1), reason="test")
    world.session.commit()
    before = state(world)
    with pytest.raises(NotPermittedError) as err:
        ad.close_vacancy(world.session, world.other_position_id, actor=world.admin2, now=at(2))
    assert err.value.codes == ["key.missing"]
    assert state(world) == before


# --- accounts ------------------------------------------------------------------------------------


def test_create_account_links_an_employee_and_enrols_a_key(world: World) -> None:
    size = ledger.log_size(world.session)
    emp = world.employees[3]
    user = ad.create_account(world.session, actor=world.admin, username="pegawai3", display_name="Pegawai Tiga",
                             password_hash="x", roles=[Role.ASN], now=at(1), nip=emp.nip, affiliation="internal")
    assert user.employee_id == emp.id
    assert ledger.log_size(world.session) == size + 1
    [leaf] = ledger.read_leaves(world.session, size, size + 1)
    payload = parse_leaf_unverified(leaf).envelope.payload
    assert json.loads(payload)["action"] == "key.enrol"
    assert emp.nip.encode() not in leaf and emp.name.encode() not in leaf


def test_create_account_problems_name_the_field_and_change_nothing(world: World) -> None:
    before = state(world)
    with pytest.raises(ad.DataInputError) as err:
        ad.create_account(world.session, actor=world.admin, username="ketua", display_name="X", password_hash="x",
                          roles=[Role.ASN], now=at(1), nip="199001012015011999")
    assert {k: [r.code for r in v] for k, v in err.value.reasons.items()} == {
        "username": ["account.username_taken"], "nip": ["account.employee_unknown"]}
    with pytest.raises(ad.DataInputError) as linked:
        ad.create_account(world.session, actor=world.admin, username="baru", display_name="X", password_hash="x",
                          roles=[Role.ASN], now=at(1), nip=world.employees[0].nip)
    assert linked.value.reasons["nip"][0].code == "account.employee_linked"
    assert state(world) == before


def test_role_change_is_signed_and_self_demotion_refused(world: World) -> None:
    assert ad.set_roles(world.session, world.verifier.id, actor=world.admin, roles=[Role.VERIFIER, Role.INSPECTOR],
                        now=at(1)) is True
    world.session.expire_all()
    assert sorted(str(r.role) for r in world.verifier.roles) == ["inspector", "verifier"]
    [st] = statements(world, "account.")
    assert st["action"] == "account.roles"
    assert st["data"] == {"account": str(world.verifier.id), "roles": ["verifier", "inspector"],
                          "previous": ["verifier"]}
    assert ad.set_roles(world.session, world.verifier.id, actor=world.admin,
                        roles=[Role.INSPECTOR, Role.VERIFIER], now=at(2)) is False
    before = state(world)
    with pytest.raises(RefusedError) as own:
        ad.set_roles(world.session, world.admin.id, actor=world.admin, roles=[Role.INSPECTOR], now=at(3))
    assert own.value.codes == ["account.self_demotion"]
    assert state(world) == before
    # Another admin may do it; and an admin may add roles to themself.
    assert ad.set_roles(world.session, world.admin.id, actor=world.admin, roles=[Role.ADMIN, Role.INSPECTOR],
                        now=at(4))
    assert ad.set_roles(world.session, world.admin2.id, actor=world.admin, roles=[Role.INSPECTOR], now=at(5))


def test_deactivation_and_reactivation(world: World) -> None:
    ad.set_active(world.session, world.chair.id, actor=world.admin, active=False, now=at(1))
    world.session.expire_all()
    assert world.chair.is_active is False
    with pytest.raises(RefusedError) as again:
        ad.set_active(world.session, world.chair.id, actor=world.admin, active=False, now=at(2))
    assert again.value.codes == ["account.already"]
    ad.set_active(world.session, world.chair.id, actor=world.admin, active=True, now=at(3))
    actions = [(s["action"], s["from"], s["to"]) for s in statements(world, "account.")]
    assert actions == [("account.deactivate", "active", "inactive"), ("account.reactivate", "inactive", "active")]
    before = state(world)
    with pytest.raises(RefusedError) as own:
        ad.set_active(world.session, world.admin.id, actor=world.admin, active=False, now=at(4))
    assert own.value.codes == ["account.self_deactivation"]
    assert state(world) == before


def test_revoke_and_enrol_a_key(world: World) -> None:
    with pytest.raises(ad.DataInputError):
        ad.revoke_key(world.session, world.ppk2.id, actor=world.admin, reason_code="Pak Budi korupsi", now=at(1))
    row = ad.revoke_key(world.session, world.ppk2.id, actor=world.admin, reason_code="device_lost", now=at(1))
    assert row.status == KeyStatus.REVOKED
    with pytest.raises(RefusedError) as none:
        ad.revoke_key(world.session, world.ppk2.id, actor=world.admin, reason_code="device_lost", now=at(2))
    assert none.value.codes == ["key.none_active"]
    fresh = ad.enrol_key(world.session, world.ppk2.id, actor=world.admin, now=at(3))
    assert fresh.status == KeyStatus.ACTIVE and fresh.key_id != row.key_id
    with pytest.raises(RefusedError) as twice:
        ad.enrol_key(world.session, world.ppk2.id, actor=world.admin, now=at(4))
    assert twice.value.codes == ["key.already_active"]
    with pytest.raises(NotPermittedError):
        ad.revoke_key(world.session, world.ppk2.id, actor=world.chair, reason_code="other", now=at(5))


def test_the_log_with_admin_statements_verifies(world: World) -> None:
    position = new_position(world, standards={"integritas": 3})
    ad.open_vacancy(world.session, position.id, actor=world.admin, now=at(2))
    ad.set_standards(world.session, position.id, actor=world.admin2, standards={"integritas": 4}, now=at(3))
    ad.set_roles(world.session, world.chair.id, actor=world.admin, roles=[Role.COMMITTEE_CHAIR, Role.ASN],
                 now=at(4))
    ad.set_active(world.session, world.chair.id, actor=world.admin, active=False, now=at(5))
    ad.revoke_key(world.session, world.members[0].id, actor=world.admin, reason_code="left_agency", now=at(6))
    ledger.checkpoint(world.session, get_keystore().log_signer(), at(7) + dt.timedelta(seconds=5))
    world.session.commit()
    bundle = ledger.export_bundle(world.session)
    report = verify_bundle(bundle)
    assert report.ok, report.problems
    for emp in world.employees:
        assert emp.nip.encode() not in bundle and emp.name.encode() not in bundle
