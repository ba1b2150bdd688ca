"""RFC 8785 canonical JSON: the conformance vectors, our narrower domain, and the fast check."""

from __future__ import annotations

import json
import math
import struct
from typing import Any

import pytest
import rfc8785
from hypothesis import given
from hypothesis import strategies as st

from audit.canonical import MAX_SAFE_INTEGER, canonical_json, is_canonical, loads_strict, parse_canonical
from audit.errors import CanonicalError, MalformedJSONError, NotCanonicalError
from tests.conformance import load_vectors, needs_vectors

VECTORS = load_vectors("jcs_rfc8785.json")


def _double(hex_bits: str) -> float:
    return float(struct.unpack(">d", bytes.fromhex(hex_bits))[0])


@pytest.mark.parametrize(("hex_bits", "expected"), sorted(VECTORS.get("numbers_ieee754_hex_to_json", {}).items()))
def test_rfc8785_number_vectors_reproduced_by_dependency_and_rejected_by_us(hex_bits: str, expected: str) -> None:
    value = _double(hex_bits)
    # The package we rely on serialises numbers as RFC 8785 Appendix B says ...
    assert rfc8785.dumps(value) == expected.encode()
    # ... and our domain still refuses every float: scores are integers or decimal strings (C11).
    with pytest.raises(CanonicalError, match="floats are not allowed"):
        canonical_json({"score": value})
    # Read side: the canonical text of a float is refused too, unless it is an integer literal.
    if "." in expected or "e" in expected:
        with pytest.raises(MalformedJSONError):
            loads_strict(expected.encode())


@pytest.mark.parametrize(("hex_bits", "name"), sorted(VECTORS.get("numbers_must_reject", {}).items()))
def test_nan_and_infinity_rejected(hex_bits: str, name: str) -> None:
    value = _double(hex_bits)
    assert math.isnan(value) or math.isinf(value), name
    with pytest.raises(rfc8785.CanonicalizationError):
        rfc8785.dumps(value)
    with pytest.raises(CanonicalError):
        canonical_json([value])
    with pytest.raises(MalformedJSONError):
        loads_strict(name.encode())


@needs_vectors
def test_sort_example_of_section_3_2_3() -> None:
    example = VECTORS["sort_example"]
    expected = example["canonical_utf8"].encode("utf-8")
    values = json.loads(expected)
    shuffled = {key: values[key] for key in example["input_keys_utf8"]}
    assert canonical_json(shuffled) == expected
    assert is_canonical(expected)
    # Python's sort_keys order differs here (U+1F600 vs U+FB33): the fast check must not be fooled.
    python_order = json.dumps(shuffled, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()
    assert python_order != expected
    assert not is_canonical(python_order)


@pytest.mark.parametrize("value", [MAX_SAFE_INTEGER + 1, -MAX_SAFE_INTEGER - 1, 2**64])
def test_big_integers_must_be_strings(value: int) -> None:
    with pytest.raises(CanonicalError, match="decimal string"):
        canonical_json({"id": value})
    assert canonical_json({"id": str(value)}) == b'{"id":"%d"}' % value
    with pytest.raises(MalformedJSONError, match="must be a string"):
        loads_strict(b'{"id":%d}' % value)


def test_safe_integer_edges_accepted() -> None:
    assert canonical_json([MAX_SAFE_INTEGER, -MAX_SAFE_INTEGER, True, None]) == (
        b"[9007199254740991,-9007199254740991,true,null]"
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({1: "x"}, "not a string"),
        ({"a": {1, 2}}, "no JSON form"),
        ([b"x"], "no JSON form"),
        ({"a": [0.5]}, r"\$\.a\[0\]"),
    ],
)
def test_domain_errors_name_the_path(value: Any, message: str) -> None:
    with pytest.raises(CanonicalError, match=message):
        canonical_json(value)


@pytest.mark.parametrize(
    "data",
    [
        b'{"b":1,"a":2}',  # key order
        b'{"a": 1}',  # whitespace
        b'{"a":1,"a":1}',  # duplicate key
        b"-0",  # negative zero
        b'"\\u0041"',  # needless escape
        b'"\\u001F"',  # upper-case hex escape
        b'"\\/"',  # escaped solidus
        b'"\\ud800"',  # lone surrogate
        b"[1,2] ",  # trailing space
    ],
)
def test_non_canonical_inputs_detected(data: bytes) -> None:
    assert not is_canonical(data)


def test_parse_canonical_distinguishes_malformed_from_non_canonical() -> None:
    with pytest.raises(NotCanonicalError):
        parse_canonical(b'{"a": 1}')
    with pytest.raises(MalformedJSONError):
        parse_canonical(b'{"a":')
    with pytest.raises(MalformedJSONError):
        parse_canonical(b"\xff")
    with pytest.raises(MalformedJSONError):
        parse_canonical(b"1.0")


def test_control_characters_escaped_as_rfc8785_says() -> None:
    text = "".join(chr(i) for i in range(0x20)) + '"\\\x7f\u2028'
    data = canonical_json(text)
    assert data == rfc8785.dumps(text)
    assert is_canonical(data)
    assert b"\\u001f" in data and b"\\n" in data and "\x7f\u2028".encode() in data


_TEXT = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=8)
_SCALARS = st.none() | st.booleans() | st.integers(-MAX_SAFE_INTEGER, MAX_SAFE_INTEGER) | _TEXT
_JSON = st.recursive(
    _SCALARS,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(_TEXT, children, max_size=4),
    max_leaves=20,
)


@given(_JSON)
def test_round_trip_and_fast_check_agree_with_rfc8785(value: Any) -> None:
    data = canonical_json(value)
    assert data == rfc8785.dumps(value)
    assert parse_canonical(data) == value
    assert is_canonical(data)


@given(_JSON)
def test_any_other_spelling_is_not_canonical(value: Any) -> None:
    spelled = json.dumps(value, ensure_ascii=True, indent=1).encode()
    assert is_canonical(spelled) == (spelled == rfc8785.dumps(value))


@given(st.dictionaries(_TEXT, st.integers(0, 3), min_size=2, max_size=6))
def test_key_order_permutations_only_canonical_when_sorted(value: dict[str, int]) -> None:
    reversed_order = dict(reversed(list(value.items())))
    python_text = json.dumps(reversed_order, ensure_ascii=False, separators=(",", ":")).encode()
    assert is_canonical(python_text) == (python_text == rfc8785.dumps(value))
