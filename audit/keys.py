"""Signing keys and the key history that the log itself records (DESIGN.md §4, §6).

Three kinds of key sign things:

- the **log key** signs checkpoints (C2SP signed notes, :mod:`audit.note`); it never signs
  statements, and inspectors pin it with ``--vkey``;
- the **system key** (subject ``"system"``) signs computed steps and user-key enrolments;
- **per-user keys** (subject = the user's id as a string) sign what that user attests.

Statement keys are themselves log entries, so anyone holding the leaves can replay who could sign
what, and when. The actions (statement ``process``, ``from`` and ``to`` are ``null``):

============== ======================================================= ===============================
action          ``data`` (exactly these fields)                         must be signed by (and only by)
============== ======================================================= ===============================
``key.enrol``   ``subject``, ``public_key`` (b64 raw 32 bytes),          the actor — a valid system
                ``reason``                                              key — and the new key (proof
                                                                        of possession)
``key.rotate``  ``subject``, ``old_key_id``, ``public_key``,            the old key (the actor's) and
                ``reason``                                              the new key
``key.revoke``  ``subject``, ``key_id``, ``reason``                     the actor: a system key, or a
                                                                        valid key of the subject
============== ======================================================= ===============================

Bootstrap: while no system key exists, a ``key.enrol`` of subject ``"system"`` whose actor is
``{"id": "system", "key_id": <the new key>}`` and that only the new key signs enrols the first
system key (the log's first entry, seq 0). The checkpoint, signed by the pinned log key, is what
makes that self-signed start trustworthy. Admins revoke through the system key (the app signs;
``reason`` says who asked). Every other statement is signed by exactly the actor's key.

A key is valid for its subject from the entry that enrols it (inclusive) up to the entry that
revokes or rotates it away (inclusive — that entry may still be signed by it). An unknown key,
a key of another subject, or a key used after its retirement makes a statement invalid.

Import rule: standard library, ``cryptography`` and ``audit.errors`` only (statement types are
imported for type checking only, so :mod:`audit.entry` can depend on this module).
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from audit.errors import (
    EnvelopeError,
    ForeignSignatureError,
    KeyHistoryError,
    KeyOwnerError,
    KeyStatementError,
    MissingSignatureError,
    RevokedKeyError,
    UnknownKeyError,
)

if TYPE_CHECKING:
    from collections.abc import Iterable

    from audit.entry import UnverifiedEntry, UnverifiedStatement

__all__ = [
    "ACTION_ENROL",
    "ACTION_REVOKE",
    "ACTION_ROTATE",
    "KEY_ACTIONS",
    "SYSTEM_ID",
    "KeyHistory",
    "KeyRecord",
    "Signer",
    "enrol_data",
    "key_id",
    "public_key_from_bytes",
    "revoke_data",
    "rotate_data",
]

ACTION_ENROL = "key.enrol"
ACTION_ROTATE = "key.rotate"
ACTION_REVOKE = "key.revoke"
KEY_ACTIONS = frozenset({ACTION_ENROL, ACTION_ROTATE, ACTION_REVOKE})
SYSTEM_ID = "system"
"""Subject and actor id of the system key (computed steps, enrolments)."""

PUBLIC_KEY_SIZE = 32  # raw Ed25519 public key, RFC 8032 §5.1.5

_ENROL_FIELDS = frozenset({"subject", "public_key", "reason"})
_ROTATE_FIELDS = frozenset({"subject", "old_key_id", "public_key", "reason"})
_REVOKE_FIELDS = frozenset({"subject", "key_id", "reason"})


def key_id(raw_public: bytes) -> str:
    """Return the key id of a raw Ed25519 public key: lowercase hex SHA-256 of its 32 bytes.

    Args:
        raw_public: the raw public key (``Encoding.Raw``/``PublicFormat.Raw``).

    Returns:
        64 lowercase hex digits.

    Raises:
        ValueError: ``raw_public`` is not 32 bytes.
    """
    if len(raw_public) != PUBLIC_KEY_SIZE:
        raise ValueError(f"an Ed25519 public key is {PUBLIC_KEY_SIZE} bytes, got {len(raw_public)}")
    return hashlib.sha256(raw_public).hexdigest()


def public_key_from_bytes(raw_public: bytes) -> Ed25519PublicKey:
    """Load a raw 32-byte Ed25519 public key.

    Args:
        raw_public: the raw key.

    Returns:
        The key object.

    Raises:
        ValueError: not a valid raw Ed25519 public key.
    """
    if len(raw_public) != PUBLIC_KEY_SIZE:
        raise ValueError(f"an Ed25519 public key is {PUBLIC_KEY_SIZE} bytes, got {len(raw_public)}")
    return Ed25519PublicKey.from_public_bytes(raw_public)


@dataclass(frozen=True, slots=True)
class Signer:
    """An Ed25519 signing key with its key id; the private key never appears in ``repr``.

    Build one from a key the caller loaded (``workflow/keystore.py`` reads key files, C8/C9).
    """

    private_key: Ed25519PrivateKey = field(repr=False)
    key_id: str = field(init=False)
    public_bytes: bytes = field(init=False, repr=False)

    def __post_init__(self) -> None:
        raw = self.private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        # frozen dataclass: derived fields are set once here, through object.__setattr__.
        object.__setattr__(self, "public_bytes", raw)
        object.__setattr__(self, "key_id", key_id(raw))

    @classmethod
    def from_seed(cls, seed: bytes) -> Signer:
        """Build a signer from a 32-byte Ed25519 seed (RFC 8032 private key).

        Args:
            seed: the 32 secret bytes.

        Returns:
            The signer.

        Raises:
            ValueError: ``seed`` is not 32 bytes.
        """
        return cls(Ed25519PrivateKey.from_private_bytes(seed))

    @classmethod
    def generate(cls) -> Signer:
        """Create a signer with a fresh random key (the OS's CSPRNG, through ``cryptography``)."""
        return cls(Ed25519PrivateKey.generate())

    def public_key(self) -> Ed25519PublicKey:
        """Return the public key object."""
        return self.private_key.public_key()

    def sign(self, message: bytes) -> bytes:
        """Sign ``message`` (for statements: the DSSE PAE bytes) and return the 64-byte signature."""
        return self.private_key.sign(message)


def enrol_data(subject: str, public_key: bytes, reason: str) -> dict[str, Any]:
    """Build the ``data`` of a ``key.enrol`` statement.

    Args:
        subject: the user id (or ``"system"``) the key is for.
        public_key: the new raw 32-byte public key.
        reason: why (e.g. ``"account created"``, ``"requested by admin 7"``).

    Returns:
        The data mapping.
    """
    from audit.dsse import b64encode  # local: dsse imports this module

    return {"subject": subject, "public_key": b64encode(public_key), "reason": reason}


def rotate_data(subject: str, old_key_id: str, public_key: bytes, reason: str) -> dict[str, Any]:
    """Build the ``data`` of a ``key.rotate`` statement (signed by the old and the new key).

    Args:
        subject: whose key rotates.
        old_key_id: the key being replaced (the actor's key).
        public_key: the new raw 32-byte public key.
        reason: why.

    Returns:
        The data mapping.
    """
    from audit.dsse import b64encode

    return {"subject": subject, "old_key_id": old_key_id, "public_key": b64encode(public_key), "reason": reason}


def revoke_data(subject: str, revoked_key_id: str, reason: str) -> dict[str, Any]:
    """Build the ``data`` of a ``key.revoke`` statement.

    Args:
        subject: whose key is revoked.
        revoked_key_id: the key id to revoke.
        reason: why (compromise, departure, who asked).

    Returns:
        The data mapping.
    """
    return {"subject": subject, "key_id": revoked_key_id, "reason": reason}


@dataclass(frozen=True, slots=True)
class KeyRecord:
    """What the log says about one key: owner, public bytes, and its validity interval."""

    key_id: str
    public_key: bytes
    subject: str
    enrolled_at: int
    retired_at: int | None = None
    retired_by: str | None = None  # ACTION_REVOKE or ACTION_ROTATE

    def valid_at(self, index: int) -> bool:
        """Tell whether the key may sign the entry at ``index`` (enrolment and retirement inclusive)."""
        return self.enrolled_at <= index and (self.retired_at is None or index <= self.retired_at)


@dataclass(frozen=True, slots=True)
class _KeyChange:
    """A parsed key statement: the new key it introduces and the key it retires, if any."""

    subject: str
    new_key: bytes | None
    new_key_id: str | None
    retires: str | None


def _text(data: Mapping[str, Any], name: str) -> str:
    value = data[name]
    if not isinstance(value, str) or not value:
        raise KeyStatementError(f"data.{name} must be a non-empty string")
    return value


def _parse_key_change(statement: UnverifiedStatement) -> _KeyChange:
    wanted = {ACTION_ENROL: _ENROL_FIELDS, ACTION_ROTATE: _ROTATE_FIELDS, ACTION_REVOKE: _REVOKE_FIELDS}
    fields = wanted[statement.action]
    if statement.data.keys() != fields:
        raise KeyStatementError(f"{statement.action} data must have exactly {sorted(fields)}")
    if statement.process is not None or statement.from_state is not None or statement.to_state is not None:
        raise KeyStatementError(f"{statement.action} must have null process, from and to")
    subject = _text(statement.data, "subject")
    reason = _text(statement.data, "reason")
    del reason  # required, free text: nothing to check beyond its presence
    if statement.action == ACTION_REVOKE:
        return _KeyChange(subject, None, None, _text(statement.data, "key_id"))
    from audit.dsse import b64decode_strict  # local: dsse imports this module

    try:
        raw = b64decode_strict(statement.data["public_key"], what="data.public_key", size=PUBLIC_KEY_SIZE)
        public_key_from_bytes(raw)
    except (EnvelopeError, ValueError) as exc:
        raise KeyStatementError(f"{statement.action}: {exc}") from exc
    retires = _text(statement.data, "old_key_id") if statement.action == ACTION_ROTATE else None
    return _KeyChange(subject, raw, key_id(raw), retires)


class KeyHistory:
    """Replays key statements in log order and answers "was key K valid for actor A at index i".

    Feed it every entry in order: :meth:`check_statement` (raises on a defect), then
    :meth:`apply` (records the key change, if any). It never verifies signatures
    cryptographically: :mod:`audit.verify` does, with :meth:`signing_key` as the key source.
    """

    __slots__ = ("_objects", "_records")

    def __init__(self) -> None:
        self._records: dict[str, KeyRecord] = {}
        self._objects: dict[str, Ed25519PublicKey] = {}

    # -- queries ---------------------------------------------------------------------------

    def record(self, kid: str) -> KeyRecord | None:
        """Return what the log recorded for key ``kid`` so far, or ``None`` if never enrolled."""
        return self._records.get(kid)

    def records(self) -> tuple[KeyRecord, ...]:
        """Return every key record, in enrolment order."""
        return tuple(self._records.values())

    def public_key(self, kid: str) -> Ed25519PublicKey:
        """Return the (cached) public key object of an enrolled key.

        Raises:
            UnknownKeyError: ``kid`` was never enrolled.
        """
        key = self._objects.get(kid)
        if key is None:
            record = self._records.get(kid)
            if record is None:
                raise UnknownKeyError(f"key {kid} was never enrolled")
            key = self._objects[kid] = public_key_from_bytes(record.public_key)
        return key

    def check(self, subject: str, kid: str, index: int) -> None:
        """Check that key ``kid`` belongs to ``subject`` and may sign the entry at ``index``.

        Args:
            subject: the actor id the statement names.
            kid: the key id the statement names.
            index: the entry's position (seq) in the log.

        Raises:
            UnknownKeyError: the key was never enrolled.
            KeyOwnerError: the key belongs to another subject.
            RevokedKeyError: the key was revoked or rotated away before ``index``.
        """
        record = self._records.get(kid)
        if record is None or record.enrolled_at > index:
            raise UnknownKeyError(f"key {kid} is not enrolled at index {index}")
        if record.subject != subject:
            raise KeyOwnerError(f"key {kid} belongs to {record.subject!r}, not {subject!r}")
        if record.retired_at is not None and index > record.retired_at:
            raise RevokedKeyError(f"key {kid} was retired by {record.retired_by} at index {record.retired_at}")

    def is_valid(self, subject: str, kid: str, index: int) -> bool:
        """Tell whether :meth:`check` passes."""
        try:
            self.check(subject, kid, index)
        except KeyHistoryError:
            return False
        return True

    def valid_keys(self, subject: str, index: int) -> tuple[str, ...]:
        """Return the key ids valid for ``subject`` at ``index`` (e.g. ``SYSTEM_ID``)."""
        return tuple(r.key_id for r in self._records.values() if r.subject == subject and r.valid_at(index))

    def signing_key(self, statement: UnverifiedStatement, kid: str) -> bytes | None:
        """Return the raw public key that a signature by ``kid`` on ``statement`` is checked with.

        That is the enrolled key, or — for ``key.enrol``/``key.rotate`` — the new key the
        statement introduces (its proof-of-possession signature).

        Returns:
            The raw key, or ``None`` when ``kid`` is neither.
        """
        record = self._records.get(kid)
        if record is not None:
            return record.public_key
        if statement.action in (ACTION_ENROL, ACTION_ROTATE):
            try:
                change = _parse_key_change(statement)
            except KeyStatementError:
                return None
            if change.new_key_id == kid:
                return change.new_key
        return None

    # -- replay ----------------------------------------------------------------------------

    def _bootstrap(self, statement: UnverifiedStatement, change: _KeyChange | None) -> bool:
        return (
            statement.action == ACTION_ENROL
            and change is not None
            and change.subject == SYSTEM_ID
            and statement.actor.id == SYSTEM_ID
            and statement.actor.key_id == change.new_key_id
            # ever, not just now: once all system keys are gone, nobody may self-enrol a new one
            and not any(r.subject == SYSTEM_ID for r in self._records.values())
        )

    def check_statement(self, index: int, statement: UnverifiedStatement, signed_by: Collection[str]) -> None:
        """Check who may have signed ``statement`` at ``index``, against the history so far.

        Cryptographic validity of the signatures is *not* checked here.

        Args:
            index: the entry's position (seq).
            statement: the parsed statement payload.
            signed_by: the key ids of the envelope's signatures.

        Raises:
            UnknownKeyError: a signer or the actor's key was never enrolled.
            ForeignSignatureError: a known key signed although it has no part in this statement.
            KeyOwnerError: the actor's key belongs to someone else.
            RevokedKeyError: the actor's key was retired before ``index``.
            MissingSignatureError: the actor's (or the new key's) signature is absent.
            KeyStatementError: a malformed or impossible key statement.
        """
        change = _parse_key_change(statement) if statement.action in KEY_ACTIONS else None
        allowed = {statement.actor.key_id}
        if change is not None and change.new_key_id is not None:
            allowed.add(change.new_key_id)
        for kid in signed_by:
            if kid in allowed:
                continue
            if kid not in self._records:
                raise UnknownKeyError(f"signature by key {kid}, which was never enrolled")
            raise ForeignSignatureError(f"key {kid} signed, but only {sorted(allowed)} may sign this statement")
        if not self._bootstrap(statement, change):
            self.check(statement.actor.id, statement.actor.key_id, index)
        for kid in sorted(allowed):
            if kid not in signed_by:
                raise MissingSignatureError(f"the statement lacks the signature of key {kid}")
        if change is not None:
            self._check_change(index, statement, change)

    def _check_change(self, index: int, statement: UnverifiedStatement, change: _KeyChange) -> None:
        actor = statement.actor
        if change.new_key_id is not None and change.new_key_id in self._records:
            raise KeyStatementError(f"key {change.new_key_id} is already in the log; keys are never reused")
        if statement.action == ACTION_ENROL:
            if actor.id != SYSTEM_ID:
                raise KeyStatementError("key.enrol must be made by the system key")
            return
        if statement.action == ACTION_ROTATE:
            if actor.id != change.subject or actor.key_id != change.retires:
                raise KeyStatementError("key.rotate must be made by the subject with the key it retires")
            return
        # key.revoke: by the system, or by the subject itself; the target must be the subject's, live.
        if actor.id not in (SYSTEM_ID, change.subject):
            raise KeyStatementError("key.revoke must be made by the system key or by the subject")
        assert change.retires is not None  # set for every revoke by _parse_key_change
        try:
            self.check(change.subject, change.retires, index)
        except KeyHistoryError as exc:
            raise KeyStatementError(f"cannot revoke: {exc}") from exc

    def apply(self, index: int, statement: UnverifiedStatement) -> None:
        """Record the key change a statement makes (none for ordinary actions).

        Call after :meth:`check_statement` passed; a failed key statement should not be applied.

        Args:
            index: the entry's position (seq).
            statement: the parsed statement payload.

        Raises:
            KeyStatementError: malformed key statement data.
        """
        if statement.action not in KEY_ACTIONS:
            return
        change = _parse_key_change(statement)
        if change.retires is not None and change.retires in self._records:
            old = self._records[change.retires]
            self._records[change.retires] = KeyRecord(
                old.key_id, old.public_key, old.subject, old.enrolled_at, index, statement.action
            )
        if change.new_key is not None and change.new_key_id is not None:
            self._records[change.new_key_id] = KeyRecord(change.new_key_id, change.new_key, change.subject, index)

    @classmethod
    def replay(cls, entries: Iterable[UnverifiedEntry]) -> KeyHistory:
        """Build the history from entries already accepted into the log (e.g. by the ledger).

        Key statements that fail :meth:`check_statement` are skipped, as the verifier does;
        signatures are not verified — run :func:`audit.verify.verify_bundle` for that.

        Args:
            entries: the log's entries in order.

        Returns:
            The history after the last entry.
        """
        history = cls()
        for entry in entries:
            try:
                statement = entry.statement_unverified()
                history.check_statement(entry.seq, statement, entry.envelope.key_ids())
            except (KeyHistoryError, MissingSignatureError, ForeignSignatureError, ValueError):
                continue
            history.apply(entry.seq, statement)
        return history
