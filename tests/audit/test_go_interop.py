"""Interoperability: golang.org/x/mod/sumdb/{note,tlog} verify what audit/ produces, and agree on forgeries.

Builds ``interop/go`` offline into a temporary directory and feeds it a 300-leaf log made here:
signed checkpoints, inclusion and consistency proofs, and tlog tiles. Each item carries the
verdict we expect; Go's verdict and ours must both equal it, so a tampered checkpoint that Go
rejects must also be rejected by us (and a good one accepted by both).
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from audit import merkle, note, tiles
from audit.errors import AuditError, InvalidNoteSignatureError
from audit.storage import MemoryHashStore

REPO = Path(__file__).resolve().parents[2]
GO_DIR = REPO / "interop" / "go"
X_MOD = Path("/usr/share/gocode/src/golang.org/x/mod")
ORIGIN = "jejak.example.go.id/log"
SIZE = 300

pytestmark = [
    pytest.mark.skipif(shutil.which("go") is None, reason="Go toolchain not installed (apt-get install golang-go)"),
    pytest.mark.skipif(
        not X_MOD.is_dir(), reason=f"golang.org/x/mod sources not at {X_MOD} (apt-get install golang-golang-x-mod-dev)"
    ),
]


def _b64(b: bytes) -> str:
    return base64.b64encode(b).decode()


def _flip(b: bytes, i: int = 0) -> bytes:
    return b[:i] + bytes([b[i] ^ 1]) + b[i + 1 :]


@pytest.fixture(scope="module")
def interop_binary(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("interop")
    env = {
        **os.environ,
        "GOPROXY": "off",
        "GOFLAGS": "-mod=mod",
        "GOTOOLCHAIN": "local",
        "GOCACHE": os.environ.get("GOCACHE", str(out / "gocache")),
        "GOPATH": str(out / "gopath"),
    }
    binary = out / "interop"
    result = subprocess.run(
        ["go", "build", "-o", str(binary), "."], cwd=GO_DIR, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, f"go build failed:\n{result.stderr}"
    return binary


def _run_go(binary: Path, request: dict[str, Any]) -> dict[str, Any]:
    result = subprocess.run(
        [str(binary)], input=json.dumps(request), capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    return dict(json.loads(result.stdout))


def _ours(check: Callable[[], object]) -> bool:
    try:
        check()
    except AuditError:
        return False
    return True


class Log:
    """A 300-leaf log with its signer, built with audit/ only."""

    def __init__(self) -> None:
        self.leaves = [f'{{"seq":{i},"v":1}}'.encode() for i in range(SIZE)]
        self.store = MemoryHashStore.from_leaf_hashes(merkle.leaf_hash(x) for x in self.leaves)
        self.signer = note.Ed25519Signer(ORIGIN, Ed25519PrivateKey.from_private_bytes(bytes(range(32))))
        self.verifier = note.Ed25519Verifier.from_vkey(self.signer.verifier.vkey)

    def root(self, size: int) -> bytes:
        return merkle.tree_root(size, self.store)

    def checkpoint(self, size: int) -> str:
        return note.sign_checkpoint(note.Checkpoint(ORIGIN, size, self.root(size)), self.signer)


@pytest.fixture(scope="module")
def log() -> Log:
    return Log()


def _checkpoint_cases(log: Log) -> list[tuple[str, bool]]:
    cases = [(log.checkpoint(n), True) for n in (0, 1, 2, 7, 255, 256, 257, SIZE)]
    good = log.checkpoint(SIZE)
    real_root = _b64(log.root(SIZE))
    cases += [
        (good.replace(real_root, _b64(log.root(SIZE - 1))), False),  # tampered root, old signature
        (good.replace(f"\n{SIZE}\n", f"\n{SIZE + 1}\n"), False),  # tampered size
        (good.replace(ORIGIN + "\n", "jejak.example.go.id/other\n", 1), False),  # tampered origin
    ]
    sig_line = good.split("\n\n")[1]
    raw = base64.b64decode(sig_line.split(" ")[-1])
    cases.append((good.replace(sig_line.split(" ")[-1].strip(), _b64(_flip(raw, 10))), False))  # bad signature
    impostor = note.Ed25519Signer(ORIGIN, Ed25519PrivateKey.from_private_bytes(bytes(32)))
    cases.append((note.sign_checkpoint(note.Checkpoint(ORIGIN, SIZE, log.root(SIZE)), impostor), False))
    # Signed by the right key but with another name: neither accepts it as this log's checkpoint.
    other_name = note.Ed25519Signer("jejak.example.go.id/other", Ed25519PrivateKey.from_private_bytes(bytes(range(32))))
    cases.append((note.sign_note(note.Checkpoint(ORIGIN, SIZE, log.root(SIZE)).text, [other_name]), False))
    return cases


def _inclusion_cases(log: Log) -> list[tuple[dict[str, Any], bool]]:
    cases: list[tuple[dict[str, Any], bool]] = []
    for size in (1, 7, 256, 257, SIZE):
        for index in range(0, size, 1 if size == SIZE else 3):
            proof = merkle.inclusion_proof(index, size, log.store)
            item = {
                "leaf": _b64(log.leaves[index]),
                "index": index,
                "size": size,
                "proof": [_b64(p) for p in proof],
                "root": _b64(log.root(size)),
            }
            cases.append((item, True))
    base = dict(cases[-1][0])
    cases += [
        ({**base, "proof": [_b64(_flip(base64.b64decode(base["proof"][0]))), *base["proof"][1:]]}, False),
        ({**base, "leaf": _b64(b"forged")}, False),
        ({**base, "index": base["index"] - 1}, False),
        ({**base, "root": _b64(log.root(SIZE - 1))}, False),
        ({**base, "proof": base["proof"][:-1]}, False),
    ]
    return cases


def _consistency_cases(log: Log) -> list[tuple[dict[str, Any], bool]]:
    cases: list[tuple[dict[str, Any], bool]] = []
    pairs = [(m, SIZE) for m in range(1, SIZE + 1)] + [(7, 256), (256, 257), (1, 1), (255, 256)]
    for size1, size2 in pairs:
        proof = merkle.consistency_proof(size1, size2, log.store)
        item = {
            "size1": size1,
            "size2": size2,
            "proof": [_b64(p) for p in proof],
            "root1": _b64(log.root(size1)),
            "root2": _b64(log.root(size2)),
        }
        cases.append((item, True))
    base = dict(cases[6][0])  # 7 -> 300
    cases += [
        ({**base, "proof": [*base["proof"][:-1], _b64(_flip(base64.b64decode(base["proof"][-1])))]}, False),
        ({**base, "root1": base["root2"], "root2": base["root1"]}, False),
        ({**base, "size1": 8}, False),
        ({**base, "proof": base["proof"][1:]}, False),
    ]
    return cases


def _tile_cases(log: Log) -> list[tuple[dict[str, Any], bool]]:
    cases: list[tuple[dict[str, Any], bool]] = []
    for size in (1, 256, 257, SIZE):
        data = {t.path: _b64(tiles.tile_data(t, log.store)) for t in tiles.tiles_for_size(size)}
        cases.append(({"size": size, "root": _b64(log.root(size)), "tiles": data}, True))
    good = dict(cases[-1][0])
    path = tiles.Tile(0, 1, SIZE - 256).path
    tampered = {**good["tiles"], path: _b64(_flip(base64.b64decode(good["tiles"][path]), 5))}
    cases.append(({**good, "tiles": tampered}, False))
    return cases


def _our_tile_verdict(case: dict[str, Any]) -> bool:
    def check() -> None:
        parsed = {tiles.parse_tile_path(p): base64.b64decode(d) for p, d in case["tiles"].items()}
        got = merkle.tree_root(case["size"], tiles.TileHashReader(parsed))
        if got != base64.b64decode(case["root"]):
            raise AuditError("tree hash from tiles differs")

    return _ours(check)


def test_go_agrees_with_us(interop_binary: Path, log: Log) -> None:
    checkpoints = _checkpoint_cases(log)
    inclusion = _inclusion_cases(log)
    consistency = _consistency_cases(log)
    tile_cases = _tile_cases(log)
    request = {
        "vkey": log.signer.verifier.vkey,
        "checkpoints": [{"note": n} for n, _ in checkpoints],
        "inclusion": [c for c, _ in inclusion],
        "consistency": [c for c, _ in consistency],
        "tiles": [c for c, _ in tile_cases],
    }
    go = _run_go(interop_binary, request)

    for (msg, want), verdict in zip(checkpoints, go["checkpoints"], strict=True):
        ours = _ours(lambda msg=msg: note.open_checkpoint(msg, log.verifier))
        assert (verdict["ok"], ours) == (want, want), (msg, verdict)
        if want:
            cp = note.open_checkpoint(msg, log.verifier).checkpoint
            assert (verdict["origin"], verdict.get("size", 0), verdict["root"]) == (
                cp.origin,
                cp.size,
                _b64(cp.root_hash),
            )

    for (case, want), verdict in zip(inclusion, go["inclusion"], strict=True):
        ours = _ours(
            lambda c=case: merkle.verify_inclusion(
                merkle.leaf_hash(base64.b64decode(c["leaf"])),
                c["index"],
                c["size"],
                [base64.b64decode(p) for p in c["proof"]],
                base64.b64decode(c["root"]),
            )
        )
        assert (verdict["ok"], ours) == (want, want), (case["index"], case["size"], verdict)

    for (case, want), verdict in zip(consistency, go["consistency"], strict=True):
        ours = _ours(
            lambda c=case: merkle.verify_consistency(
                c["size1"],
                c["size2"],
                [base64.b64decode(p) for p in c["proof"]],
                base64.b64decode(c["root1"]),
                base64.b64decode(c["root2"]),
            )
        )
        assert (verdict["ok"], ours) == (want, want), (case["size1"], case["size2"], verdict)

    for (case, want), verdict in zip(tile_cases, go["tiles"], strict=True):
        assert (verdict["ok"], _our_tile_verdict(case)) == (want, want), (case["size"], verdict)

    assert len(go["inclusion"]) > SIZE and len(go["consistency"]) > SIZE


def test_go_rejects_a_tampered_root_and_so_do_we(interop_binary: Path, log: Log) -> None:
    """The acceptance check in isolation: one good checkpoint, one with a swapped root."""
    good = log.checkpoint(SIZE)
    bad = good.replace(_b64(log.root(SIZE)), _b64(log.root(SIZE - 1)))
    go = _run_go(interop_binary, {"vkey": log.signer.verifier.vkey, "checkpoints": [{"note": good}, {"note": bad}]})
    assert [v["ok"] for v in go["checkpoints"]] == [True, False]
    assert "invalid signature" in go["checkpoints"][1]["error"]
    note.open_checkpoint(good, log.verifier)
    with pytest.raises(InvalidNoteSignatureError):
        note.open_checkpoint(bad, log.verifier)
