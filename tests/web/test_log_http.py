"""The public log API (workflow/views/log.py): a client that trusts only the served key and signed
checkpoint can rebuild and check everything else from the served tiles, bundles and proofs."""

from __future__ import annotations

import base64
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from audit import merkle, tiles
from audit.keys import Signer
from audit.note import Ed25519Verifier, VerifiedCheckpoint, open_checkpoint
from tests.conftest import make_app
from tests.workflow.test_ledger import T0, enrolled_user, statement
from workflow import keystore, ledger
from workflow.extensions import db
from workflow.headers import SECURITY_HEADERS
from workflow.models import User

SIZE = 300  # > 256: a full and a partial level-0 tile, and a level-1 tile


AUTHOR = "ayu"


def author() -> tuple[int, Signer]:
    """The account that writes the test entries (created, with an enrolled key, on first use)."""
    user_id = db.session.scalar(sa.select(User.id).where(User.username == AUTHOR))
    if user_id is None:
        return enrolled_user(AUTHOR)
    return user_id, keystore.get_keystore().user_signer(db.session, user_id)


def grow(count: int) -> None:
    """Append ``count`` entries (committed, not yet covered by a checkpoint)."""
    user_id, signer = author()
    for i in range(count):
        ledger.append(db.session, statement(signer, user_id, 1 + i % 7, i), now=T0)
    db.session.commit()


def sign() -> None:
    ledger.checkpoint(db.session, keystore.get_keystore().log_signer(), T0)
    db.session.commit()


def populate(size: int) -> None:
    """Grow the log to ``size`` entries (key enrolments included) and sign a checkpoint of it."""
    author()
    grow(size - ledger.log_size(db.session))
    sign()


@pytest.fixture(scope="module")
def log_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A signed 300-entry log, built once per module (appends cost ~10 ms each): a database file
    and the key directory whose keys signed it."""
    root = tmp_path_factory.mktemp("log")
    application = make_app(f"sqlite:///{root / 'log.sqlite3'}", KEY_DIR=str(root / "keys"))
    with application.app_context():
        db.create_all()
        populate(SIZE)
        db.session.remove()
        db.engine.dispose()
    return root


@pytest.fixture
def log_app(app: Flask, log_template: Path) -> Flask:
    """``app`` with a copy of the template log: its in-memory database restored, its keys copied."""
    shutil.copytree(log_template / "keys", app.config["KEY_DIR"])
    source = sqlite3.connect(log_template / "log.sqlite3")
    target = db.engine.raw_connection()
    try:
        source.backup(target.driver_connection)
    finally:
        source.close()
        target.close()
    return app


def get_ok(client: FlaskClient, path: str, **kwargs: Any) -> bytes:
    response = client.get(path, **kwargs)
    assert response.status_code == 200, (path, response.status_code, response.get_data(as_text=True)[:200])
    return response.get_data()


def served_checkpoint(client: FlaskClient) -> VerifiedCheckpoint:
    """The served checkpoint, verified with the served key (a first-contact client's view)."""
    vkey = get_ok(client, "/log/key").decode().strip()
    return open_checkpoint(get_ok(client, "/log/checkpoint"), Ed25519Verifier.from_vkey(vkey))


def served_reader(client: FlaskClient, size: int) -> tiles.TileHashReader:
    return tiles.TileHashReader({t: get_ok(client, f"/log/{t.path}") for t in tiles.tiles_for_size(size)})


def b64decode_all(items: list[str]) -> list[bytes]:
    return [base64.b64decode(p, validate=True) for p in items]


# --- tiles, bundles, checkpoint, key ------------------------------------------------------------


def test_the_served_tiles_rebuild_the_signed_root(log_app: Flask, client: FlaskClient) -> None:
    cp = served_checkpoint(client).checkpoint
    assert cp.size == SIZE
    assert cp.origin == log_app.config["LOG_ORIGIN"]
    assert merkle.tree_root(cp.size, served_reader(client, cp.size)) == cp.root_hash


def test_content_types(log_app: Flask, client: FlaskClient) -> None:
    for path, mimetype in [
        ("/log/checkpoint", "text/plain; charset=utf-8"),
        ("/log/key", "text/plain; charset=utf-8"),
        ("/log/tile/0/000", "application/octet-stream"),
        ("/log/tile/entries/000", "application/octet-stream"),
        ("/api/v1/log/proof/inclusion?index=0&size=1", "application/json"),
    ]:
        assert client.get(path).headers["Content-Type"] == mimetype, path


def test_entry_bundles_are_the_leaves_and_hash_to_the_level0_tiles(log_app: Flask, client: FlaskClient) -> None:
    level0 = [t for t in tiles.tiles_for_size(SIZE) if t.level == 0]
    assert [t.width for t in level0] == [256, SIZE - 256]
    for tile in level0:
        entries = tiles.parse_entry_bundle(get_ok(client, f"/log/{tile.entries_path}"), width=tile.width)
        start = tile.index * tiles.TILE_WIDTH
        assert entries == ledger.read_leaves(db.session, start, start + tile.width)
        tiles.check_entry_bundle(entries, tile, get_ok(client, f"/log/{tile.path}"))


def test_any_partial_tile_within_the_checkpoint_is_served(log_app: Flask, client: FlaskClient) -> None:
    """Clients holding an older checkpoint ask for narrower partial tiles (x/mod's TileHashReader does)."""
    full = get_ok(client, "/log/tile/0/001.p/44")
    for width in (1, 7, 43):
        assert get_ok(client, f"/log/tile/0/001.p/{width}") == full[: 32 * width]
    assert len(get_ok(client, "/log/tile/0/000.p/5")) == 5 * 32  # a prefix of a full tile, too
    assert len(tiles.parse_entry_bundle(get_ok(client, "/log/tile/entries/001.p/3"))) == 3


def test_nothing_beyond_the_signed_checkpoint_is_served(log_app: Flask, client: FlaskClient) -> None:
    grow(20)  # entries 300–319 are committed but unsigned
    assert ledger.log_size(db.session) == SIZE + 20
    assert served_checkpoint(client).checkpoint.size == SIZE
    for path in ("/log/tile/0/001.p/45", "/log/tile/0/001.p/64", "/log/tile/entries/001.p/45", "/log/tile/0/002.p/1"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.headers["Cache-Control"] == "no-store"  # it may exist after the next checkpoint
    for query in ("index=0&size=301", "index=300&size=320"):
        response = client.get(f"/api/v1/log/proof/inclusion?{query}")
        assert response.status_code == 400
        assert "latest checkpoint has size 300" in response.json["errors"]["query"]["size"][0]
    assert client.get("/api/v1/log/proof/consistency?from=1&to=301").status_code == 400

    sign()  # now the new entries are served
    assert served_checkpoint(client).checkpoint.size == SIZE + 20
    assert len(get_ok(client, "/log/tile/0/001.p/64")) == 64 * 32
    get_ok(client, "/api/v1/log/proof/inclusion?index=300&size=320")


def test_before_the_first_checkpoint_nothing_is_served(app: Flask, client: FlaskClient) -> None:
    grow(10)
    assert client.get("/log/checkpoint").status_code == 404
    assert client.get("/log/tile/0/000.p/1").status_code == 404
    response = client.get("/api/v1/log/proof/inclusion?index=0&size=1")
    assert response.status_code == 400
    assert response.json["errors"]["query"]["size"] == ["size is beyond the signed log: the log has no checkpoint yet."]
    get_ok(client, "/log/key")  # the key is public before any checkpoint


# --- proofs --------------------------------------------------------------------------------------

PAIRS = [(0, 1), (0, 2), (1, 2), (5, 7), (6, 7), (0, 256), (255, 256), (200, 257), (256, 257), (0, SIZE)]
PAIRS += [(i, SIZE) for i in range(1, SIZE, 13)] + [(SIZE - 1, SIZE)]


def test_served_inclusion_proofs_verify(log_app: Flask, client: FlaskClient) -> None:
    reader = served_reader(client, SIZE)
    leaves = ledger.read_leaves(db.session, 0, SIZE)
    for index, size in PAIRS:
        body = client.get(f"/api/v1/log/proof/inclusion?index={index}&size={size}").json
        assert (body["index"], body["size"]) == (index, size)
        proof = b64decode_all(body["proof"])
        merkle.verify_inclusion(merkle.leaf_hash(leaves[index]), index, size, proof, merkle.tree_root(size, reader))
        assert proof == ledger.inclusion_proof(db.session, index, size)


def test_served_consistency_proofs_verify(log_app: Flask, client: FlaskClient) -> None:
    reader = served_reader(client, SIZE)
    pairs = [(1, 1), (7, 7), (1, 2), (7, 256), (255, 256), (256, 257), (257, SIZE)]
    pairs += [(m, SIZE) for m in range(1, SIZE, 11)]
    for first, second in pairs:
        body = client.get(f"/api/v1/log/proof/consistency?from={first}&to={second}").json
        assert (body["from"], body["to"]) == (first, second)
        proof = b64decode_all(body["proof"])
        roots = merkle.tree_root(first, reader), merkle.tree_root(second, reader)
        merkle.verify_consistency(first, second, proof, *roots)


# --- caching -------------------------------------------------------------------------------------

CACHE = [
    ("/log/checkpoint", "public, max-age=5"),
    ("/log/key", "public, max-age=300"),
    ("/log/tile/0/000", "public, max-age=31536000, immutable"),
    ("/log/tile/0/001.p/44", "public, max-age=60"),
    ("/log/tile/1/000.p/1", "public, max-age=60"),
    ("/log/tile/entries/000", "public, max-age=31536000, immutable"),
    ("/log/tile/entries/001.p/44", "public, max-age=60"),
    ("/api/v1/log/proof/inclusion?index=3&size=300", "public, max-age=31536000, immutable"),
    ("/api/v1/log/proof/consistency?from=3&to=300", "public, max-age=31536000, immutable"),
]


@pytest.mark.parametrize(("path", "cache_control"), CACHE)
def test_cache_policy_etag_and_304(log_app: Flask, client: FlaskClient, path: str, cache_control: str) -> None:
    first = client.get(path)
    assert first.status_code == 200
    assert first.headers["Cache-Control"] == cache_control
    assert first.headers["Access-Control-Allow-Origin"] == "*"
    etag = first.headers["ETag"]
    assert "Set-Cookie" not in first.headers
    again = client.get(path, headers={"If-None-Match": etag})
    assert (again.status_code, again.data, again.headers["ETag"]) == (304, b"", etag)
    assert again.headers["Cache-Control"] == cache_control
    assert client.get(path, headers={"If-None-Match": '"something-else"'}).data == first.data
    head = client.head(path)
    assert (head.status_code, head.data, head.headers["ETag"]) == (200, b"", etag)


def test_a_new_checkpoint_gets_a_new_etag(log_app: Flask, client: FlaskClient) -> None:
    etag = client.get("/log/checkpoint").headers["ETag"]
    grow(1)
    sign()
    response = client.get("/log/checkpoint", headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert response.headers["ETag"] != etag


def test_public_responses_do_not_vary_on_cookie(log_app: Flask, client: FlaskClient) -> None:
    """A CDN keys or refuses cached responses on Vary: Cookie; cookieless tile fetchers must not get it."""
    for path in ("/log/tile/0/000", "/log/checkpoint", "/api/v1/log/proof/inclusion?index=0&size=1"):
        assert "Cookie" not in client.get(path).headers.get("Vary", ""), path


# --- bad requests --------------------------------------------------------------------------------

BAD_TILE_PATHS = [
    "tile/99999999999999999999/x",
    "tile/99999999999999999999/000",
    "tile/" + "9" * 5000 + "/000",  # beyond Python's int() digit limit: still a 404, not a 500
    "tile/0/" + "x999/" * 2000 + "000",
    "tile/0/1",  # index elements are three digits
    "tile/0/0000",
    "tile/0/x000/001",  # not canonical: one tile, one path
    "tile/0/001/x000",
    "tile/00/000",
    "tile/-1/000",
    "tile/64/000",  # levels are 0–63
    "tile/0/000.p/0",
    "tile/0/000.p/256",
    "tile/0/000.p/01",
    "tile/0/000.p/",
    "tile/0/000.p",
    "tile/0/000/",
    "tile/0/abc",
    "tile/0",
    "tile/entries/000.p/300",
    "tile/entries/1",
    "tile/entries/x000",
    "tile/8/0/000",  # sumdb's tile/<H>/<L>/<N> form is not ours (C2SP drops the height)
    "tile/data/000",
    "tile/0/%2e%2e/000",
    "tile/0/000%00",
]


@pytest.mark.parametrize("path", BAD_TILE_PATHS)
def test_malformed_tile_paths_are_404(log_app: Flask, client: FlaskClient, path: str) -> None:
    response = client.get(f"/log/{path}")
    assert response.status_code == 404, response.get_data(as_text=True)[:200]
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value


BAD_QUERIES = [
    ("inclusion", "", {"index", "size"}),
    ("inclusion", "size=5", {"index"}),
    ("inclusion", "index=1", {"size"}),
    ("inclusion", "index=x&size=5", {"index"}),
    ("inclusion", "index=-1&size=5", {"index"}),
    ("inclusion", "index=%2B1&size=5", {"index"}),
    ("inclusion", "index=%201&size=5", {"index"}),
    ("inclusion", "index=01&size=5", {"index"}),
    ("inclusion", "index=1.0&size=5", {"index"}),
    ("inclusion", "index=&size=5", {"index"}),
    ("inclusion", "index=1&size=" + "9" * 30, {"size"}),
    ("inclusion", "index=1&size=9223372036854775808", {"size"}),  # 2**63
    ("inclusion", "index=5&size=5", {"index"}),
    ("inclusion", "index=0&size=0", {"size"}),
    ("inclusion", "index=0&size=301", {"size"}),  # beyond the checkpoint
    ("inclusion", "index=0&size=9223372036854775807", {"size"}),
    ("inclusion", "index=0&size=5&root=abc", {"root"}),
    ("consistency", "", {"from", "to"}),
    ("consistency", "from=0&to=5", {"from"}),
    ("consistency", "from=6&to=5", {"from"}),
    ("consistency", "from=1&to=x", {"to"}),
    ("consistency", "from=1&to=301", {"to"}),
    ("consistency", "first=1&second=5", {"first", "second", "from", "to"}),
]


@pytest.mark.parametrize(("kind", "query", "fields"), BAD_QUERIES)
def test_bad_proof_queries_are_400(
    log_app: Flask, client: FlaskClient, kind: str, query: str, fields: set[str]
) -> None:
    response = client.get(f"/api/v1/log/proof/{kind}?{query}")
    assert response.status_code == 400
    body = response.json
    assert body["status"] == 400
    assert body["code"] == "InvalidQueryError"
    assert body["message"]
    assert set(body["errors"]) == {"query"}
    assert set(body["errors"]["query"]) == fields
    assert all(isinstance(m, str) and m for ms in body["errors"]["query"].values() for m in ms)
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_state_changing_methods_are_refused(log_app: Flask, client: FlaskClient) -> None:
    assert client.post("/log/checkpoint").status_code == 405
    assert client.put("/log/tile/0/000").status_code == 405
    assert client.delete("/api/v1/log/proof/inclusion?index=0&size=1").status_code == 405
