"""DSSE envelopes: PAE bytes, signing, strict parsing, verification."""

from __future__ import annotations

import base64
import copy
from typing import Any

import pytest

from audit.dsse import PAYLOAD_TYPE, Envelope, b64decode_strict, pae, sign_envelope, verify_envelope
from audit.errors import EnvelopeError, MissingSignatureError, SignatureError
from audit.keys import key_id
from tests.audit.helpers import seeded


def test_pae_matches_the_dsse_spec_example() -> None:
    # protocol.md: PAE("http://example.com/HelloWorld", "hello world")
    assert pae("http://example.com/HelloWorld", b"hello world") == (
        b"DSSEv1 29 http://example.com/HelloWorld 11 hello world"
    )


def test_pae_counts_bytes_not_characters() -> None:
    assert pae("t/é", "ü".encode()) == b"DSSEv1 4 t/\xc3\xa9 2 \xc3\xbc"
    assert pae("", b"") == b"DSSEv1 0  0 "


def test_sign_and_verify_with_two_keys() -> None:
    a, b = seeded("a"), seeded("b")
    envelope = sign_envelope(b'{"x":1}', [a, b])
    assert envelope.key_ids() == (a.key_id, b.key_id)
    assert a.key_id == key_id(a.public_bytes)
    assert verify_envelope(envelope, {a.key_id: a.public_key(), b.key_id: b.public_key()}) == (a.key_id, b.key_id)
    # The signature covers the PAE, not the bare payload.
    a.public_key().verify(envelope.signatures[0].sig, pae(PAYLOAD_TYPE, b'{"x":1}'))


def test_json_round_trip_uses_standard_base64() -> None:
    envelope = sign_envelope(b"\xfb\xff payload", [seeded("a")])
    obj = envelope.to_json()
    assert obj["payload"] == base64.b64encode(b"\xfb\xff payload").decode()
    assert obj["payloadType"] == PAYLOAD_TYPE
    assert Envelope.from_json(obj) == envelope


def test_verify_rejects_tampered_payload_unknown_key_and_no_signatures() -> None:
    a, b = seeded("a"), seeded("b")
    envelope = sign_envelope(b"payload", [a])
    keys = {a.key_id: a.public_key()}
    with pytest.raises(SignatureError, match="does not verify"):
        verify_envelope(Envelope(b"payloaD", envelope.payload_type, envelope.signatures), keys)
    with pytest.raises(SignatureError, match="unknown key"):
        verify_envelope(sign_envelope(b"payload", [b]), keys)
    with pytest.raises(MissingSignatureError):
        verify_envelope(Envelope(b"payload", PAYLOAD_TYPE, ()), keys)


def test_sign_requires_distinct_signers() -> None:
    a = seeded("a")
    with pytest.raises(EnvelopeError):
        sign_envelope(b"p", [])
    with pytest.raises(EnvelopeError):
        sign_envelope(b"p", [a, a])


def _good() -> dict[str, Any]:
    return sign_envelope(b"payload", [seeded("a")]).to_json()


def _mutations() -> list[tuple[str, dict[str, Any]]]:
    cases: list[tuple[str, dict[str, Any]]] = []

    def case(name: str, mutate: Any) -> None:
        obj = copy.deepcopy(_good())
        mutate(obj)
        cases.append((name, obj))

    case("extra key", lambda o: o.update(extra=1))
    case("missing key", lambda o: o.pop("payloadType"))
    case("other type", lambda o: o.update(payloadType="application/json"))
    case("urlsafe payload", lambda o: o.update(payload=base64.urlsafe_b64encode(b"\xfb\xff").decode()))
    case("unpadded payload", lambda o: o.update(payload="cGF5bG9hZA"))
    case("payload with newline", lambda o: o.update(payload="cGF5\nbG9hZA=="))
    case("payload not string", lambda o: o.update(payload=5))
    case("signatures not list", lambda o: o.update(signatures={}))
    case("signature extra field", lambda o: o["signatures"][0].update(cert="x"))
    case("upper-case keyid", lambda o: o["signatures"][0].update(keyid=o["signatures"][0]["keyid"].upper()))
    case("short keyid", lambda o: o["signatures"][0].update(keyid="ab"))
    case("short sig", lambda o: o["signatures"][0].update(sig=base64.b64encode(bytes(63)).decode()))
    case("duplicate keyid", lambda o: o["signatures"].append(dict(o["signatures"][0])))
    case("not an object", lambda o: o.clear())
    return cases


@pytest.mark.parametrize(("name", "obj"), _mutations(), ids=[n for n, _ in _mutations()])
def test_strict_parse_rejects(name: str, obj: dict[str, Any]) -> None:
    with pytest.raises(EnvelopeError):
        Envelope.from_json(obj)


def test_empty_signature_list_parses_so_the_verifier_can_name_it() -> None:
    obj = _good()
    obj["signatures"] = []
    assert Envelope.from_json(obj).signatures == ()


@pytest.mark.parametrize("text", ["AAE=", "AAF=", "AA==", "AAA="])
def test_b64_canonical_padding_bits(text: str) -> None:
    canonical = base64.b64encode(base64.b64decode(text)).decode() == text
    if canonical:
        assert b64decode_strict(text, what="x") == base64.b64decode(text)
    else:
        with pytest.raises(EnvelopeError, match="canonical"):
            b64decode_strict(text, what="x")
