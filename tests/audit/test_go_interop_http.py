"""Interoperability over HTTP: Go's golang.org/x/mod/sumdb/{note,tlog} read our running log server.

Serves a signed 300-entry log with werkzeug on 127.0.0.1 (random port, one thread) and runs
``interop http`` (interop/go/http.go) against it: Go opens the served checkpoint with the log
vkey, reads hash tiles over HTTP through ``tlog.TileHashReader`` (which checks every tile against
the signed root), proves and checks records from the served entry bundles with
``tlog.ProveRecord`` / ``CheckRecord``, and requires our JSON proofs to equal its own. Go addresses
tiles as sumdb's ``tile/8/L/N``; the client drops the height to get the C2SP path, the content is
what we serve.

This module needs the Flask app (the thing under test is the HTTP server), unlike the rest of
tests/audit; it reuses tests/web/test_log_http.py's log builder and test_go_interop's Go build.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from werkzeug.serving import make_server

from audit.note import Ed25519Signer
from tests.audit import test_go_interop as go_interop
from tests.conftest import make_app
from tests.web.test_log_http import SIZE, populate
from workflow.extensions import db
from workflow.keystore import get_keystore
from workflow.models.ledger import LogHash

pytestmark = go_interop.pytestmark  # skip, saying why, without go or x/mod
interop_binary = go_interop.interop_binary  # the same offline build fixture

RECORDS = [*range(0, SIZE, 7), 255, 256, 257, SIZE - 1]
OLD_SIZES = [1, 2, 7, 255, 256, 257, SIZE - 1, SIZE]


@pytest.fixture(scope="module")
def log_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    """A signed log of SIZE entries on disk: (database file, key directory, log vkey)."""
    root = tmp_path_factory.mktemp("served-log")
    database, keys = root / "log.sqlite3", root / "keys"
    app = make_app(f"sqlite:///{database}", KEY_DIR=str(keys))
    with app.app_context():
        db.create_all()
        populate(SIZE)
        vkey = get_keystore().log_vkey()
        db.session.remove()
        db.engine.dispose()
    return database, keys, vkey


@contextmanager
def serving(database: Path, keys: Path) -> Iterator[str]:
    """Serve the log in ``database`` on a random local port; yield the base URL."""
    app = make_app(f"sqlite:///{database}", KEY_DIR=str(keys))
    server = make_server("127.0.0.1", 0, app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def copy_of_log(log_files: tuple[Path, Path, str], tmp_path: Path) -> tuple[Path, Path, str]:
    """A private copy, so a test may tamper with it."""
    database, keys, vkey = log_files
    shutil.copy(database, tmp_path / database.name)
    return tmp_path / database.name, keys, vkey


def run_http(binary: Path, request: dict[str, Any]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(binary), "http"], input=json.dumps(request), capture_output=True, text=True, timeout=300, check=False
    )


def test_go_verifies_records_and_trees_from_our_http_server(
    interop_binary: Path, copy_of_log: tuple[Path, Path, str]
) -> None:
    database, keys, vkey = copy_of_log
    with serving(database, keys) as base:
        result = run_http(
            interop_binary, {"base": base, "vkey": vkey, "records": RECORDS, "old_sizes": OLD_SIZES}
        )
    assert result.returncode == 0, result.stderr
    go = json.loads(result.stdout)
    assert (go["origin"], go["size"]) == (vkey.split("+")[0], SIZE)
    assert [v for v in go["records"] if not v["ok"]] == []
    assert len(go["records"]) == len(RECORDS)
    assert [v for v in go["consistency"] if not v["ok"]] == []
    assert len(go["consistency"]) == len(OLD_SIZES)
    # Go asked for the tiles in its own (x/mod) encoding, mapped to C2SP paths; we served them.
    assert {"/log/tile/0/000", "/log/tile/0/001.p/44", "/log/tile/1/000.p/1"} <= set(go["fetched"])
    assert "/log/tile/entries/001.p/44" in go["fetched"]


def tamper(database: Path, keys: Path, index: int) -> None:
    """Zero the stored leaf hash ``index`` behind the server's back (the signed checkpoint stays)."""
    app = make_app(f"sqlite:///{database}", KEY_DIR=str(keys))
    with app.app_context():
        db.session.execute(sa.update(LogHash).where(LogHash.level == 0, LogHash.idx == index).values(hash=bytes(32)))
        db.session.commit()
        db.engine.dispose()


def test_go_rejects_proofs_through_a_tampered_tile(interop_binary: Path, copy_of_log: tuple[Path, Path, str]) -> None:
    """Leaf hash 5 sits in full tile 0/000: record 4's proof passes through it and fails against the
    signed root; record 299's proof does not touch that tile. (This x/mod version does not check a
    full tile against its parent when the tree hash needs fewer tiles than subtrees, so the proof
    check is what catches it.)"""
    database, keys, vkey = copy_of_log
    tamper(database, keys, 5)
    with serving(database, keys) as base:
        result = run_http(interop_binary, {"base": base, "vkey": vkey, "records": [4, SIZE - 1], "old_sizes": [7]})
    assert result.returncode == 0, result.stderr
    go = json.loads(result.stdout)
    assert [v["ok"] for v in go["records"]] == [False, True]
    assert "invalid transparency proof" in go["records"][0]["error"]
    assert not go["consistency"][0]["ok"]  # the size-7 root is computed from the tampered tile


def test_go_rejects_tiles_that_do_not_rebuild_the_signed_root(
    interop_binary: Path, copy_of_log: tuple[Path, Path, str]
) -> None:
    database, keys, vkey = copy_of_log
    tamper(database, keys, 260)  # in partial tile 0/001.p/44, which the tree hash is built from
    with serving(database, keys) as base:
        result = run_http(interop_binary, {"base": base, "vkey": vkey, "records": [0], "old_sizes": []})
    assert result.returncode == 1, result.stdout
    assert "inconsistent tile" in result.stderr or "tree hash" in result.stderr, result.stderr


def test_go_refuses_a_server_with_another_key(interop_binary: Path, copy_of_log: tuple[Path, Path, str]) -> None:
    database, keys, vkey = copy_of_log
    other = Ed25519Signer(vkey.split("+")[0], Ed25519PrivateKey.generate()).verifier.vkey  # same origin
    with serving(database, keys) as base:
        result = run_http(interop_binary, {"base": base, "vkey": other, "records": [0], "old_sizes": []})
    assert result.returncode == 1, result.stdout
