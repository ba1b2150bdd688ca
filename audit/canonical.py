"""RFC 8785 (JCS) canonical JSON for everything the log hashes or signs (DESIGN.md §4, STYLE.md C11).

Our JSON domain is narrower than RFC 8785's: no floats anywhere (scores are integers or decimal
strings, so a replay on another machine ranks identically), and integers only within
±(2^53 − 1) — larger numbers (ids, nanosecond timestamps) must be passed as strings, because a
JavaScript or Go reader would silently round them.

The standard library's C JSON encoder (sorted keys, no whitespace, no ASCII escaping) emits the
same bytes as RFC 8785 for our domain: no floats; the same string escapes (quote, backslash, the
five short forms, other controls as lowercase 4-digit escapes, nothing else); integers as decimal
digits; key order by code point, which equals RFC 8785's UTF-16 order unless a key holds a
character at U+D800 or above. Both producing and checking canonical bytes use it where that
holds and the ``rfc8785`` package everywhere else:

- :func:`canonical_json` / :func:`dumps` take the C encoder only for values of *exactly* the
  types ``dict`` (keys all below U+D800), ``list``, ``tuple``, ``str``, ``int`` (safe range),
  ``bool`` and ``None`` with no lone surrogate in any string; anything else (floats, subclasses
  such as enums, other mappings, big integers, exotic keys) goes through ``rfc8785`` exactly as
  before, errors included. Evidence digests and evaluation snapshots of ten thousand candidates
  are therefore a C-speed serialisation instead of a pure-Python one.
- :func:`parse_canonical` (the verifier's hot path) compares received bytes with the C
  encoder's output, unless they hold a character at U+E000 or above.

``tests/audit/test_canonical.py`` and ``tests/merit/test_fast_canonical.py`` check the
equivalence with Hypothesis.

Import rule: standard library and ``rfc8785`` only.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

import rfc8785

from audit.errors import CanonicalError, MalformedJSONError, NotCanonicalError

__all__ = [
    "MAX_SAFE_INTEGER",
    "canonical_json",
    "check_domain",
    "dumps",
    "is_canonical",
    "loads_exact_unchecked",
    "loads_strict",
    "parse_canonical",
]

MAX_SAFE_INTEGER = 2**53 - 1
"""Largest integer that survives a round trip through an IEEE 754 double (I-JSON, RFC 7493 §2.2)."""

# UTF-8 lead bytes of code points ≥ U+E000: only there can code-point order and UTF-16 order differ.
_NEEDS_SLOW_CHECK = re.compile(rb"[\xee-\xf4]")


def check_domain(value: object, path: str = "$") -> None:
    """Check that ``value`` lies in the JSON domain the log accepts.

    Allowed: ``None``, ``bool``, ``int`` within ±(2^53 − 1), ``str``, lists or tuples of allowed
    values, and mappings with ``str`` keys and allowed values.

    Args:
        value: the Python value to check.
        path: where ``value`` sits, for the error message (JSONPath-like).

    Raises:
        CanonicalError: a float, an out-of-range integer, a non-string key or an unsupported type;
            the message names the path.
    """
    # bool is a subclass of int: test it first so True is not range-checked as 1.
    if value is None or isinstance(value, (bool, str)):
        return
    if isinstance(value, int):
        if not -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER:
            raise CanonicalError(f"{path}: integer {value} is beyond ±(2^53−1); pass it as a decimal string")
        return
    if isinstance(value, float):
        raise CanonicalError(f"{path}: floats are not allowed; use an integer or a decimal string")
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise CanonicalError(f"{path}: object key {key!r} is not a string")
            check_domain(item, f"{path}.{key}")
        return
    if isinstance(value, (list, tuple)):
        for position, item in enumerate(value):
            check_domain(item, f"{path}[{position}]")
        return
    raise CanonicalError(f"{path}: type {type(value).__name__} has no JSON form here")


def canonical_json(value: object) -> bytes:
    """Serialise ``value`` as RFC 8785 canonical JSON.

    Args:
        value: a JSON-like value in the log's domain (see :func:`check_domain`).

    Returns:
        The canonical UTF-8 bytes.

    Raises:
        CanonicalError: the value is outside the domain, or holds a string that is not valid
            Unicode (a lone surrogate).
    """
    fast = _fast_dumps(value)
    if fast is not None:  # in the fast domain, which lies inside check_domain's
        return fast
    check_domain(value)
    try:
        return rfc8785.dumps(value)
    except rfc8785.CanonicalizationError as exc:
        raise CanonicalError(str(exc)) from exc


def dumps(value: object) -> bytes:
    """Return exactly ``rfc8785.dumps(value)``, at C speed for the common domain.

    Unlike :func:`canonical_json` this does not narrow the domain (the ``rfc8785`` package's own
    rules and errors apply); use it where a value was always serialised with ``rfc8785.dumps``
    and must keep the same bytes (evaluation snapshots).

    Args:
        value: any value ``rfc8785.dumps`` accepts.

    Returns:
        The RFC 8785 canonical UTF-8 bytes.

    Raises:
        rfc8785.CanonicalizationError: as ``rfc8785.dumps`` (floats are serialised, not refused).
    """
    fast = _fast_dumps(value)
    return fast if fast is not None else rfc8785.dumps(value)


def _fast_key(key: object) -> bool:
    # Below U+D800, code-point order (Python's sort) is UTF-16 order (RFC 8785 §3.2.3).
    return type(key) is str and (key.isascii() or max(key) < "\ud800")


def _in_fast_domain(value: Any) -> bool:
    """Exact JSON types only, safe integers, keys below U+D800 (see the module docstring)."""
    kind = type(value)
    if kind is dict:
        for key in value:
            if not _fast_key(key):
                return False
        items = value.values()
    elif kind is list or kind is tuple:
        items = value
    else:
        items = (value,)
    # Scalars are checked inline: records and snapshots are mostly strings and small integers.
    for item in items:
        inner = type(item)
        if inner is str or item is None or inner is bool:
            continue
        if inner is int:
            if not -MAX_SAFE_INTEGER <= item <= MAX_SAFE_INTEGER:
                return False
        elif inner is dict or inner is list or inner is tuple:
            if not _in_fast_domain(item):
                return False
        else:
            return False
    return True


def _fast_dumps(value: object) -> bytes | None:
    """The C encoder's bytes when they are the RFC 8785 bytes; None when that is not certain."""
    try:
        if not _in_fast_domain(value):
            return None
        return _ENCODER.encode(value).encode("utf-8")
    except (UnicodeEncodeError, RecursionError):  # a lone surrogate; nesting too deep (or a cycle)
        return None


def _reject_float(text: str) -> Any:
    raise MalformedJSONError(f"float {text} is not allowed (integers or decimal strings only)")


def _reject_constant(text: str) -> Any:
    raise MalformedJSONError(f"{text} is not JSON")


def _safe_int(text: str) -> int:
    number = int(text)
    if not -MAX_SAFE_INTEGER <= number <= MAX_SAFE_INTEGER:
        raise MalformedJSONError(f"integer {text} is beyond ±(2^53−1); it must be a string")
    return number


# Built once: json.loads/json.dumps with options construct a new decoder/encoder on every call,
# which is measurable at 100,000 leaves.
_DECODER = json.JSONDecoder(parse_float=_reject_float, parse_int=_safe_int, parse_constant=_reject_constant)
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True, allow_nan=False)


def loads_exact_unchecked(text: str) -> Any:
    """Decode one JSON value that fills ``text`` exactly (no surrounding whitespace), as ``loads_strict``.

    For hot paths that then check canonical form anyway (which no whitespace survives): skips
    the whitespace handling and the wrappers of ``JSONDecoder.decode``.

    Args:
        text: the JSON text.

    Returns:
        The parsed value.

    Raises:
        MalformedJSONError: not one JSON value in the log's domain spanning all of ``text``.
    """
    try:
        value, end = _DECODER.scan_once(text, 0)
    except MalformedJSONError:
        raise
    except (StopIteration, ValueError, RecursionError) as exc:
        raise MalformedJSONError(f"not valid JSON: {exc!r}") from exc
    if end != len(text):
        raise MalformedJSONError("extra data after the JSON value")
    return value


def loads_strict(data: bytes) -> Any:
    """Parse JSON bytes in the log's domain, without requiring canonical form.

    Args:
        data: UTF-8 JSON text.

    Returns:
        The parsed value (dicts, lists, str, int, bool, None).

    Raises:
        MalformedJSONError: invalid UTF-8 or JSON, a float, NaN/Infinity, or an integer beyond
            ±(2^53 − 1).
    """
    try:
        text = data.decode("utf-8")
        return _DECODER.decode(text)
    except MalformedJSONError:
        raise
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise MalformedJSONError(f"not valid JSON: {exc}") from exc


def _matches_canonical(data: bytes, value: Any) -> bool:
    if _NEEDS_SLOW_CHECK.search(data) is None:
        try:
            return _ENCODER.encode(value).encode("utf-8") == data
        except (UnicodeEncodeError, ValueError):  # a lone surrogate from a "\ud800" escape
            return False
    try:
        return rfc8785.dumps(value) == data
    except rfc8785.CanonicalizationError:
        return False


def parse_canonical(data: bytes) -> Any:
    """Parse JSON bytes and require that they are exactly their RFC 8785 canonical form.

    Args:
        data: the bytes as received (a leaf, a statement payload).

    Returns:
        The parsed value.

    Raises:
        MalformedJSONError: not parseable in the log's domain (see :func:`loads_strict`).
        NotCanonicalError: parseable, but not byte-identical to its canonical form (whitespace,
            key order, escapes, duplicate keys, ``-0``, …).
    """
    value = loads_strict(data)
    if not _matches_canonical(data, value):
        raise NotCanonicalError("JSON is not in RFC 8785 canonical form")
    return value


def is_canonical(data: bytes) -> bool:
    """Tell whether ``data`` is canonical JSON in the log's domain.

    Args:
        data: bytes to test.

    Returns:
        ``True`` when ``data`` parses (no floats, safe integers) and equals its RFC 8785 form.
    """
    try:
        parse_canonical(data)
    except CanonicalError:
        return False
    return True
