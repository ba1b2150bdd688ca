"""``/inspektur/temuan``: the same replay over the live log, for inspectors only."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.compliance.helpers import appointed, export, tamper_evidence
from tests.services.helpers import World
from tests.web.helpers import make_user, sign_in_directly
from workflow.models import Role


def test_inspector_sees_the_findings_and_others_do_not(world: World, client: FlaskClient) -> None:
    pid = appointed(world)
    tamper_evidence(world, world.pool()[1], golongan="IV/e")
    export(world)  # signs the checkpoint the page replays up to
    sign_in_directly(client, make_user("inspektur", Role.INSPECTOR))
    page = client.get("/inspektur/temuan")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "R8" in text and f"/inspektur/temuan/{pid}" in text
    one = client.get(f"/inspektur/temuan/{pid}")
    assert one.status_code == 200 and "R8" in one.get_data(as_text=True)
    assert client.get("/inspektur/temuan/999").status_code == 404


def test_non_inspector_is_refused(world: World, client: FlaskClient) -> None:
    sign_in_directly(client, make_user("panitia", Role.COMMITTEE_MEMBER))
    assert client.get("/inspektur/temuan").status_code in (302, 403)
