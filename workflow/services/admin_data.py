"""The admin's reference data: units, positions and their standards, vacancies, accounts' roles.

One function per action, each one transaction (``_tx.transaction``): lock the row, check the
actor (an active admin, 403), check the input (422, with reasons per form field) and the state
(409), change the rows, sign and append a statement when the change matters to merit decisions
or to who may decide, then commit — or change nothing.

Statements follow the action pattern of ``_tx.py`` (lock, check, change, sign, append, commit).
Like key statements they are log-level: their ``process`` is ``null`` (DESIGN.md §4, docs/services.md),
so process replays do not take them for processes, and their ``basis`` is read under the log lock
(``ledger.append_signed``). A form carries a short digest of what the admin saw
(:func:`position_version`, :func:`account_version`); a save made on an older view is refused
(:class:`StaleViewError`, 409), as a stale ``expected_basis`` is for a process.

- ``create_position``: ``position.create``, data ``position`` (the nomination's position facts:
  code, type, minimums, standards — ``merit.evidence.position_to_dict``), ``unit`` (code), ``vacant``;
- ``update_position`` / ``set_standards``, when a requirement or the code changed:
  ``position.update``, data as above plus ``changed`` (field names) and ``previous`` (the facts
  before), so a reader sees the old and the new requirement side by side;
- ``open_vacancy``: ``vacancy.open`` (``closed`` → ``open``), data ``position`` (facts), ``vacant_since``;
- ``close_vacancy``: ``vacancy.close`` (``open`` → ``closed``), data ``position`` (code);
- ``set_roles``: ``account.roles``, data ``account`` (id), ``roles``, ``previous``;
- ``set_active``: ``account.deactivate`` / ``account.reactivate`` (``active`` ↔ ``inactive``), data
  ``account`` (id).

Statements carry codes, levels and account ids only — no names, NIPs or free texts. The admin's
own key signs (role ``admin``); an admin without an active key is refused (403 ``key.missing``).
Units (names and parents) and a position's title or unit do not change who is eligible, so they
are not logged. Requirements cannot change, and a vacancy cannot close, while the position has an
open process: the process pinned them (``position.locked``, 409).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from collections.abc import Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import Any, Final

import sqlalchemy as sa
import sqlalchemy.orm as so
from sqlalchemy.exc import IntegrityError

from audit.dsse import Envelope, sign_envelope
from audit.entry import Actor as StatementActor
from audit.entry import make_statement
from workflow import importing, ledger
from workflow.errors import ConflictError, InvalidInputError, NotFoundError
from workflow.keystore import get_keystore
from workflow.lifecycle import TERMINAL_STAGES, Label, Reason
from workflow.merit.evidence import position_to_dict
from workflow.merit.facts import PositionFacts
from workflow.models import CompetencyStandard, Employee, OrgUnit, Position, Role, User, UserRole
from workflow.models import process as m
from workflow.models.ledger import KeyStatus, SigningKey
from workflow.reference import COMPETENCIES, COMPETENCY_LEVEL_MAX, COMPETENCY_LEVEL_MIN
from workflow.services import accounts
from workflow.services._reasons import NotPermittedError, RefusedError
from workflow.services._reasons import reason as service_reason
from workflow.services._tx import transaction

log = logging.getLogger(__name__)

# Fields of a position that the nomination reads (merit.facts.PositionFacts): changing one is a
# statement; changing the title or the unit is not.
REQUIREMENT_FIELDS: Final = ("code", "type", "min_golongan", "min_education", "min_experience_years")

# Why a key is revoked: a fixed list, so no free text (which could name people) reaches the log.
REVOKE_REASONS: Final = ("compromised", "device_lost", "left_agency", "role_ended", "other")

MESSAGES: Final[Mapping[str, Label]] = MappingProxyType(
    {
        "unit.code_taken": Label("Kode unit {code} sudah dipakai unit lain.", "Unit code {code} is already in use."),
        "unit.parent_unknown": Label("Unit induk tidak ditemukan.", "The parent unit does not exist."),
        "unit.parent_cycle": Label(
            "Unit tidak boleh menjadi induk bagi dirinya sendiri atau bagi unit di atasnya.",
            "A unit cannot be its own parent, nor the parent of a unit above it.",
        ),
        "position.code_taken": Label(
            "Kode jabatan {code} sudah dipakai jabatan lain.", "Position code {code} is already in use."
        ),
        "position.unit_unknown": Label("Unit kerja tidak ditemukan.", "The unit does not exist."),
        "position.standard_unknown": Label(
            "Kompetensi {competency} tidak dikenal.", "Unknown competency {competency}."
        ),
        "position.standard_level": Label(
            "Level standar kompetensi harus {min}–{max}.", "A competency standard level is {min} to {max}."
        ),
        "position.locked": Label(
            "Jabatan {position} sedang dalam proses pengisian ({process}); persyaratan dan lowongannya tidak "
            "dapat diubah sampai proses itu selesai atau dibatalkan.",
            "Position {position} has an open process ({process}); its requirements and vacancy cannot change "
            "until that process ends or is cancelled.",
        ),
        "vacancy.already_open": Label("Jabatan {position} sudah lowong.", "Position {position} is already vacant."),
        "vacancy.already_closed": Label(
            "Jabatan {position} tidak sedang lowong.", "Position {position} is not vacant."
        ),
        "account.username_taken": Label(
            "Nama pengguna {username} sudah dipakai.", "The username {username} is already taken."
        ),
        "account.employee_unknown": Label(
            "Tidak ada pegawai dengan NIP {nip} di data merit.", "No employee with NIP {nip} in the merit data."
        ),
        "account.employee_linked": Label(
            "Pegawai dengan NIP {nip} sudah terhubung ke akun {username}.",
            "The employee with NIP {nip} is already linked to account {username}.",
        ),
        "account.self_demotion": Label(
            "Anda tidak dapat mencabut peran admin dari akun Anda sendiri. Minta admin lain melakukannya.",
            "You cannot remove the admin role from your own account. Ask another admin to do it.",
        ),
        "account.self_deactivation": Label(
            "Anda tidak dapat menonaktifkan akun Anda sendiri. Minta admin lain melakukannya.",
            "You cannot deactivate your own account. Ask another admin to do it.",
        ),
        "account.already": Label(
            "Akun {user} sudah dalam keadaan itu; tidak ada yang diubah.",
            "Account {user} is already in that state; nothing changed.",
        ),
        "key.none_active": Label(
            "Akun {user} tidak memiliki kunci tanda tangan yang aktif.", "Account {user} has no active signing key."
        ),
        "key.already_active": Label(
            "Akun {user} sudah memiliki kunci tanda tangan yang aktif; cabut dulu sebelum mendaftarkan yang baru.",
            "Account {user} already has an active signing key; revoke it before enrolling a new one.",
        ),
        "key.reason_unknown": Label("Alasan {reason} tidak dikenal.", "Unknown reason {reason}."),
    }
)


def reason(code: str, /, **params: str | int) -> Reason:
    """A :class:`Reason` from this module's catalogue, else from the services' and the machine's."""
    label = MESSAGES.get(code)
    if label is None:
        return service_reason(code, **params)
    return Reason(
        code=code,
        params=MappingProxyType(dict(params)),
        message_id=label.id.format(**params),
        message_en=label.en.format(**params),
    )


class DataInputError(InvalidInputError):
    """422: the input names something that does not exist or is taken; ``reasons`` per form field.

    ``errors`` holds the English messages (JSON clients, logs); pages render ``reasons`` in the
    reader's language.
    """

    def __init__(self, reasons: Mapping[str, Sequence[Reason]]) -> None:
        self.reasons = {name: tuple(rs) for name, rs in reasons.items()}
        super().__init__(
            "The input was refused; nothing changed.",
            {name: [r.message_en for r in rs] for name, rs in self.reasons.items()},
        )


class StaleViewError(ConflictError):
    """409: the row changed since the admin's page showed it (another admin, another tab)."""


def _digest(parts: Mapping[str, Any]) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:16]


def position_version(position: Position) -> str:
    """A digest of everything an admin can change on a position; forms send it back."""
    return _digest({
        "code": position.code, "title": position.title, "type": str(position.type), "unit": position.unit_id,
        "min_golongan": position.min_golongan, "min_education": position.min_education,
        "min_experience_years": position.min_experience_years, "vacant": bool(position.is_vacant),
        "standards": {s.competency: int(s.level) for s in position.standards},
    })


def account_version(user: User) -> str:
    """A digest of an account's roles and activation; forms send it back."""
    return _digest({"roles": _role_names(r.role for r in user.roles), "active": bool(user.is_active)})


# --- shared steps ----------------------------------------------------------------------------------


def _require_admin(actor: User, action: str) -> None:
    if not actor.is_active:
        raise NotPermittedError(action, [reason("account.inactive", user=str(actor.id))])
    if not actor.has_role(Role.ADMIN):
        held = ",".join(sorted(str(r.role) for r in actor.roles)) or "none"
        raise NotPermittedError(action, [reason("role.not_permitted", role=held, action=action)])


def _check_version(current: str, expected: str | None, what: str) -> None:
    if expected is not None and expected != current:
        raise StaleViewError(f"{what} changed since you looked at it; reload and try again")


def _log(
    session: so.Session,
    action: str,
    *,
    actor: User,
    now: dt.datetime,
    data: Mapping[str, Any],
    states: tuple[str | None, str | None] = (None, None),
) -> ledger.AppendedEntry:
    """Sign with the admin's own key and append (the last write before the commit, as in ``_tx``)."""
    try:
        signer = get_keystore().user_signer(session, actor.id)
    except NotFoundError:
        raise NotPermittedError(action, [reason("key.missing", user=str(actor.id))]) from None
    who = StatementActor(str(actor.id), str(Role.ADMIN), signer.key_id)

    def sign(basis: bytes) -> Envelope:
        payload = make_statement(action=action, process=None, from_state=states[0], to_state=states[1], time=now,
                                 actor=who, data=dict(data), basis=basis)
        return sign_envelope(payload, [signer])

    session.flush()
    return ledger.append_signed(session, None, sign, now=now)


def checkpoint_soon(session: so.Session, now: dt.datetime) -> None:
    """After a commit: sign a checkpoint if one is due (``ledger.maybe_checkpoint``), in its own
    transaction. A failure here is logged, not raised: the action itself is already committed and
    the next action's checkpoint covers it."""
    try:
        with transaction(session):
            ledger.maybe_checkpoint(session, get_keystore().log_signer(), now)
    except Exception:
        log.exception("checkpoint after an admin action failed; the next action retries")


def _lock(session: so.Session, model: type[Any], row_id: int, what: str) -> Any:
    row = session.scalars(
        sa.select(model).where(model.id == row_id).with_for_update().execution_options(populate_existing=True)
    ).one_or_none()
    if row is None:
        raise NotFoundError(f"{what} {row_id}")
    return row


def _open_process_id(session: so.Session, position_id: int) -> int | None:
    return session.scalar(
        sa.select(m.Process.id).where(
            m.Process.position_id == position_id, m.Process.status.not_in(list(TERMINAL_STAGES))
        ).limit(1)
    )


def _refuse_if_locked(session: so.Session, position: Position, action: str) -> None:
    busy = _open_process_id(session, position.id)
    if busy is not None:
        raise RefusedError(action, [reason("position.locked", position=position.code, process=busy)])


# --- units -----------------------------------------------------------------------------------------


def _check_unit(session: so.Session, unit_id: int | None, code: str, parent_id: int | None) -> None:
    problems: dict[str, list[Reason]] = {}
    taken = session.scalar(sa.select(OrgUnit.id).where(OrgUnit.code == code))
    if taken is not None and taken != unit_id:
        problems["code"] = [reason("unit.code_taken", code=code)]
    if parent_id is not None:
        if session.get(OrgUnit, parent_id) is None:
            problems["parent_id"] = [reason("unit.parent_unknown")]
        elif unit_id is not None and unit_id in _ancestors(session, parent_id):
            problems["parent_id"] = [reason("unit.parent_cycle")]
    if problems:
        raise DataInputError(problems)


def _ancestors(session: so.Session, unit_id: int) -> set[int]:
    """``unit_id`` and every unit above it (stops on a loop already in the data)."""
    seen: set[int] = set()
    current: int | None = unit_id
    while current is not None and current not in seen:
        seen.add(current)
        current = session.scalar(sa.select(OrgUnit.parent_id).where(OrgUnit.id == current))
    return seen


def create_unit(
    session: so.Session, *, actor: User, code: str, name: str, parent_id: int | None, now: dt.datetime
) -> OrgUnit:
    """Create an organisational unit.

    Raises:
        NotPermittedError: ``actor`` is not an active admin.
        DataInputError: the code is taken or the parent does not exist (``code``, ``parent_id``).
    """
    del now  # units carry no timestamps; the parameter keeps every action's signature alike
    with transaction(session):
        _require_admin(actor, "create_unit")
        _check_unit(session, None, code, parent_id)
        unit = OrgUnit(code=code, name=name, parent_id=parent_id)
        session.add(unit)
        session.flush()
    return unit


def update_unit(
    session: so.Session, unit_id: int, *, actor: User, code: str, name: str, parent_id: int | None,
    now: dt.datetime,
) -> OrgUnit:
    """Change a unit's code, name or parent.

    Raises:
        NotFoundError: no such unit.
        NotPermittedError: ``actor`` is not an active admin.
        DataInputError: the code is taken, the parent does not exist or would make a loop.
    """
    del now
    with transaction(session):
        _require_admin(actor, "update_unit")
        unit = _lock(session, OrgUnit, unit_id, "unit")
        _check_unit(session, unit.id, code, parent_id)
        unit.code, unit.name, unit.parent_id = code, name, parent_id
    return unit


# --- positions -------------------------------------------------------------------------------------


def _facts(position: Position) -> dict[str, Any]:
    """The position as the nomination pins it (``merit.evidence.position_to_dict``)."""
    return position_to_dict(
        PositionFacts(
            code=position.code,
            type=str(position.type),
            min_golongan=None if position.min_golongan is None else str(position.min_golongan),
            min_education=None if position.min_education is None else str(position.min_education),
            min_experience_years=int(position.min_experience_years or 0),
            standards=tuple(sorted((s.competency, int(s.level)) for s in position.standards)),
        )
    )


def _position_data(session: so.Session, position: Position, **extra: Any) -> dict[str, Any]:
    unit_code = session.scalar(sa.select(OrgUnit.code).where(OrgUnit.id == position.unit_id))
    return {"position": _facts(position), "unit": unit_code, "vacant": bool(position.is_vacant), **extra}


def _check_position(session: so.Session, position_id: int | None, code: str, unit_id: int) -> None:
    problems: dict[str, list[Reason]] = {}
    taken = session.scalar(sa.select(Position.id).where(Position.code == code))
    if taken is not None and taken != position_id:
        problems["code"] = [reason("position.code_taken", code=code)]
    if session.get(OrgUnit, unit_id) is None:
        problems["unit_id"] = [reason("position.unit_unknown")]
    if problems:
        raise DataInputError(problems)


def _check_standards(standards: Mapping[str, int]) -> None:
    problems: dict[str, list[Reason]] = {}
    for name, level in standards.items():
        if name not in COMPETENCIES:
            problems[name] = [reason("position.standard_unknown", competency=name)]
        elif not COMPETENCY_LEVEL_MIN <= level <= COMPETENCY_LEVEL_MAX:
            problems[name] = [reason("position.standard_level", min=COMPETENCY_LEVEL_MIN, max=COMPETENCY_LEVEL_MAX)]
    if problems:
        raise DataInputError(problems)


def create_position(
    session: so.Session,
    *,
    actor: User,
    code: str,
    title: str,
    type: str,
    unit_id: int,
    min_golongan: str | None,
    min_education: str | None,
    min_experience_years: int,
    now: dt.datetime,
    standards: Mapping[str, int] | None = None,
) -> Position:
    """Create a position (not vacant) with its requirements; statement ``position.create``.

    Raises:
        NotPermittedError: ``actor`` is not an active admin or has no signing key.
        DataInputError: the code is taken, the unit does not exist, a standard is invalid.
    """
    with transaction(session):
        _require_admin(actor, "create_position")
        _check_position(session, None, code, unit_id)
        _check_standards(standards or {})
        position = Position(
            code=code, title=title, type=type, unit_id=unit_id, min_golongan=min_golongan,
            min_education=min_education, min_experience_years=min_experience_years, is_vacant=False,
            standards=[CompetencyStandard(competency=c, level=lv) for c, lv in sorted((standards or {}).items())],
        )
        session.add(position)
        session.flush()
        _log(session, "position.create", actor=actor, now=now,
             data=_position_data(session, position))
    checkpoint_soon(session, now)
    return position


def update_position(
    session: so.Session,
    position_id: int,
    *,
    actor: User,
    code: str,
    title: str,
    type: str,
    unit_id: int,
    min_golongan: str | None,
    min_education: str | None,
    min_experience_years: int,
    now: dt.datetime,
    expected_version: str | None = None,
) -> list[str]:
    """Change a position's code, title, type, unit or minimums.

    A change to a requirement (``REQUIREMENT_FIELDS``) appends ``position.update`` and is refused
    while the position has an open process; a change of title or unit alone is not logged.

    Returns:
        The names of the fields that changed (empty: nothing to do, nothing written).

    Raises:
        NotFoundError: no such position.
        NotPermittedError: ``actor`` is not an active admin or has no signing key.
        StaleViewError: the position changed since ``expected_version``.
        DataInputError: the code is taken or the unit does not exist.
        RefusedError: a requirement would change while a process is open (``position.locked``).
    """
    wanted = {
        "code": code, "title": title, "type": type, "unit_id": unit_id, "min_golongan": min_golongan,
        "min_education": min_education, "min_experience_years": min_experience_years,
    }
    with transaction(session):
        _require_admin(actor, "update_position")
        position = _lock(session, Position, position_id, "position")
        _check_version(position_version(position), expected_version, f"position {position.code}")
        _check_position(session, position.id, code, unit_id)
        before = _facts(position)
        changed = [name for name, value in wanted.items() if _stored(getattr(position, name)) != _stored(value)]
        requirements = [name for name in changed if name in REQUIREMENT_FIELDS]
        if requirements:
            _refuse_if_locked(session, position, "update_position")
        for name in changed:
            setattr(position, name, wanted[name])
        if requirements:
            _log(session, "position.update", actor=actor, now=now,
                 data=_position_data(session, position, changed=requirements, previous=before))
    if changed:
        checkpoint_soon(session, now)
    return changed


def _stored(value: object) -> object:
    return None if value is None else str(value)


def set_standards(
    session: so.Session,
    position_id: int,
    *,
    actor: User,
    standards: Mapping[str, int],
    now: dt.datetime,
    expected_version: str | None = None,
) -> bool:
    """Replace a position's competency standards (a competency left out has no standard).

    Appends ``position.update`` (``changed: ["standards"]``) when they differ.

    Returns:
        Whether anything changed.

    Raises:
        NotFoundError, NotPermittedError, StaleViewError: as :func:`update_position`.
        DataInputError: an unknown competency or a level outside 1–5 (keyed by competency).
        RefusedError: the position has an open process (``position.locked``).
    """
    with transaction(session):
        _require_admin(actor, "set_standards")
        position = _lock(session, Position, position_id, "position")
        _check_version(position_version(position), expected_version, f"position {position.code}")
        _check_standards(standards)
        current = {s.competency: int(s.level) for s in position.standards}
        if current == dict(standards):
            return False
        _refuse_if_locked(session, position, "set_standards")
        before = _facts(position)
        by_name = {s.competency: s for s in position.standards}
        for name in set(current) - set(standards):
            position.standards.remove(by_name[name])
        for name, level in standards.items():
            if name in by_name:
                by_name[name].level = level
            else:
                position.standards.append(CompetencyStandard(competency=name, level=level))
        session.flush()
        session.refresh(position, ["standards"])
        _log(session, "position.update", actor=actor, now=now,
             data=_position_data(session, position, changed=["standards"], previous=before))
    checkpoint_soon(session, now)
    return True


def open_vacancy(
    session: so.Session, position_id: int, *, actor: User, now: dt.datetime, expected_version: str | None = None
) -> Position:
    """Mark a position vacant from today (UTC date); statement ``vacancy.open`` with its requirements.

    Raises:
        NotFoundError, NotPermittedError, StaleViewError: as :func:`update_position`.
        RefusedError: already vacant (``vacancy.already_open``).
    """
    with transaction(session):
        _require_admin(actor, "open_vacancy")
        position = _lock(session, Position, position_id, "position")
        _check_version(position_version(position), expected_version, f"position {position.code}")
        if position.is_vacant:
            raise RefusedError("open_vacancy", [reason("vacancy.already_open", position=position.code)])
        position.is_vacant, position.vacant_since = True, now.date()
        _log(session, "vacancy.open", actor=actor, now=now, states=("closed", "open"),
             data={"position": _facts(position), "vacant_since": now.date().isoformat()})
    checkpoint_soon(session, now)
    return position


def close_vacancy(
    session: so.Session, position_id: int, *, actor: User, now: dt.datetime, expected_version: str | None = None
) -> Position:
    """Withdraw a vacancy (no appointment); statement ``vacancy.close``.

    Raises:
        NotFoundError, NotPermittedError, StaleViewError: as :func:`update_position`.
        RefusedError: not vacant (``vacancy.already_closed``), or an open process (``position.locked``).
    """
    with transaction(session):
        _require_admin(actor, "close_vacancy")
        position = _lock(session, Position, position_id, "position")
        _check_version(position_version(position), expected_version, f"position {position.code}")
        if not position.is_vacant:
            raise RefusedError("close_vacancy", [reason("vacancy.already_closed", position=position.code)])
        _refuse_if_locked(session, position, "close_vacancy")
        position.is_vacant, position.vacant_since = False, None
        _log(session, "vacancy.close", actor=actor, now=now, states=("open", "closed"),
             data={"position": position.code})
    checkpoint_soon(session, now)
    return position


# --- merit import ----------------------------------------------------------------------------------


def import_merit_file(
    session: so.Session, *, actor: User, name: str, content: bytes, now: dt.datetime
) -> importing.ImportReport:
    """The CLI's ``import-merit`` for an admin's upload: the same reader, validation and writer.

    Every record is validated first; one problem means nothing is written.

    Raises:
        NotPermittedError: ``actor`` is not an active admin.
        MeritImportError: the file or a record is invalid (``problems``: line, field, reason).
        UnsupportedFormatError: the name ends in neither ``.csv`` nor ``.json``.
    """
    _require_admin(actor, "import_merit")
    stamp = now.astimezone(dt.UTC).replace(tzinfo=None, microsecond=0)  # stored naive UTC, as the CLI does
    return importing.import_merit(name, content, today=now.astimezone(dt.UTC).date(), now=stamp)


# --- accounts --------------------------------------------------------------------------------------


def create_account(
    session: so.Session,
    *,
    actor: User,
    username: str,
    display_name: str,
    password_hash: str,
    roles: Sequence[Role],
    now: dt.datetime,
    nip: str | None = None,
    affiliation: str = "",
) -> User:
    """Create an account through :func:`accounts.create_user` (which enrols its key: ``key.enrol``).

    ``nip`` links the account to that employee's merit record (an ASN sees only their own).

    Raises:
        NotPermittedError: ``actor`` is not an active admin.
        DataInputError: the username is taken, no employee has ``nip``, or it is linked already
            (``username``, ``nip``).
    """
    _require_admin(actor, "create_user")
    problems: dict[str, list[Reason]] = {}
    if session.scalar(sa.select(User.id).where(User.username == username)) is not None:
        problems["username"] = [reason("account.username_taken", username=username)]
    employee_id = None
    if nip:
        employee_id = session.scalar(sa.select(Employee.id).where(Employee.nip == nip))
        if employee_id is None:
            problems["nip"] = [reason("account.employee_unknown", nip=nip)]
        else:
            holder = session.scalar(sa.select(User.username).where(User.employee_id == employee_id))
            if holder is not None:
                problems["nip"] = [reason("account.employee_linked", nip=nip, username=holder)]
    if problems:
        raise DataInputError(problems)
    try:
        user = accounts.create_user(
            session, actor=actor, username=username, display_name=display_name, password_hash=password_hash,
            roles=list(roles), now=now, employee_id=employee_id, affiliation=affiliation,
        )
    except ConflictError:  # a racing request took the username between the check and the insert
        raise DataInputError({"username": [reason("account.username_taken", username=username)]}) from None
    except IntegrityError:  # ... or linked the employee
        raise DataInputError({"nip": [reason("account.employee_linked", nip=nip or "", username="?")]}) from None
    checkpoint_soon(session, now)
    return user


def _role_names(roles: Iterable[Role | str]) -> list[str]:
    order = {str(r): i for i, r in enumerate(Role)}
    return sorted({str(r) for r in roles}, key=order.__getitem__)


def set_roles(
    session: so.Session,
    user_id: int,
    *,
    actor: User,
    roles: Sequence[Role],
    now: dt.datetime,
    expected_version: str | None = None,
) -> bool:
    """Replace an account's roles; statement ``account.roles`` (before and after).

    Returns:
        Whether anything changed (no statement when not).

    Raises:
        NotFoundError: no such account.
        NotPermittedError: ``actor`` is not an active admin or has no signing key.
        StaleViewError: the account changed since ``expected_version``.
        RefusedError: the admin would remove their own admin role (``account.self_demotion``).
    """
    with transaction(session):
        _require_admin(actor, "set_roles")
        user = _lock(session, User, user_id, "account")
        _check_version(account_version(user), expected_version, f"account {user.id}")
        before, after = _role_names(r.role for r in user.roles), _role_names(roles)
        if user.id == actor.id and str(Role.ADMIN) not in after:
            raise RefusedError("set_roles", [reason("account.self_demotion")])
        if before == after:
            return False
        keep = [r for r in user.roles if str(r.role) in after]
        user.roles = keep + [UserRole(role=Role(name)) for name in after if name not in before]
        session.flush()
        _log(session, "account.roles", actor=actor, now=now,
             data={"account": str(user.id), "roles": after, "previous": before})
    checkpoint_soon(session, now)
    return True


def set_active(
    session: so.Session,
    user_id: int,
    *,
    actor: User,
    active: bool,
    now: dt.datetime,
    expected_version: str | None = None,
) -> User:
    """Deactivate (sessions end on the next request, sign-in refused) or reactivate an account.

    Statement ``account.deactivate`` or ``account.reactivate``. The signing key is untouched:
    revoke it separately (:func:`revoke_key`) when it may be misused.

    Raises:
        NotFoundError, NotPermittedError, StaleViewError: as :func:`set_roles`.
        RefusedError: the admin's own account (``account.self_deactivation``), or no change.
    """
    action = "account.reactivate" if active else "account.deactivate"
    with transaction(session):
        _require_admin(actor, action)
        user = _lock(session, User, user_id, "account")
        _check_version(account_version(user), expected_version, f"account {user.id}")
        if user.id == actor.id and not active:
            raise RefusedError(action, [reason("account.self_deactivation")])
        if bool(user.is_active) == active:
            raise RefusedError(action, [reason("account.already", user=str(user.id))])
        user.is_active = active
        _log(session, action, actor=actor, now=now,
             states=("inactive", "active") if active else ("active", "inactive"), data={"account": str(user.id)})
    checkpoint_soon(session, now)
    return user


def _active_key(session: so.Session, user_id: int) -> str | None:
    return session.scalar(
        sa.select(SigningKey.key_id).where(SigningKey.user_id == user_id, SigningKey.status == KeyStatus.ACTIVE)
    )


def revoke_key(session: so.Session, user_id: int, *, actor: User, reason_code: str, now: dt.datetime) -> SigningKey:
    """Revoke an account's signing key through :func:`accounts.revoke_user_key` (``key.revoke``).

    ``reason_code`` is one of :data:`REVOKE_REASONS`: the reason goes into the public log, so it
    is never free text.

    Raises:
        NotFoundError: no such account.
        NotPermittedError: ``actor`` is not an active admin.
        DataInputError: unknown reason (``reason``).
        RefusedError: the account has no active key (``key.none_active``).
    """
    _require_admin(actor, "revoke_user_key")
    if session.get(User, user_id) is None:
        raise NotFoundError(f"account {user_id}")
    if reason_code not in REVOKE_REASONS:
        raise DataInputError({"reason": [reason("key.reason_unknown", reason=reason_code)]})
    if _active_key(session, user_id) is None:
        raise RefusedError("revoke_user_key", [reason("key.none_active", user=str(user_id))])
    try:
        row = accounts.revoke_user_key(session, actor=actor, user_id=user_id, reason_text=reason_code, now=now)
    except NotFoundError:  # revoked by someone else meanwhile
        raise RefusedError("revoke_user_key", [reason("key.none_active", user=str(user_id))]) from None
    checkpoint_soon(session, now)
    return row


def enrol_key(session: so.Session, user_id: int, *, actor: User, now: dt.datetime) -> SigningKey:
    """Give an account without an active key (e.g. after revocation) a new one (``key.enrol``).

    Raises:
        NotFoundError: no such account.
        NotPermittedError: ``actor`` is not an active admin.
        RefusedError: the account already has an active key (``key.already_active``).
    """
    with transaction(session):
        _require_admin(actor, "enrol_user_key")
        user = _lock(session, User, user_id, "account")
        if _active_key(session, user.id) is not None:
            raise RefusedError("enrol_user_key", [reason("key.already_active", user=str(user.id))])
        store = get_keystore()
        store.bootstrap(session, now)
        row = store.enrol_user_key(session, user.id, now, reason=f"new key enrolled by admin {actor.id}")
    checkpoint_soon(session, now)
    return row
