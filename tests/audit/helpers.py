"""Builders of synthetic, validly signed logs for the audit tests (plain functions, C13).

Every key comes from a fixed seed, so the logs (and their bytes) are deterministic.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from audit import merkle, note
from audit.bundle import EvidenceRecord, UnverifiedBundle, make_evidence, write_bundle
from audit.dsse import Envelope, sign_envelope
from audit.entry import ZERO_HASH, Actor, build_leaf, make_statement, parse_leaf_unverified
from audit.keys import (
    ACTION_ENROL,
    ACTION_REVOKE,
    ACTION_ROTATE,
    SYSTEM_ID,
    Signer,
    enrol_data,
    revoke_data,
    rotate_data,
)

T0 = datetime(2026, 3, 2, 8, 0, 0, tzinfo=UTC)
ORIGIN = "jejak.test/log"


def seeded(name: str) -> Signer:
    """A deterministic signer named ``name`` (seed = SHA-256 of the name)."""
    return Signer.from_seed(hashlib.sha256(b"jejak-test-key:" + name.encode()).digest())


@dataclass
class LogBuilder:
    """Appends validly signed entries, tracking ``prev``, per-process ``basis`` and a fake clock."""

    system: Signer = field(default_factory=lambda: seeded("system"))
    start: datetime = T0
    leaves: list[bytes] = field(default_factory=list)
    heads: dict[str | int | None, bytes] = field(default_factory=dict)
    users: dict[str, Signer] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Entry 0: the system key's self-signed bootstrap enrolment (audit.keys).
        self.append(
            ACTION_ENROL,
            actor=Actor(SYSTEM_ID, "system", self.system.key_id),
            signers=[self.system],
            data=enrol_data(SYSTEM_ID, self.system.public_bytes, "log created"),
        )

    # -- low level ---------------------------------------------------------------------------

    @property
    def size(self) -> int:
        return len(self.leaves)

    def time_at(self, seq: int) -> datetime:
        return self.start + timedelta(minutes=seq)

    def prev_hash(self) -> bytes:
        return merkle.leaf_hash(self.leaves[-1]) if self.leaves else ZERO_HASH

    def statement(
        self,
        action: str,
        *,
        actor: Actor,
        process: str | int | None = None,
        from_state: str | None = None,
        to_state: str | None = None,
        data: Mapping[str, Any] | None = None,
        basis: bytes | None = None,
    ) -> bytes:
        """Canonical payload with ``basis`` = this process's current head unless given."""
        return make_statement(
            action=action,
            process=process,
            from_state=from_state,
            to_state=to_state,
            time=self.time_at(self.size),
            actor=actor,
            data=dict(data or {}),
            basis=self.heads.get(process, ZERO_HASH) if basis is None else basis,
        )

    def leaf_for(self, envelope: Envelope, *, seq: int | None = None, prev: bytes | None = None) -> bytes:
        seq = self.size if seq is None else seq
        return build_leaf(seq, self.prev_hash() if prev is None else prev, self.time_at(seq), envelope)

    def push(self, leaf: bytes) -> int:
        """Append raw leaf bytes, updating the process head from its payload."""
        statement = parse_leaf_unverified(leaf).statement_unverified()
        self.leaves.append(leaf)
        self.heads[statement.process] = merkle.leaf_hash(leaf)
        return self.size - 1

    def append(
        self,
        action: str,
        *,
        actor: Actor,
        signers: Sequence[Signer],
        process: str | int | None = None,
        from_state: str | None = None,
        to_state: str | None = None,
        data: Mapping[str, Any] | None = None,
    ) -> int:
        payload = self.statement(
            action, actor=actor, process=process, from_state=from_state, to_state=to_state, data=data
        )
        return self.push(self.leaf_for(sign_envelope(payload, signers)))

    # -- keys --------------------------------------------------------------------------------

    def system_actor(self) -> Actor:
        return Actor(SYSTEM_ID, "system", self.system.key_id)

    def enrol(self, user_id: str, signer: Signer | None = None) -> Signer:
        signer = signer or seeded(f"user:{user_id}:{len(self.users)}")
        self.append(
            ACTION_ENROL,
            actor=self.system_actor(),
            signers=[self.system, signer],
            data=enrol_data(user_id, signer.public_bytes, "account created"),
        )
        self.users[user_id] = signer
        return signer

    def rotate(self, user_id: str, new: Signer) -> int:
        old = self.users[user_id]
        index = self.append(
            ACTION_ROTATE,
            actor=Actor(user_id, "user", old.key_id),
            signers=[old, new],
            data=rotate_data(user_id, old.key_id, new.public_bytes, "scheduled rotation"),
        )
        self.users[user_id] = new
        return index

    def revoke(self, user_id: str, *, reason: str = "key compromised") -> int:
        return self.append(
            ACTION_REVOKE,
            actor=self.system_actor(),
            signers=[self.system],
            data=revoke_data(user_id, self.users[user_id].key_id, reason),
        )

    # -- process steps -----------------------------------------------------------------------

    def step(
        self,
        user_id: str,
        action: str,
        *,
        process: str | int,
        role: str = "committee_member",
        from_state: str | None = None,
        to_state: str | None = None,
        data: Mapping[str, Any] | None = None,
        signer: Signer | None = None,
    ) -> int:
        signer = signer or (self.system if user_id == SYSTEM_ID else self.users[user_id])
        role = "system" if user_id == SYSTEM_ID else role
        return self.append(
            action,
            actor=Actor(user_id, role, signer.key_id),
            signers=[signer],
            process=process,
            from_state=from_state,
            to_state=to_state,
            data=data,
        )

    def leaf_hashes(self) -> list[bytes]:
        return [merkle.leaf_hash(leaf) for leaf in self.leaves]


def standard_log(processes: int = 2, rounds: int = 3) -> LogBuilder:
    """A small realistic log: three users enrolled, then interleaved process steps.

    Layout (processes=2, rounds=3): 0 bootstrap, 1–3 enrol u1..u3, then for each round r and
    process p one entry: u1 votes, u2 votes, system computes; 4 + 3·2 = 10 entries in total.
    """
    log = LogBuilder()
    for user in ("u1", "u2", "u3"):
        log.enrol(user)
    for r in range(rounds):
        for p in range(processes):
            process = f"P{p + 1}"
            if r % 3 == 2:
                log.step(SYSTEM_ID, "process.rank", process=process, data={"round": r, "top": ["c1", "c2"]})
            else:
                user = "u1" if r % 3 == 0 else "u2"
                log.step(user, "process.vote", process=process, data={"round": r, "score": "87.5"})
    return log


# -- checkpoints and bundles -------------------------------------------------------------------


def log_signer(seed: str = "log", origin: str = ORIGIN) -> note.Ed25519Signer:
    """The log key (signs checkpoints), named by the origin as tlog-checkpoint requires."""
    return note.Ed25519Signer(origin, seeded(seed).private_key)


def log_vkey(seed: str = "log", origin: str = ORIGIN) -> str:
    return log_signer(seed, origin).verifier.vkey


def checkpoint(
    leaves: Sequence[bytes],
    size: int | None = None,
    *,
    signer: note.NoteSigner | None = None,
    root: bytes | None = None,
    origin: str = ORIGIN,
) -> str:
    """A signed checkpoint over the first ``size`` leaves (all by default)."""
    size = len(leaves) if size is None else size
    tree_root = merkle.root([merkle.leaf_hash(leaf) for leaf in leaves[:size]]) if root is None else root
    return note.sign_checkpoint(note.Checkpoint(origin, size, tree_root), signer or log_signer(origin=origin))


EVIDENCE_SALT = bytes(range(16))


def sample_evidence() -> dict[str, EvidenceRecord]:
    digest, record = make_evidence(EVIDENCE_SALT, {"nip": "198001012005011001", "name": "Siti", "score": "87.50"})
    return {digest: record}


def bundle_of(
    log: LogBuilder,
    *,
    leaves: Sequence[bytes] | None = None,
    checkpoints: Sequence[str] | None = None,
    evidence: dict[str, EvidenceRecord] | None = None,
    vkey: str | None = None,
) -> UnverifiedBundle:
    """An in-memory bundle of ``log`` (leaves may be replaced to tamper), checkpoint over the leaves given."""
    leaves = list(log.leaves if leaves is None else leaves)
    return UnverifiedBundle(
        origin=ORIGIN,
        log_vkey=vkey or log_vkey(),
        checkpoints=tuple(checkpoints if checkpoints is not None else [checkpoint(log.leaves)]),
        leaves=tuple(leaves),
        system_keys=(log.system.public_bytes,),
        evidence=sample_evidence() if evidence is None else evidence,
    )


def bundle_bytes(bundle: UnverifiedBundle) -> bytes:
    return write_bundle(
        origin=bundle.origin,
        log_vkey=bundle.log_vkey,
        checkpoints=bundle.checkpoints,
        leaves=bundle.leaves,
        system_keys=bundle.system_keys,
        evidence=bundle.evidence,
        process=bundle.process,
    )
