"""Leaves and statements: the exact DESIGN.md §4 shape, canonical bytes, strict parsing."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
import rfc8785

from audit import merkle
from audit.dsse import sign_envelope
from audit.entry import (
    ZERO_HASH,
    Actor,
    build_leaf,
    format_time,
    make_statement,
    parse_leaf_unverified,
    parse_statement_unverified,
    parse_time,
)
from audit.errors import (
    CanonicalError,
    EntryFormatError,
    EnvelopeError,
    MalformedJSONError,
    NotCanonicalError,
    StatementFormatError,
)
from tests.audit.helpers import T0, seeded

ALICE = seeded("alice")
ACTOR = Actor("42", "committee_chair", ALICE.key_id)


def _statement(**overrides: Any) -> bytes:
    fields: dict[str, Any] = {
        "action": "process.shortlist",
        "process": "P-7",
        "from_state": "competency_verified",
        "to_state": "shortlisted",
        "time": T0,
        "actor": ACTOR,
        "data": {"rules": "2026.1", "shortlist": ["c-3", "c-1"], "score": "88.25"},
        "basis": bytes(range(32)),
    }
    fields.update(overrides)
    return make_statement(**fields)


def test_statement_is_canonical_with_exact_fields() -> None:
    payload = _statement()
    obj = json.loads(payload)
    assert payload == rfc8785.dumps(obj)
    assert obj == {
        "action": "process.shortlist",
        "process": "P-7",
        "from": "competency_verified",
        "to": "shortlisted",
        "time": "2026-03-02T08:00:00Z",
        "actor": {"id": "42", "role": "committee_chair", "key_id": ALICE.key_id},
        "data": {"rules": "2026.1", "shortlist": ["c-3", "c-1"], "score": "88.25"},
        "basis": base64.b64encode(bytes(range(32))).decode(),
    }
    parsed = parse_statement_unverified(payload)
    assert (parsed.action, parsed.process, parsed.from_state, parsed.to_state) == (
        "process.shortlist",
        "P-7",
        "competency_verified",
        "shortlisted",
    )
    assert parsed.actor == ACTOR and parsed.basis == bytes(range(32)) and parsed.payload == payload


def test_leaf_is_canonical_with_exact_fields() -> None:
    envelope = sign_envelope(_statement(), [ALICE])
    prev = bytes([7]) * 32
    leaf = build_leaf(5, prev, T0 + timedelta(seconds=59, microseconds=999), envelope)
    obj = json.loads(leaf)
    assert list(obj) == ["prev", "seq", "statement", "time", "v"]
    assert obj["v"] == 1 and obj["seq"] == 5 and obj["time"] == "2026-03-02T08:00:59Z"
    assert base64.b64decode(obj["prev"]) == prev
    assert obj["statement"] == envelope.to_json()
    assert leaf == rfc8785.dumps(obj)
    entry = parse_leaf_unverified(leaf)
    assert (entry.seq, entry.prev, entry.envelope, entry.leaf) == (5, prev, envelope, leaf)
    assert entry.leaf_hash == merkle.leaf_hash(leaf)
    assert entry.statement_unverified().payload == envelope.payload


def test_entry_zero_prev_is_32_zero_bytes() -> None:
    leaf = build_leaf(0, ZERO_HASH, T0, sign_envelope(_statement(), [ALICE]))
    assert json.loads(leaf)["prev"] == "A" * 43 + "="


def test_times() -> None:
    wib = timezone(timedelta(hours=7))
    assert format_time(datetime(2026, 3, 2, 15, 0, tzinfo=wib)) == "2026-03-02T08:00:00Z"
    assert parse_time("2026-03-02T08:00:00Z") == T0
    with pytest.raises(ValueError, match="timezone-aware"):
        format_time(datetime(2026, 3, 2))
    for bad in ("2026-03-02T08:00:00", "2026-03-02 08:00:00Z", "2026-02-30T08:00:00Z", "2026-03-02T08:00:00.5Z", 5):
        with pytest.raises(ValueError):
            parse_time(bad)


def test_make_statement_rejects_floats_and_bad_fields() -> None:
    with pytest.raises(CanonicalError):
        _statement(data={"score": 88.25})
    with pytest.raises(StatementFormatError):
        _statement(action="Process Shortlist")
    with pytest.raises(StatementFormatError):
        _statement(process="")
    with pytest.raises(StatementFormatError):
        _statement(basis=b"short")
    assert parse_statement_unverified(_statement(process=17)).process == 17
    assert parse_statement_unverified(_statement(process=None, from_state=None, to_state=None)).process is None


def _statement_obj() -> dict[str, Any]:
    return json.loads(_statement())


@pytest.mark.parametrize(
    "mutate",
    [
        lambda o: o.pop("basis"),
        lambda o: o.update(extra=1),
        lambda o: o.update(process=True),
        lambda o: o.update(data=[]),
        lambda o: o.update(to=""),
        lambda o: o.update(time="yesterday"),
        lambda o: o["actor"].pop("role"),
        lambda o: o["actor"].update(id=42),
        lambda o: o["actor"].update(key_id="x" * 64),
        lambda o: o.update(basis="AAAA"),
    ],
)
def test_statement_parse_is_strict(mutate: Any) -> None:
    obj = _statement_obj()
    mutate(obj)
    with pytest.raises(StatementFormatError):
        parse_statement_unverified(rfc8785.dumps(obj))


def test_statement_must_be_canonical() -> None:
    spaced = json.dumps(_statement_obj(), indent=2).encode()
    with pytest.raises(NotCanonicalError):
        parse_statement_unverified(spaced)
    assert parse_statement_unverified(spaced, require_canonical=False).action == "process.shortlist"


def _leaf_obj() -> dict[str, Any]:
    return json.loads(build_leaf(3, bytes(32), T0, sign_envelope(_statement(), [ALICE])))


@pytest.mark.parametrize(
    ("mutate", "error"),
    [
        (lambda o: o.update(v=2), EntryFormatError),
        (lambda o: o.update(v=True), EntryFormatError),
        (lambda o: o.update(seq=-1), EntryFormatError),
        (lambda o: o.update(seq="3"), EntryFormatError),
        (lambda o: o.update(prev="AAAA"), EntryFormatError),
        (lambda o: o.update(time="2026-03-02T08:00Z"), EntryFormatError),
        (lambda o: o.pop("time"), EntryFormatError),
        (lambda o: o.update(extra=None), EntryFormatError),
        (lambda o: o["statement"].update(payloadType="text/plain"), EnvelopeError),
    ],
)
def test_leaf_parse_is_strict(mutate: Any, error: type[Exception]) -> None:
    obj = _leaf_obj()
    mutate(obj)
    with pytest.raises(error):
        parse_leaf_unverified(rfc8785.dumps(obj))


def test_leaf_must_be_canonical_json() -> None:
    obj = _leaf_obj()
    with pytest.raises(NotCanonicalError):
        parse_leaf_unverified(json.dumps(obj).encode())
    with pytest.raises(MalformedJSONError):
        parse_leaf_unverified(b"[")
    assert parse_leaf_unverified(json.dumps(obj).encode(), require_canonical=False).seq == 3


def test_build_leaf_arguments() -> None:
    envelope = sign_envelope(_statement(), [ALICE])
    with pytest.raises(EntryFormatError):
        build_leaf(-1, ZERO_HASH, T0, envelope)
    with pytest.raises(EntryFormatError):
        build_leaf(0, b"\x00", T0, envelope)
    with pytest.raises(ValueError, match="timezone"):
        build_leaf(0, ZERO_HASH, datetime(2026, 1, 1), envelope)
    assert build_leaf(0, ZERO_HASH, datetime(2026, 1, 1, tzinfo=UTC), envelope)
