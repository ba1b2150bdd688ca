"""Jejak's tamper-evident log: RFC 9162 Merkle tree, DSSE statements, C2SP checkpoints, bundles.

Pure library: imports only the standard library, ``cryptography`` and ``rfc8785``, so an
inspector can verify a bundle offline with ``python -m audit verify`` (DESIGN.md §4–5).
"""

from audit.bundle import EvidenceRecord, UnverifiedBundle, evidence_digest, read_bundle_unverified, write_bundle
from audit.canonical import canonical_json, is_canonical
from audit.dsse import PAYLOAD_TYPE, Envelope, sign_envelope, verify_envelope
from audit.entry import ZERO_HASH, Actor, build_leaf, make_statement, parse_leaf_unverified
from audit.keys import KeyHistory, Signer, key_id
from audit.verify import Problem, Report, verify_bundle

__all__ = [
    "PAYLOAD_TYPE",
    "ZERO_HASH",
    "Actor",
    "Envelope",
    "EvidenceRecord",
    "KeyHistory",
    "Problem",
    "Report",
    "Signer",
    "UnverifiedBundle",
    "build_leaf",
    "canonical_json",
    "evidence_digest",
    "is_canonical",
    "key_id",
    "make_statement",
    "parse_leaf_unverified",
    "read_bundle_unverified",
    "sign_envelope",
    "verify_bundle",
    "verify_envelope",
    "write_bundle",
]
