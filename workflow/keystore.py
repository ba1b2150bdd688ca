"""Signing keys at rest: the log key, the system key and per-user keys (DESIGN.md §4, §6).

Every private key is an Ed25519 key sealed with AES-256-GCM under a key derived by scrypt from
``KEY_ENCRYPTION_KEY`` (the KEK, a passphrase from the environment) and a random salt stored in
the sealed blob, so each blob is self-describing and the KEK itself is never stored. The AAD binds
a blob to its role (``log``, ``system``, ``user:<key id>``): a sealed key moved to another slot
does not open. The log and system keys live in files in ``KEY_DIR`` (dir 0700, files 0600) and are
created on first use; user keys live sealed in the ``signing_key`` table, and their enrolment,
rotation and revocation are statements in the log, signed by the system key.

This module and ``audit/__main__.py`` are the only places that read key files (STYLE.md C8).
Private material is never logged, printed or put in an exception message.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import os
import secrets
import struct
import threading
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from flask import Flask, current_app

from audit.dsse import Envelope, sign_envelope
from audit.entry import Actor, make_statement
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
from audit.note import Ed25519Signer
from workflow import ledger
from workflow.errors import ConflictError, NotFoundError
from workflow.models.ledger import KeyOwner, KeyStatus, SigningKey

_MAGIC = b"jejak-sealed-ed25519-v1\n"
# scrypt cost: 2**15 × 8 × 128 B = 32 MiB, ~60 ms here; the cost is stored per blob so it can grow.
_SCRYPT_LOG2_N, _SCRYPT_R, _SCRYPT_P = 15, 8, 1
_SALT_LEN, _NONCE_LEN = 16, 12
_HEADER = struct.Struct(">BBB")
LOG_KEY_FILE = "log.key"
SYSTEM_KEY_FILE = "system.key"


class KeyStoreError(Exception):
    """A key could not be created, read or opened (wrong KEK, damaged file, unsafe permissions)."""


@functools.lru_cache(maxsize=256)
def _derive(kek: bytes, salt: bytes, log2_n: int, r: int, p: int) -> bytes:
    # Cached: scrypt is deliberately slow and every unseal of the same blob derives the same key.
    return Scrypt(salt=salt, length=32, n=2**log2_n, r=r, p=p).derive(kek)


def seal_private_key(private_key: Ed25519PrivateKey, kek: str, context: str) -> bytes:
    """Encrypt an Ed25519 private key under the KEK; ``context`` (e.g. ``"log"``) is bound as AAD."""
    salt, nonce = secrets.token_bytes(_SALT_LEN), secrets.token_bytes(_NONCE_LEN)
    header = _MAGIC + _HEADER.pack(_SCRYPT_LOG2_N, _SCRYPT_R, _SCRYPT_P) + salt + nonce
    key = _derive(kek.encode(), salt, _SCRYPT_LOG2_N, _SCRYPT_R, _SCRYPT_P)
    sealed = AESGCM(key).encrypt(nonce, private_key.private_bytes_raw(), header + context.encode())
    return header + sealed


def open_private_key(blob: bytes, kek: str, context: str) -> Ed25519PrivateKey:
    """Decrypt a blob from :func:`seal_private_key`.

    Raises:
        KeyStoreError: not a sealed key, or the KEK/context do not match (wrong key or tampering).
    """
    if not blob.startswith(_MAGIC) or len(blob) < len(_MAGIC) + _HEADER.size + _SALT_LEN + _NONCE_LEN + 16:
        raise KeyStoreError(f"the {context} key is not a Jejak sealed key (damaged or wrong file)")
    at = len(_MAGIC)
    log2_n, r, p = _HEADER.unpack_from(blob, at)
    at += _HEADER.size
    salt, nonce = blob[at : at + _SALT_LEN], blob[at + _SALT_LEN : at + _SALT_LEN + _NONCE_LEN]
    at += _SALT_LEN + _NONCE_LEN
    if not (10 <= log2_n <= 22 and 1 <= r <= 32 and 1 <= p <= 16):
        raise KeyStoreError(f"the {context} key has implausible KDF parameters (damaged file)")
    key = _derive(kek.encode(), salt, log2_n, r, p)
    try:
        raw = AESGCM(key).decrypt(nonce, blob[at:], blob[:at] + context.encode())
    except InvalidTag:
        raise KeyStoreError(
            f"cannot open the {context} key: JEJAK_KEY_ENCRYPTION_KEY is not the key it was sealed with, "
            "or the sealed key was altered"
        ) from None
    return Ed25519PrivateKey.from_private_bytes(raw)


def _private_dir(key_dir: Path) -> Path:
    key_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(key_dir, 0o700)  # mkdir's mode is masked by the umask; make it exact
    return key_dir


def load_or_create_key_file(path: Path, kek: str, context: str) -> Ed25519PrivateKey:
    """Open the sealed key at ``path``, creating it (0600) if absent.

    Safe when several worker processes start at once: the new file is written under a unique
    name and hard-linked into place, which fails if another process won the race; the loser then
    reads the winner's key, so all workers sign with the same key.

    Raises:
        KeyStoreError: the file is readable by others, damaged, or sealed under another KEK.
    """
    _private_dir(path.parent)
    if not path.exists():
        key = Ed25519PrivateKey.generate()
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(seal_private_key(key, kek, context))
                fh.flush()
                os.fsync(fh.fileno())
            with contextlib.suppress(FileExistsError):
                os.link(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        raise KeyStoreError(f"{path} is readable by other users (mode {mode:o}); chmod 600 it")
    return open_private_key(path.read_bytes(), kek, context)


# --- the key store -------------------------------------------------------------------------------

SYSTEM_ROLE = "system"
USER_ROLE = "key_holder"  # the role a user acts in when changing their own key


class KeyStore:
    """The server's keys, read from ``KEY_DIR`` and the database, opened with the KEK.

    One per app (:func:`get_keystore`); the opened log and system keys are cached in memory,
    user keys are opened on demand (the scrypt result is cached, so that is cheap after the first).
    """

    def __init__(self, key_dir: Path | str, kek: str | None, origin: str) -> None:
        if not kek:
            raise KeyStoreError("set JEJAK_KEY_ENCRYPTION_KEY: private keys are never stored unencrypted")
        self.key_dir = Path(key_dir)
        self.origin = origin
        self._kek = kek
        self._lock = threading.Lock()
        self._log: Ed25519Signer | None = None
        self._system: Signer | None = None

    def __repr__(self) -> str:
        return f"KeyStore(key_dir={str(self.key_dir)!r}, origin={self.origin!r})"  # never the KEK

    @property
    def log_key_path(self) -> Path:
        """The sealed log key file."""
        return self.key_dir / LOG_KEY_FILE

    @property
    def system_key_path(self) -> Path:
        """The sealed system key file."""
        return self.key_dir / SYSTEM_KEY_FILE

    def log_signer(self) -> Ed25519Signer:
        """The log key as a signed-note signer named after the origin (created on first use)."""
        with self._lock:
            if self._log is None:
                key = load_or_create_key_file(self.log_key_path, self._kek, "log")
                self._log = Ed25519Signer(self.origin, key)
            return self._log

    def log_vkey(self) -> str:
        """The log's verifier key, ``name+keyid+base64`` (what ``GET /log/key`` serves)."""
        return self.log_signer().verifier.vkey

    def system_signer(self) -> Signer:
        """The system key as a statement signer (created on first use; enrol it with :meth:`bootstrap`)."""
        with self._lock:
            if self._system is None:
                self._system = Signer(load_or_create_key_file(self.system_key_path, self._kek, "system"))
            return self._system

    # -- enrolment in the database and the log --------------------------------------------------

    def bootstrap(self, session: so.Session, now: dt.datetime) -> None:
        """Record the log key and enrol the system key in the log, if not done yet (caller commits).

        The system key's self-signed ``key.enrol`` is the log's first entry (audit.keys). Several
        workers bootstrapping at once: one wins; the others fail on ``signing_key.key_id`` or
        with ``StaleBasisError`` and can retry in a new transaction, finding the work done.

        Raises:
            KeyStoreError: the database already has another active system key (KEY_DIR swapped?).
        """
        log = self.log_signer()
        log_public = log.verifier.public_key
        log_kid = f"{log.name}+{log.key_id:08x}"
        if session.scalar(sa.select(SigningKey.id).where(SigningKey.key_id == log_kid)) is None:
            session.add(
                SigningKey(
                    key_id=log_kid, owner_kind=KeyOwner.LOG, public_key=log_public,
                    key_path=str(self.log_key_path), status=KeyStatus.ACTIVE, created_at=now,
                )
            )
            session.flush()
        system = self.system_signer()
        if session.scalar(sa.select(SigningKey.id).where(SigningKey.key_id == system.key_id)) is not None:
            return
        other = session.scalar(
            sa.select(SigningKey.key_id).where(
                SigningKey.owner_kind == KeyOwner.SYSTEM, SigningKey.status == KeyStatus.ACTIVE
            )
        )
        if other is not None:
            raise KeyStoreError(
                f"the database enrols system key {other}, but {self.system_key_path} holds another; "
                "restore the right KEY_DIR"
            )
        actor = Actor(SYSTEM_ID, SYSTEM_ROLE, system.key_id)
        data = enrol_data(SYSTEM_ID, system.public_bytes, "system key bootstrap")
        entry = _append_key_statement(session, actor, ACTION_ENROL, data, [system], now)
        session.add(
            SigningKey(
                key_id=system.key_id, owner_kind=KeyOwner.SYSTEM, public_key=system.public_bytes,
                key_path=str(self.system_key_path), status=KeyStatus.ACTIVE, enrolled_seq=entry.seq, created_at=now,
            )
        )
        session.flush()

    def _active_user_key(self, session: so.Session, user_id: int) -> SigningKey | None:
        return session.scalars(
            sa.select(SigningKey).where(SigningKey.user_id == user_id, SigningKey.status == KeyStatus.ACTIVE)
        ).first()

    def enrol_user_key(
        self, session: so.Session, user_id: int, now: dt.datetime, *, reason: str = "account created"
    ) -> SigningKey:
        """Create a key for a user, enrol it in the log (signed by the system key and the new key).

        Raises:
            ConflictError: the user already has an active key (rotate it instead).
        """
        if self._active_user_key(session, user_id) is not None:
            raise ConflictError(f"user {user_id} already has an active key; rotate it instead")
        system = self.system_signer()
        new = Signer.generate()
        actor = Actor(SYSTEM_ID, SYSTEM_ROLE, system.key_id)
        data = enrol_data(str(user_id), new.public_bytes, reason)
        entry = _append_key_statement(session, actor, ACTION_ENROL, data, [system, new], now)
        return self._store_user_key(session, user_id, new, entry.seq, now)

    def rotate_user_key(
        self, session: so.Session, user_id: int, now: dt.datetime, *, reason: str = "scheduled rotation"
    ) -> SigningKey:
        """Replace a user's key: ``key.rotate`` signed by the old key and the new one.

        Raises:
            NotFoundError: the user has no active key.
        """
        old_row = self._require_active(session, user_id)
        old = self._open_user_key(old_row)
        new = Signer.generate()
        actor = Actor(str(user_id), USER_ROLE, old.key_id)
        data = rotate_data(str(user_id), old.key_id, new.public_bytes, reason)
        entry = _append_key_statement(session, actor, ACTION_ROTATE, data, [old, new], now)
        old_row.status, old_row.revoked_at = KeyStatus.ROTATED, now
        session.flush()  # retire first: one active key per user (partial unique index)
        return self._store_user_key(session, user_id, new, entry.seq, now)

    def revoke_user_key(
        self, session: so.Session, user_id: int, now: dt.datetime, *, reason: str
    ) -> SigningKey:
        """Revoke a user's active key with a ``key.revoke`` signed by the system key.

        Args:
            reason: why, and who asked (e.g. ``"left the agency; requested by admin 3"``).

        Raises:
            NotFoundError: the user has no active key.
        """
        row = self._require_active(session, user_id)
        system = self.system_signer()
        actor = Actor(SYSTEM_ID, SYSTEM_ROLE, system.key_id)
        data = revoke_data(str(user_id), row.key_id, reason)
        _append_key_statement(session, actor, ACTION_REVOKE, data, [system], now)
        row.status, row.revoked_at = KeyStatus.REVOKED, now
        session.flush()
        return row

    def user_signer(self, session: so.Session, user_id: int) -> Signer:
        """The user's active key, opened for signing.

        Raises:
            NotFoundError: the user has no active key.
            KeyStoreError: it does not open with the configured KEK.
        """
        return self._open_user_key(self._require_active(session, user_id))

    def _require_active(self, session: so.Session, user_id: int) -> SigningKey:
        row = self._active_user_key(session, user_id)
        if row is None:
            raise NotFoundError(f"user {user_id} has no active signing key")
        return row

    def _open_user_key(self, row: SigningKey) -> Signer:
        if row.encrypted_private_key is None:
            raise KeyStoreError(f"key {row.key_id} has no sealed private key")
        return Signer(open_private_key(row.encrypted_private_key, self._kek, f"user:{row.key_id}"))

    def _store_user_key(self, session: so.Session, user_id: int, key: Signer, seq: int, now: dt.datetime) -> SigningKey:
        row = SigningKey(
            key_id=key.key_id, owner_kind=KeyOwner.USER, user_id=user_id, public_key=key.public_bytes,
            encrypted_private_key=seal_private_key(key.private_key, self._kek, f"user:{key.key_id}"),
            status=KeyStatus.ACTIVE, enrolled_seq=seq, created_at=now,
        )
        session.add(row)
        session.flush()
        return row


def _append_key_statement(
    session: so.Session, actor: Actor, action: str, data: dict[str, Any], signers: list[Signer], now: dt.datetime
) -> ledger.AppendedEntry:
    """Build, sign and append a key statement (process ``None``), signing under the log lock."""

    def sign(basis: bytes) -> Envelope:
        payload = make_statement(
            action=action, process=None, from_state=None, to_state=None, time=now, actor=actor, data=data, basis=basis
        )
        return sign_envelope(payload, signers)

    return ledger.append_signed(session, None, sign, now=now)


def get_keystore(app: Flask | None = None) -> KeyStore:
    """The app's key store (built once from ``KEY_DIR``, ``KEY_ENCRYPTION_KEY``, ``LOG_ORIGIN``)."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    store = app.extensions.get("jejak_keystore")
    if store is None:
        store = app.extensions.setdefault(
            "jejak_keystore",
            KeyStore(app.config["KEY_DIR"], app.config.get("KEY_ENCRYPTION_KEY"), app.config["LOG_ORIGIN"]),
        )
    return store
