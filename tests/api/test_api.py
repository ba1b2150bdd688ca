"""The API's contract: one error shape, strict bodies, pagination, visibility per role, the document."""

from __future__ import annotations

import io
import json
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from tests.api.helpers import TokenSet, issue
from tests.services.helpers import World, at
from workflow import services
from workflow.extensions import db
from workflow.headers import CONTENT_SECURITY_POLICY
from workflow.lifecycle import Seat, Stage

Call = Callable[..., Any]
SHAPE = {"code", "status", "message", "errors"}
ASSETS = Path(__file__).resolve().parent.parent / "assets" / "merit"


def test_errors_have_one_shape_everywhere(world: World, tokens: TokenSet, call: Call) -> None:
    world.advance(Stage.DRAFT)
    pid = world.process_id
    cases = [
        (call("GET", "/api/v1/processes/999", tokens.admin), 404, "NotFoundError"),
        (call("GET", "/api/v1/tidak-ada", tokens.admin), 404, "Not Found"),
        (call("GET", "/api/v1/processes/99999999999999999999", tokens.admin), 404, "Not Found"),
        (call("PUT", f"/api/v1/processes/{pid}", tokens.admin), 405, "Method Not Allowed"),
        (call("POST", f"/api/v1/processes/{pid}/cancel", tokens.admin, json={"reason": "x", "extra": 1}),
         422, "ValidationError"),
        (call("POST", f"/api/v1/processes/{pid}/cancel", tokens.admin, data="{", content_type="application/json"),
         400, "Bad Request"),
        (call("POST", f"/api/v1/processes/{pid}/shortlist", tokens.admin, json={}), 409, "RefusedError"),
        (call("POST", f"/api/v1/processes/{pid}/appoint", tokens.admin, json={}), 422, "ValidationError"),
        (call("POST", f"/api/v1/processes/{pid}/form-committee", tokens.admin,
              json={"expected_basis": "0" * 64}), 409, "StaleBasisError"),
        (call("GET", "/api/v1/positions?page_size=1000", tokens.admin), 422, "ValidationError"),
        (call("GET", "/api/v1/positions?vacant=perhaps", tokens.admin), 422, "ValidationError"),
        (call("GET", "/api/v1/users", tokens.asn), 403, "NotPermittedError"),
        (call("GET", "/api/v1/users"), 401, "Unauthorized"),
    ]
    for response, status, code in cases:
        body = response.get_json()
        assert response.status_code == status, (status, body)
        assert set(body) == SHAPE and body["status"] == status and body["code"] == code, body
        for fields in body["errors"].values():
            assert isinstance(fields, dict), body
            assert all(isinstance(m, list) and all(isinstance(t, str) for t in m) for m in fields.values()), body
    unknown = cases[4][0].get_json()
    assert unknown["errors"] == {"json": {"extra": ["Unknown field."]}}
    refused = cases[6][0].get_json()
    assert list(refused["errors"]["reasons"]) == ["stage.illegal_event"]


def test_lists_paginate_with_a_stable_order(world: World, tokens: TokenSet, call: Call) -> None:
    world.advance(Stage.ANNOUNCED)
    first = call("GET", f"/api/v1/processes/{world.process_id}/timeline?page_size=5", tokens.inspector)
    meta = json.loads(first.headers["X-Pagination"])
    assert meta["page"] == 1 and meta["next_page"] == 2 and meta["total"] > 5
    seqs = []
    for page in range(1, meta["total_pages"] + 1):
        got = call("GET", f"/api/v1/processes/{world.process_id}/timeline?page_size=5&page={page}", tokens.inspector)
        seqs += [e["seq"] for e in got.get_json()]
    assert seqs == sorted(seqs) and len(seqs) == meta["total"]
    statements = [e["statement"] for e in call(
        "GET", f"/api/v1/processes/{world.process_id}/timeline?page_size=100", tokens.asn).get_json()]
    assert statements[0]["action"] == "process.create" and statements[0]["from"] is None
    assert statements[-1]["action"] == "process.announce"
    beyond = call("GET", f"/api/v1/processes/{world.process_id}/timeline?page=99", tokens.asn)
    assert beyond.status_code == 200 and beyond.get_json() == []
    vacant = call("GET", "/api/v1/positions?vacant=true&q=kabid", tokens.asn).get_json()
    assert [p["code"] for p in vacant] == ["BKD-KABID"]


def test_candidates_as_each_role_may_see_them(world: World, tokens: TokenSet, call: Call) -> None:
    world.create()
    world.seat_all()
    late = world.members[1]
    for user in world.committee:
        if user is not late:
            services.sign_pledge(db.session, world.process_id, actor=user, now=at(2))
    path = f"/api/v1/processes/{world.process_id}/candidates"
    assert call("GET", path, issue(late)).status_code == 403  # seated, not yet declared
    services.sign_pledge(db.session, world.process_id, actor=late, now=at(2))
    services.form_committee(db.session, world.process_id, actor=world.admin, now=at(3))
    services.nominate_pool(db.session, world.process_id, actor=world.admin, now=at(4))
    every = call("GET", path, issue(late)).get_json()
    assert len(every) > 1 and all(c["name"] for c in every)
    assert [c["merit_rank"] for c in every if c["merit_rank"]] == sorted(c["merit_rank"] for c in every
                                                                         if c["merit_rank"])
    for token in (tokens.verifier, tokens.inspector, tokens.ppk, tokens.admin):
        assert len(call("GET", path, token).get_json()) == len(every)
    own = call("GET", path, tokens.asn).get_json()
    assert [c["nip"] for c in own] == [world.employees[0].nip]
    outsider = services.create_user(db.session, actor=None, username="anggota9", display_name="Anggota9",
                                    password_hash="x", roles=["committee_member"], now=at(0))
    assert call("GET", path, issue(outsider)).status_code == 403  # not seated on this process


def test_an_asn_reads_their_own_explanation(world: World, tokens: TokenSet, call: Call) -> None:
    world.advance(Stage.ANNOUNCED)
    items = call("GET", "/api/v1/me/explanations?lang=en", tokens.asn).get_json()
    assert len(items) == 1
    item = items[0]
    own = db.session.get(type(world.employees[0]), world.employees[0].id)
    assert item["process_id"] == world.process_id and item["explanation"]["rank"] == 1
    assert item["explanation"]["lang"] == "en" and item["explanation"]["rules"]
    assert own is not None and own.nip not in json.dumps(item)  # pseudonym and values, no identity
    assert call("GET", "/api/v1/me/explanations", tokens.ppk).status_code == 403


def test_a_member_votes_through_the_api(world: World, tokens: TokenSet, call: Call) -> None:
    world.advance(Stage.SHORTLISTED)
    voters = {u.id: issue(u) for u in world.committee}
    ballots = {}
    for user in world.committee:
        seat = call("GET", f"/api/v1/processes/{world.process_id}/committee/me", voters[user.id]).get_json()
        scores = {p: 10 - i for i, p in enumerate(seat["shortlist"])}
        nonce = secrets.token_hex(16)
        digest = services.ballot_commitment(db.session, world.process_id, member=user, scores=scores,
                                            reason_text="merit", nonce=nonce)
        assert seat["person"] == services.member_person(db.session, world.process_id, user)
        response = call("POST", f"/api/v1/processes/{world.process_id}/votes/commit", voters[user.id],
                        json={"commitment": digest})
        assert response.status_code == 200, response.get_json()
        ballots[user.id] = (scores, nonce)
    for user in world.committee:
        scores, nonce = ballots[user.id]
        response = call("POST", f"/api/v1/processes/{world.process_id}/votes/reveal", voters[user.id],
                        json={"scores": scores, "reason": "merit", "nonce": nonce})
        assert response.status_code == 200, response.get_json()
    closed = call("POST", f"/api/v1/processes/{world.process_id}/close-review", voters[world.chair.id], json={})
    assert closed.status_code == 200 and closed.get_json()["status"] == "committee_reviewed"
    assert call("POST", f"/api/v1/processes/{world.process_id}/announce", tokens.chair, json={}).status_code == 403


def test_the_chair_opens_the_reveals_through_the_api(world: World, tokens: TokenSet, call: Call) -> None:
    world.advance(Stage.SHORTLISTED)
    pid = world.process_id
    voters = [world.chair, *world.members[:2]]
    token = {u.id: issue(u) for u in world.committee}
    ballots = {}
    for n, user in enumerate(voters, start=1):
        scores = {p: 10 - i for i, p in enumerate(world.ranking())}
        nonce = secrets.token_hex(16)
        digest = services.ballot_commitment(db.session, pid, member=user, scores=scores, reason_text="merit",
                                            nonce=nonce)
        assert call("POST", f"/api/v1/processes/{pid}/votes/commit", token[user.id],
                    json={"commitment": digest}).status_code == 200
        ballots[user.id] = (scores, nonce)
        early = call("POST", f"/api/v1/processes/{pid}/votes/reveal", token[user.id],
                     json={"scores": scores, "reason": "merit", "nonce": nonce})
        assert early.status_code == 409
        assert "votes.reveal_not_open" in early.get_json()["errors"]["reasons"]
        seat = call("GET", f"/api/v1/processes/{pid}/committee/me", token[user.id]).get_json()
        assert seat["reveal_open"] is False and seat["reveal_opened_at"] is None
        if n < 3:  # below the quorum of commitments
            body = call("POST", f"/api/v1/processes/{pid}/votes/open-reveal", token[world.chair.id], json={})
            assert body.status_code == 409, body.get_json()
            assert list(body.get_json()["errors"]["reasons"]) == ["votes.open_reveal_too_few"]
    member = call("POST", f"/api/v1/processes/{pid}/votes/open-reveal", token[world.members[0].id], json={})
    assert member.status_code == 403
    opened = call("POST", f"/api/v1/processes/{pid}/votes/open-reveal", token[world.chair.id], json={})
    assert opened.status_code == 200, opened.get_json()
    seat = call("GET", f"/api/v1/processes/{pid}/committee/me", token[world.members[2].id]).get_json()
    assert seat["reveal_open"] is True and seat["reveal_opened_at"] is not None
    late = call("POST", f"/api/v1/processes/{pid}/votes/commit", token[world.members[2].id],
                json={"commitment": "d" * 64})
    assert late.status_code == 409
    assert list(late.get_json()["errors"]["reasons"]) == ["votes.commits_closed"]
    for user in voters:
        scores, nonce = ballots[user.id]
        assert call("POST", f"/api/v1/processes/{pid}/votes/reveal", token[user.id],
                    json={"scores": scores, "reason": "merit", "nonce": nonce}).status_code == 200
    closed = call("POST", f"/api/v1/processes/{pid}/close-review", token[world.chair.id], json={})
    assert closed.status_code == 200 and closed.get_json()["status"] == "committee_reviewed"


def test_admin_imports_merit_data(world: World, tokens: TokenSet, call: Call) -> None:
    good = (ASSETS / "valid.csv").read_bytes()
    response = call("POST", "/api/v1/merit/imports", tokens.admin,
                    data={"file": (io.BytesIO(good), "valid.csv")}, content_type="multipart/form-data")
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["records"] > 0
    bad = (ASSETS / "bad_row.csv").read_bytes()
    refused = call("POST", "/api/v1/merit/imports", tokens.admin,
                   data={"file": (io.BytesIO(bad), "bad_row.csv")}, content_type="multipart/form-data")
    assert refused.status_code == 422 and refused.get_json()["errors"]["files"]
    odd = call("POST", "/api/v1/merit/imports", tokens.admin,
               data={"file": (io.BytesIO(b"x"), "data.xlsx")}, content_type="multipart/form-data")
    assert odd.status_code == 422
    assert call("POST", "/api/v1/merit/imports", tokens.verifier,
                data={"file": (io.BytesIO(good), "valid.csv")}, content_type="multipart/form-data").status_code == 403


def test_admin_manages_accounts_and_keys(world: World, tokens: TokenSet, call: Call) -> None:
    made = call("POST", "/api/v1/users", tokens.admin, json={
        "username": "anggota5", "display_name": "Anggota Lima", "roles": ["committee_member"],
        "password": "kata sandi yang panjang", "affiliation": "Unila"})
    assert made.status_code == 201, made.get_json()
    uid = made.get_json()["id"]
    assert "password" not in made.get_json()
    assert call("POST", "/api/v1/users", tokens.admin, json={
        "username": "anggota5", "display_name": "x", "roles": ["asn"], "password": "kata sandi yang panjang",
    }).status_code == 409
    keys = call("GET", f"/api/v1/users/{uid}/keys", tokens.admin).get_json()
    assert [k["status"] for k in keys] == ["active"]
    revoked = call("POST", f"/api/v1/users/{uid}/keys/revoke", tokens.admin, json={"reason": "left"})
    assert revoked.status_code == 200 and revoked.get_json()["status"] == "revoked"
    assert call("POST", f"/api/v1/users/{uid}/keys/revoke", tokens.admin, json={"reason": "x"}).status_code == 404
    again = call("POST", f"/api/v1/users/{uid}/keys", tokens.admin)
    assert again.status_code == 200 and again.get_json()["status"] == "active"
    assert call("GET", "/api/v1/keys?status=revoked", tokens.inspector).get_json()[0]["user_id"] == uid


def test_the_document_covers_every_api_route(app: Flask, client: FlaskClient) -> None:
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    assert set(spec["components"]["securitySchemes"]) == {"bearerAuth", "sessionCookie", "csrfToken"}
    documented = {(path, method.upper()) for path, ops in spec["paths"].items() for method in ops
                  if method != "parameters"}
    served = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.endpoint.startswith(("api-docs.", "api_ui.")):
            continue
        path = rule.rule
        for name in rule.arguments:
            path = path.replace(f"<id:{name}>", f"{{{name}}}").replace(f"<{name}>", f"{{{name}}}")
        served |= {(path, m) for m in (rule.methods or ()) if m not in ("HEAD", "OPTIONS")}
    assert served <= documented, served - documented
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            if method == "parameters":
                continue
            assert "default" in op["responses"] or path.startswith(("/log/", "/api/v1/log/")), (path, method)
    error = spec["components"]["schemas"]["Error"]
    assert set(error["required"]) == SHAPE


def test_the_docs_page_uses_local_assets_under_the_csp(client: FlaskClient) -> None:
    page = client.get("/api/v1/docs")
    html = page.get_data(as_text=True)
    assert page.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "<script>" not in html and "style=" not in html and "http" not in html
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css", "init.js"):
        assert f"/static/api-docs/{asset}" in html
        fetched = client.get(f"/static/api-docs/{asset}")
        assert fetched.status_code == 200
        fetched.close()


def test_seat_unknown_account_is_404_not_500(world: World, tokens: TokenSet, call: Call) -> None:
    world.create()
    response = call("POST", f"/api/v1/processes/{world.process_id}/committee/seats", tokens.admin,
                    json={"user_id": 4242, "seat": str(Seat.MEMBER)})
    assert response.status_code == 404 and set(response.get_json()) == SHAPE
