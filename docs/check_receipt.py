"""Check an ASN receipt (``jejak-receipt/v1``) with the ``audit`` package alone — no server, no Flask.

Usage, from a checkout of Jejak (or anywhere ``audit`` is importable)::

    PYTHONPATH=. python docs/check_receipt.py tanda-terima.json [--vkey VKEY]

Prints ``OK`` and exits 0 when every check passes; otherwise prints the failed check and exits 1.
Pin the log key with ``--vkey`` (from the Jejak front page, ``/log/key`` or a witness): without
it the receipt's own ``log_vkey`` is used, which proves the receipt consistent with that key only.
The checks are described in docs/receipt.md; ``tests/web/test_asn_pages.py`` runs this file.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from audit import merkle, note
from audit.bundle import evidence_digest
from audit.canonical import parse_canonical
from audit.dsse import b64decode_strict, verify_envelope
from audit.entry import parse_leaf_unverified
from audit.errors import AuditError
from audit.keys import SYSTEM_ID, key_id, public_key_from_bytes

RECEIPT_FORMAT = "jejak-receipt/v1"
NOMINATE_ACTION = "process.nominate_pool"
FIELDS = frozenset(
    {"format", "origin", "log_vkey", "process", "pseudonym", "evidence", "entry", "signer", "checkpoint",
     "inclusion_proof"}
)


class ReceiptError(Exception):
    """The receipt does not prove what it claims; the message names the failed check."""


def _object(value: Any, keys: set[str], what: str) -> Mapping[str, Any]:
    if not isinstance(value, dict) or value.keys() != keys:
        raise ReceiptError(f"{what} must be an object with exactly {sorted(keys)}")
    return value


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise ReceiptError(message)


def check_receipt(data: bytes, *, vkey: str | None = None) -> dict[str, Any]:
    """Verify a receipt; return what it proves (process, pseudonym, digest, entry index, tree size).

    Raises:
        ReceiptError: any check fails (a changed byte anywhere in the file makes one fail).
    """
    try:
        return _check_receipt(data, vkey)
    except ReceiptError:
        raise
    except (AuditError, ValueError, KeyError, TypeError) as exc:
        raise ReceiptError(f"{type(exc).__name__}: {exc}") from exc


def _check_receipt(data: bytes, vkey: str | None) -> dict[str, Any]:
    # RFC 8785 only: every content has one spelling, so no byte can change without changing content.
    receipt = _object(parse_canonical(data), set(FIELDS), "the receipt")
    _check(receipt["format"] == RECEIPT_FORMAT, f"format must be {RECEIPT_FORMAT}")
    if vkey is not None:
        _check(vkey == receipt["log_vkey"], "the receipt names another log key than the one pinned")

    # 1. The evidence record hashes to the digest (salt included, as the log's evidence digests are).
    evidence = _object(receipt["evidence"], {"digest", "record"}, "evidence")
    record = evidence["record"]
    _check(isinstance(record, dict) and "salt" in record, "evidence.record must be an object with a salt")
    salt = b64decode_strict(record["salt"], what="evidence.record.salt", size=16)
    digest = evidence_digest(salt, {k: v for k, v in record.items() if k != "salt"})
    _check(digest == evidence["digest"], f"the record hashes to {digest}, not to evidence.digest")
    _check(record.get("pseudonym") == receipt["pseudonym"], "the record belongs to another pseudonym")

    # 2. The leaf is the process's nomination statement and commits to that digest.
    entry = _object(receipt["entry"], {"index", "leaf", "leaf_hash"}, "entry")
    leaf = b64decode_strict(entry["leaf"], what="entry.leaf")
    leaf_hash = merkle.leaf_hash(leaf)
    _check(leaf_hash == b64decode_strict(entry["leaf_hash"], what="entry.leaf_hash", size=32),
           "entry.leaf_hash is not the hash of entry.leaf")
    parsed = parse_leaf_unverified(leaf)
    _check(parsed.seq == entry["index"], "entry.index is not the leaf's position")
    statement = parsed.statement_unverified()
    _check(statement.action == NOMINATE_ACTION, f"the entry is a {statement.action}, not {NOMINATE_ACTION}")
    _check(statement.process == receipt["process"], "the entry is about another process")
    committed = statement.data.get("evidence")
    _check(isinstance(committed, dict) and committed.get(receipt["pseudonym"]) == digest,
           "the entry does not commit to this digest for this pseudonym")

    # 3. The statement is signed by the system key the receipt names.
    signer = _object(receipt["signer"], {"key_id", "public_key"}, "signer")
    public = b64decode_strict(signer["public_key"], what="signer.public_key", size=32)
    _check(key_id(public) == signer["key_id"] == statement.actor.key_id and statement.actor.id == SYSTEM_ID,
           "the signer is not the system key the statement names")
    verify_envelope(parsed.envelope, {signer["key_id"]: public_key_from_bytes(public)})

    # 4. The checkpoint is signed by the log key, and the proof puts the leaf under its root.
    verifier = note.verifier_from_vkey(receipt["log_vkey"])
    checkpoint = note.open_checkpoint(receipt["checkpoint"], verifier, origin=receipt["origin"]).checkpoint
    proof = _object(receipt["inclusion_proof"], {"index", "size", "proof"}, "inclusion_proof")
    _check(proof["index"] == parsed.seq and proof["size"] == checkpoint.size,
           "the inclusion proof is for another entry or tree size than the checkpoint's")
    _check(isinstance(proof["proof"], list), "inclusion_proof.proof must be a list")
    path = [b64decode_strict(h, what="inclusion_proof.proof", size=32) for h in proof["proof"]]
    merkle.verify_inclusion(leaf_hash, parsed.seq, checkpoint.size, path, checkpoint.root_hash)
    return {"process": receipt["process"], "pseudonym": receipt["pseudonym"], "digest": digest,
            "index": parsed.seq, "size": checkpoint.size}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Check a Jejak ASN receipt (jejak-receipt/v1).")
    parser.add_argument("receipt", type=Path)
    parser.add_argument("--vkey", help="the log key to pin (from /log/key or a witness)")
    args = parser.parse_args(argv)
    try:
        proved = check_receipt(args.receipt.read_bytes(), vkey=args.vkey)
    except ReceiptError as exc:
        print(f"FAIL: {exc}")
        return 1
    print(f"OK: process {proved['process']}, {proved['pseudonym']}: evidence {proved['digest']} is in log entry "
          f"{proved['index']}, under the signed checkpoint of size {proved['size']}"
          + ("" if args.vkey else " (log key not pinned: pass --vkey)"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
