"""The verifier's template decoders accept exactly what the careful parsers accept without complaint.

``audit.verify`` reads a leaf by matching it against a fixed template of its canonical form, and a
statement by matching its top level against a template and decoding only ``data``. Whenever a
template matches, the result must equal the careful parsers' (``audit.entry``); whenever the
careful parsers would complain, the fast decoder must step aside (None) so the entry pass names the
defect. Mutations here are aimed at the templates' edges: escapes, non-ASCII, numbers, nulls,
whitespace, key order, base64 spelling and the ``,"from":`` mark inside ``data``.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import rfc8785
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audit import verify as verify_module
from audit.entry import parse_leaf_unverified, parse_statement_unverified
from audit.errors import AuditError
from tests.audit.helpers import standard_log

LEAVES = tuple(standard_log(processes=3, rounds=4).leaves)


def _slow_leaf(leaf: bytes) -> Any:
    try:
        entry = parse_leaf_unverified(leaf)
    except AuditError:
        return None
    return entry.seq, entry.prev, entry.envelope.payload, tuple((s.keyid, s.sig) for s in entry.envelope.signatures)


def _slow_statement(payload: bytes) -> Any:
    try:
        return parse_statement_unverified(payload)
    except AuditError:
        return None


def _encode(obj: Any, canonical: bool) -> bytes:
    """RFC 8785 bytes, or (unsafe integers; or on request) the C encoder's sorted compact bytes."""
    if canonical:
        try:
            return rfc8785.dumps(obj)
        except rfc8785.CanonicalizationError:
            pass
    return json.dumps(obj, separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode()


def _payload_of(leaf: bytes) -> dict[str, Any]:
    return json.loads(base64.b64decode(json.loads(leaf)["statement"]["payload"]))  # type: ignore[no-any-return]


def test_genuine_entries_take_the_templates() -> None:
    decoder = verify_module._Decoder()
    for leaf in LEAVES:
        match = verify_module._LEAF_TEMPLATE.fullmatch(leaf)
        assert match is not None
        parsed = decoder._leaf_from_template(match)
        assert parsed is not None and parsed == _slow_leaf(leaf)
        head = verify_module._STATEMENT_HEAD.match(parsed[2])
        assert head is not None
        statement = decoder._statement_from_template(parsed[2], head)
        assert statement is not None and statement == _slow_statement(parsed[2])


STRINGS = st.one_of(
    st.text(max_size=6),
    st.sampled_from(["", "a", "é", "\ue000", "\U0001f600", '"', "\\", "\n", "\x7f", ',"from":', "2026-03-02T08:00:00Z",
                     "2026-02-30T08:00:00Z", "a.b", "process.vote", "0" * 64, "AAAA"]),
)
VALUES = st.one_of(
    st.none(), st.booleans(), STRINGS,
    st.sampled_from([0, 1, -1, 7, 2**53 - 1, -(2**53 - 1)]),
    st.just({}), st.just([]), st.dictionaries(STRINGS, st.integers(-5, 5) | STRINGS, max_size=3),
)
# Byte-level edits that keep most JSON parseable but break canonical form or a template's alphabet.
BYTE_EDITS = st.sampled_from([
    (b":", b": "), (b",", b", "), (b'"v":1', b'"v":01'), (b'"seq":', b'"seq":-'), (b"=", b""), (b"A", b"\\u0041"),
    (b'"process":', b'"process":-0,"x":'), (b'"data":{', b'"data":{"from":1,'), (b"}", b" }"), (b'"to":', b'"to":""'),
    (b'"from":null', b'"from":""'), (b'"time":"2026', b'"time":"\xd9\xa2026'), (b"", b""),
])


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(index=st.integers(0, len(LEAVES) - 1), data=st.data())
def test_statement_templates_agree_with_the_parser(index: int, data: st.DataObject) -> None:
    payload = _payload_of(LEAVES[index])
    section = data.draw(st.sampled_from(["top", "actor", "data"]))
    target = {"top": payload, "actor": payload["actor"], "data": payload["data"]}[section]
    for _ in range(data.draw(st.integers(1, 3))):
        key = data.draw(st.sampled_from([*target, "extra", "from"]))
        if data.draw(st.booleans()) and key in target and section != "data":
            del target[key]
        else:
            target[key] = data.draw(VALUES)
    encoded = _encode(payload, data.draw(st.booleans())) if data.draw(st.booleans()) else json.dumps(payload).encode()
    old, new = data.draw(BYTE_EDITS)
    encoded = encoded.replace(old, new, 1) if data.draw(st.booleans()) else encoded
    decoder = verify_module._Decoder()
    fast = decoder.statement(encoded)
    assert fast is None or fast == _slow_statement(encoded)
    head = verify_module._STATEMENT_HEAD.match(encoded)
    if head is not None:
        templated = decoder._statement_from_template(encoded, head)
        assert templated is None or templated == _slow_statement(encoded)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(index=st.integers(0, len(LEAVES) - 1), data=st.data())
def test_leaf_template_agrees_with_the_parser(index: int, data: st.DataObject) -> None:
    obj = json.loads(LEAVES[index])
    where = data.draw(st.sampled_from(["leaf", "envelope", "signature"]))
    signatures = obj["statement"]["signatures"]
    target = {"leaf": obj, "envelope": obj["statement"], "signature": signatures[0]}[where]
    key = data.draw(st.sampled_from([*target, "extra"]))
    if data.draw(st.booleans()) and key in target:
        del target[key]
    else:
        target[key] = data.draw(VALUES | st.sampled_from([2**53, "AAAA", "AAB=", "AAA=", signatures[0]["sig"]]))
    if data.draw(st.booleans()):
        signatures.append(dict(signatures[0]))  # a duplicate signer
    leaf = _encode(obj, data.draw(st.booleans())) if data.draw(st.booleans()) else json.dumps(obj).encode()
    old, new = data.draw(BYTE_EDITS)
    leaf = leaf.replace(old, new, 1) if data.draw(st.booleans()) else leaf
    decoder = verify_module._Decoder()
    fast = decoder.leaf(leaf)
    assert fast is None or fast == _slow_leaf(leaf)
    if verify_module._LEAF_TEMPLATE.fullmatch(leaf) is not None:
        assert fast is None or _slow_leaf(leaf) is not None


def test_template_statement_shapes() -> None:
    base = _payload_of(LEAVES[-1])
    decoder = verify_module._Decoder()
    cases = [
        {**base, "process": None, "from": None, "to": None},
        {**base, "process": "P-1", "to": "done"},
        {**base, "process": 2**53 - 1},
        {**base, "process": 2**53},  # beyond the safe range: refused by both
        {**base, "process": -3},
        {**base, "process": True},
        {**base, "actor": {**base["actor"], "id": "Siti Rahayu — Ω"}},
        {**base, "actor": {**base["actor"], "role": ""}},
        {**base, "action": "Bad Action"},
        {**base, "data": {"note": ',"from":"x","process":1,"time":"2026-03-02T08:00:00Z","to":null}'}},
        {**base, "data": {"\ue000": 1, "\U0001f600": 2}},  # key order where UTF-16 and code points differ
        {**base, "data": []},
        {**base, "basis": base["basis"][:-2] + "B="},  # non-canonical padding bits
    ]
    for payload in cases:
        encoded = _encode(payload, True)
        slow = _slow_statement(encoded)
        fast = decoder.statement(encoded)
        assert fast == slow or (fast is None and slow is None), payload
        python_order = json.dumps(payload, separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode()
        if python_order != encoded:  # the C encoder's order is not canonical here: both must refuse it
            assert decoder.statement(python_order) is None


def test_template_leaf_edges() -> None:
    base = json.loads(LEAVES[-1])
    sig = base["statement"]["signatures"][0]
    statement = base["statement"]
    cases = [
        {**base, "seq": 2**53 - 1},
        {**base, "seq": 2**53},  # beyond the safe range: refused by both
        {**base, "seq": 0},
        {**base, "prev": base["prev"][:-2] + "B="},  # non-canonical padding bits
        {**base, "prev": "AAAA"},  # wrong size
        {**base, "time": "2026-02-30T08:00:00Z"},
        {**base, "v": 2},
        {**base, "statement": {**statement, "signatures": []}},
        {**base, "statement": {**statement, "signatures": [sig, sig]}},  # a duplicate signer
        {**base, "statement": {**statement, "signatures": [{**sig, "sig": sig["sig"][:-3] + "B=="}]}},
        {**base, "statement": {**statement, "payload": ""}},
    ]
    decoder = verify_module._Decoder()
    for leaf_obj in cases:
        leaf = _encode(leaf_obj, True)
        assert decoder.leaf(leaf) == _slow_leaf(leaf), leaf_obj


def _b64_by_reencoding(text: bytes, size: int | None) -> bytes | None:
    try:
        data = base64.b64decode(text)
    except ValueError:
        return None
    return data if base64.b64encode(data) == text and (size is None or len(data) == size) else None


B64_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="


@settings(max_examples=2000, deadline=None)
@given(
    st.binary(max_size=70).map(base64.b64encode)
    | st.lists(st.sampled_from(list(B64_ALPHABET)), max_size=92).map(bytes)
    | st.binary(max_size=70).map(lambda b: base64.b64encode(b).rstrip(b"=")),
    st.sampled_from([None, 32, 64]),
    st.data(),
)
def test_base64_check_equals_reencoding(text: bytes, size: int | None, data: st.DataObject) -> None:
    if text and data.draw(st.booleans()):  # flip one character (padding bits, stray '=')
        at = data.draw(st.integers(0, len(text) - 1))
        text = text[:at] + bytes([data.draw(st.sampled_from(list(B64_ALPHABET)))]) + text[at + 1 :]
    assert verify_module._b64_ascii(text, size) == _b64_by_reencoding(text, size)
