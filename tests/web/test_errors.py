"""Errors: pages for browsers, the JSON shape for API clients, and never a 500 on bad input."""

from __future__ import annotations

import pytest
from flask import Blueprint, Flask, jsonify
from flask.testing import FlaskClient
from flask_login import login_required
from marshmallow import Schema, fields

from tests.web.helpers import make_user, sign_in_directly
from workflow.errors import ConflictError, InvalidInputError, NotFoundError
from workflow.models import Role
from workflow.security import role_required

SHAPE = {"code", "status", "message", "errors"}


class _Body(Schema):
    n = fields.Integer(required=True)


@pytest.fixture
def probe(app: Flask) -> Flask:
    """Routes that raise each kind of error, registered before the first request."""
    bp = Blueprint("probe", __name__)

    @bp.get("/probe/conflict")
    def conflict():  # type: ignore[no-untyped-def]
        raise ConflictError("Proses sudah di tahap shortlisted.")

    @bp.get("/probe/invalid")
    def invalid():  # type: ignore[no-untyped-def]
        raise InvalidInputError("Baris 3 tidak valid.", {"line 3: nip": ["NIP harus 18 digit."]})

    @bp.get("/probe/missing")
    def missing():  # type: ignore[no-untyped-def]
        raise NotFoundError("Tidak ada proses 7.")

    @bp.get("/probe/schema")
    def schema():  # type: ignore[no-untyped-def]
        return jsonify(_Body().load({"n": "bukan angka"}))

    @bp.get("/probe/ppk-only")
    @role_required(Role.PPK)
    def ppk_only():  # type: ignore[no-untyped-def]
        return "ok"

    @bp.get("/api/v1/probe/private")
    @login_required
    def api_private():  # type: ignore[no-untyped-def]
        return jsonify(ok=True)

    @bp.get("/api/v1/probe/ppk-only")
    @role_required(Role.PPK)
    def api_ppk_only():  # type: ignore[no-untyped-def]
        return jsonify(ok=True)

    app.register_blueprint(bp)
    return app


def test_404_page_for_browsers_json_for_api(client: FlaskClient) -> None:
    page = client.get("/tidak-ada")
    assert page.status_code == 404 and page.mimetype == "text/html"
    assert "Halaman tidak ditemukan" in page.get_data(as_text=True)

    api = client.get("/api/v1/tidak-ada")
    assert api.status_code == 404
    assert set(api.get_json()) == SHAPE
    assert api.get_json()["status"] == 404

    asked = client.get("/tidak-ada", headers={"Accept": "application/json"})
    assert asked.get_json()["code"] == "Not Found"


def test_405_explains_itself_and_keeps_allow(client: FlaskClient) -> None:
    response = client.get("/keluar")
    assert response.status_code == 405
    assert "POST" in response.headers["Allow"]
    assert "tombol Keluar" in response.get_data(as_text=True)


def test_domain_conflict_is_409_page_with_the_reason(probe: Flask, client: FlaskClient) -> None:
    response = client.get("/probe/conflict")
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Tindakan tidak bisa dijalankan sekarang" in page
    assert "Proses sudah di tahap shortlisted." in page


def test_domain_errors_keep_the_json_shape(probe: Flask, client: FlaskClient) -> None:
    body = client.get("/probe/invalid", headers={"Accept": "application/json"}).get_json()
    assert body == {
        "code": "InvalidInputError",
        "status": 422,
        "message": "Baris 3 tidak valid.",
        "errors": {"line 3: nip": ["NIP harus 18 digit."]},
    }
    assert client.get("/probe/missing", headers={"Accept": "application/json"}).get_json()["code"] == "NotFoundError"


def test_invalid_input_page_lists_each_problem(probe: Flask, client: FlaskClient) -> None:
    response = client.get("/probe/invalid")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "line 3: nip" in page and "NIP harus 18 digit." in page


def test_marshmallow_validation_error_is_422(probe: Flask, client: FlaskClient) -> None:
    response = client.get("/probe/schema", headers={"Accept": "application/json"})
    assert response.status_code == 422
    assert "n" in response.get_json()["errors"]
    assert client.get("/probe/schema").status_code == 422


def test_role_required_403_for_the_wrong_role_and_login_for_anonymous(probe: Flask, client: FlaskClient) -> None:
    assert client.get("/probe/ppk-only").status_code == 302
    sign_in_directly(client, make_user("bukan-ppk", Role.ADMIN))
    response = client.get("/probe/ppk-only")
    assert response.status_code == 403
    assert "Akses ditolak" in response.get_data(as_text=True)
    assert client.get("/api/v1/probe/ppk-only").get_json()["status"] == 403


def test_anonymous_api_request_is_401_json(probe: Flask, client: FlaskClient) -> None:
    for path in ("/api/v1/probe/private", "/api/v1/probe/ppk-only"):
        response = client.get(path)
        assert response.status_code == 401
        assert set(response.get_json()) == SHAPE


def test_role_required_needs_a_role() -> None:
    with pytest.raises(ValueError, match="at least one role"):
        role_required()


def test_500_page_hides_the_exception(app: Flask) -> None:
    bp = Blueprint("boom", __name__)

    @bp.get("/probe/boom")
    def boom():  # type: ignore[no-untyped-def]
        raise RuntimeError("secret detail")

    app.register_blueprint(bp)
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: the handler answers
    response = app.test_client().get("/probe/boom")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "Terjadi kesalahan di server" in page
    assert "secret detail" not in page and "RuntimeError" not in page
