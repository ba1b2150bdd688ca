"""audit.note: signed notes, vkeys, checkpoints and cosignatures against the shared vectors."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from audit import merkle, note
from audit.errors import (
    AuditError,
    CheckpointError,
    InvalidNoteSignatureError,
    MalformedNoteError,
    UnverifiedNoteError,
    VerifierKeyError,
)
from tests.conformance import load_vectors, needs_vectors

_load = load_vectors


SN = _load("signed_note.json")
CP = _load("checkpoint_cosignature.json")
KEYS = {k["name"]: k for k in SN.get("keys", [])}


def _private(seed_hex: str) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(bytes.fromhex(seed_hex))


def _signer(name: str) -> note.Ed25519Signer:
    return note.Ed25519Signer(name, _private(KEYS[name]["ed25519_seed_hex"]))


def _verifier(name: str) -> note.Ed25519Verifier:
    return note.Ed25519Verifier.from_vkey(KEYS[name]["vkey"])


# --- keys -----------------------------------------------------------------------------------------


@needs_vectors
@pytest.mark.parametrize("name", ["PeterNeumann", "EnochRoot"])
def test_vkey_and_key_id_from_seed(name: str) -> None:
    k = KEYS[name]
    signer = _signer(name)
    assert signer.verifier.vkey == k["vkey"]
    assert f"{signer.key_id:08x}" == k["key_id_hex"]
    assert signer.verifier.public_key.hex() == k["public_key_hex"]
    parsed = note.parse_vkey(k["vkey"])
    assert (parsed.name, parsed.sig_type, parsed.public_key.hex()) == (name, 1, k["public_key_hex"])


@needs_vectors
@pytest.mark.parametrize("case", SN.get("key_id_vectors", {}).get("cases", []), ids=lambda c: c["vkey"].split("+")[0])
def test_key_id_vectors(case: dict[str, Any]) -> None:
    parsed = note.parse_vkey(case["vkey"])
    assert parsed.sig_type == case["type"]
    assert parsed.key_id == note.key_id(parsed.name, parsed.sig_type, parsed.public_key)
    assert parsed.vkey == case["vkey"]
    verifier = note.verifier_from_vkey(case["vkey"])
    expected = note.CosignatureVerifier if case["type"] == 4 else note.Ed25519Verifier
    assert isinstance(verifier, expected)


@needs_vectors
@pytest.mark.parametrize("case", SN.get("bad_vkeys", {}).get("cases", []), ids=lambda c: c["why"])
def test_bad_vkeys(case: dict[str, Any]) -> None:
    with pytest.raises(VerifierKeyError):
        note.parse_vkey(case["vkey"])


@needs_vectors
def test_every_substring_and_increment_of_a_vkey_is_rejected() -> None:
    """signed_note.json's rule: each proper substring and single-byte increment must fail."""
    good = KEYS["PeterNeumann"]["vkey"]
    note.parse_vkey(good)
    mutants = {good[i:j] for i in range(len(good) + 1) for j in range(i, len(good) + 1)} - {good}
    mutants |= {good[:i] + chr(ord(good[i]) + 1) + good[i + 1 :] for i in range(len(good))}
    for bad in sorted(mutants):
        with pytest.raises(VerifierKeyError):
            note.parse_vkey(bad)


def test_vkey_type_mismatch_and_names() -> None:
    key = Ed25519PrivateKey.from_private_bytes(bytes(32))
    cosigner = note.CosignatureSigner("w.example/1", key)
    with pytest.raises(VerifierKeyError, match="expected 0x01"):
        note.Ed25519Verifier.from_vkey(cosigner.verifier.vkey)
    with pytest.raises(VerifierKeyError, match="expected 0x04"):
        note.CosignatureVerifier.from_vkey(note.Ed25519Signer("w.example/1", key).verifier.vkey)
    for bad in ["", "a b", "a+b", "a\u00a0b", "tab\tname", "\ud800"]:
        assert not note.is_valid_key_name(bad)
        with pytest.raises(VerifierKeyError):
            note.Ed25519Signer(bad, key)
    assert note.is_valid_key_name("jejak.lampungprov.go.id/log")


def test_same_key_different_types_have_different_ids() -> None:
    pub = bytes(range(32))
    assert note.key_id("x", 1, pub) != note.key_id("x", 4, pub)


# --- signing and opening notes ------------------------------------------------------------------


@needs_vectors
def test_sign_vectors() -> None:
    first, second = SN["sign_vectors"]
    signed = note.sign_note(first["text"], [_signer("PeterNeumann")])
    assert signed == first["signed_note"]
    existing = note.parse_note_unverified(signed).signatures
    both = note.sign_note(second["text"], [_signer("EnochRoot")], existing=existing)
    assert both == second["signed_note"]
    assert both.endswith(second["signature_line"])


@needs_vectors
@pytest.mark.parametrize("case", SN.get("open_vectors", []), ids=lambda c: c["expect"][:40])
def test_open_vectors(case: dict[str, Any]) -> None:
    verifiers = [_verifier(n) for n in case["verifiers"]]
    expect: str = case["expect"]
    if expect == "ok":
        opened = note.open_note(case["msg"], verifiers)
        assert [s.name for s in opened.verified] == case["verified"]
        if "unverified" in case:
            assert [s.name for s in opened.unverified] == case["unverified"]
        if "unverified_count" in case:
            assert len(opened.unverified) == case["unverified_count"]
        assert opened.text == SN["sign_vectors"][0]["text"]
        return
    errors: dict[str, type[AuditError]] = {
        "error: note has no verifiable signatures": UnverifiedNoteError,
        "error: malformed note": MalformedNoteError,
        "error: invalid signature": InvalidNoteSignatureError,
    }
    (error,) = [e for prefix, e in errors.items() if expect.startswith(prefix)]
    with pytest.raises(error):
        note.open_note(case["msg"], verifiers)


@needs_vectors
@pytest.mark.parametrize("msg", SN.get("malformed_notes", {}).get("cases", []))
def test_malformed_notes(msg: str) -> None:
    with pytest.raises(MalformedNoteError):
        note.open_note(msg, [_verifier("PeterNeumann")])
    with pytest.raises(MalformedNoteError):
        note.parse_note_unverified(msg.encode("utf-8"))


@needs_vectors
def test_invalid_utf8_note_is_malformed() -> None:
    """The vector not representable in JSON: 0xFF + text + blank line + PeterNeumann's signature."""
    good = SN["sign_vectors"][0]["signed_note"].encode("utf-8")
    with pytest.raises(MalformedNoteError, match="UTF-8"):
        note.open_note(b"\xff" + good, [_verifier("PeterNeumann")])


@needs_vectors
def test_c2sp_example() -> None:
    ex = SN["c2sp_example"]
    opened = note.open_note(ex["signed_note"], [note.verifier_from_vkey(ex["vkey"])])
    assert opened.text == "This is an example message.\n"
    assert [s.name for s in opened.verified] == ["example.com/foo"]


@needs_vectors
def test_unknown_key_with_known_name_is_ignored() -> None:
    """C2SP: ignore signatures from unknown keys even if they share a name with a known key."""
    other = note.Ed25519Signer("PeterNeumann", Ed25519PrivateKey.from_private_bytes(bytes([7]) * 32))
    msg = note.sign_note(SN["sign_vectors"][0]["text"], [other, _signer("PeterNeumann")])
    opened = note.open_note(msg, [_verifier("PeterNeumann")])
    assert [s.key_id for s in opened.verified] == [_verifier("PeterNeumann").key_id]
    assert [s.key_id for s in opened.unverified] == [other.key_id]


def test_sign_note_rejects_bad_text() -> None:
    signer = note.Ed25519Signer("k", Ed25519PrivateKey.from_private_bytes(bytes(32)))
    for bad in ["no newline", "bell\x07\n", "ends blank\n\n", "\n"]:
        with pytest.raises(MalformedNoteError):
            note.sign_note(bad, [signer])
    with pytest.raises(MalformedNoteError, match="at least one"):
        note.sign_note("ok\n", [])


def test_note_format_edge_cases() -> None:
    signer = note.Ed25519Signer("k", Ed25519PrivateKey.from_private_bytes(bytes(32)))
    good = note.sign_note("a\n\nb\n", [signer])  # blank lines inside the text are allowed
    assert note.open_note(good, [signer.verifier]).text == "a\n\nb\n"
    sig_line = good.split("\n\n")[-1]
    mutations = [
        good.replace("\u2014 ", "- "),  # hyphen, not em dash
        good.replace(sig_line, sig_line.replace("=", "")),  # padding removed: not canonical base64
        good[:-1] + " \n",  # trailing space makes the base64 invalid
        good.replace("\u2014 k ", "\u2014 k  "),  # two spaces
        good + "\u2014 k AAAA\n",  # 3-byte signature: shorter than key id + 1
        good.replace("a\n", "a\r\n", 1),  # CR is a control character
    ]
    for bad in mutations:
        with pytest.raises(MalformedNoteError):
            note.parse_note_unverified(bad)


def test_too_many_signatures() -> None:
    signer = note.Ed25519Signer("k", Ed25519PrivateKey.from_private_bytes(bytes(32)))
    signed = note.sign_note("t\n", [signer])
    line = signed.split("\n\n")[1]
    assert len(note.open_note("t\n\n" + line * 100, [signer.verifier]).verified) == 1
    with pytest.raises(MalformedNoteError, match="at most 100"):
        note.open_note("t\n\n" + line * 101, [signer.verifier])


# --- checkpoints ----------------------------------------------------------------------------------


def _log_signer() -> note.Ed25519Signer:
    return note.Ed25519Signer(CP["log_key"]["name"], _private(CP["log_key"]["ed25519_seed_hex"]))


def _witness() -> note.CosignatureSigner:
    return note.CosignatureSigner(CP["witness_key"]["name"], _private(CP["witness_key"]["ed25519_seed_hex"]))


@needs_vectors
def test_log_and_witness_vkeys() -> None:
    assert _log_signer().verifier.vkey == CP["log_key"]["vkey"]
    assert _witness().verifier.vkey == CP["witness_key"]["vkey_type_0x04"]


@needs_vectors
@pytest.mark.parametrize("size", ["0", "4", "7"])
def test_checkpoint_vectors(size: str) -> None:
    vec = CP["checkpoints"][size]
    leaves = [merkle.leaf_hash(s.encode()) for s in CP["leaves_utf8"][: int(size)]]
    cp = note.Checkpoint(CP["log_key"]["name"], int(size), merkle.root(leaves))
    assert cp.text == vec["text"]
    assert note.parse_checkpoint(vec["text"]) == cp
    assert note.sign_checkpoint(cp, _log_signer()) == vec["signed"]
    opened = note.open_checkpoint(vec["signed"], note.Ed25519Verifier.from_vkey(CP["log_key"]["vkey"]))
    assert opened.checkpoint == cp
    assert opened.cosignatures == ()


@needs_vectors
def test_empty_tree_checkpoint_root() -> None:
    assert base64.b64encode(merkle.EMPTY_ROOT).decode() in CP["empty_tree_note"]
    with pytest.raises(CheckpointError, match="size-0"):
        note.Checkpoint("o", 0, bytes(32))


@needs_vectors
def test_checkpoint_with_extension_line() -> None:
    vec = CP["checkpoint_with_extension_line"]
    cp = note.parse_checkpoint(vec["text"])
    assert cp.extensions == ("example.org/extension-line value",)
    assert cp.text == vec["text"]
    assert note.sign_checkpoint(cp, _log_signer()) == vec["signed"]


@pytest.mark.parametrize(
    "text",
    [
        "o\n7\n",  # no root
        "o\n07\nYKQybLwsL5BFr3eA5qS7SplWNLOKCgKCnBewk5Ysqfk=\n",  # leading zero
        "o\n+7\nYKQybLwsL5BFr3eA5qS7SplWNLOKCgKCnBewk5Ysqfk=\n",  # sign
        "o\n-1\nYKQybLwsL5BFr3eA5qS7SplWNLOKCgKCnBewk5Ysqfk=\n",
        "o\n 7\nYKQybLwsL5BFr3eA5qS7SplWNLOKCgKCnBewk5Ysqfk=\n",
        "o\n18446744073709551616\nYKQybLwsL5BFr3eA5qS7SplWNLOKCgKCnBewk5Ysqfk=\n",  # 2^64
        "o\n7\nYKQybLwsL5BFr3eA5qS7SplWNLOKCgKCnBewk5Ysqf=\n",  # 31 bytes
        "o\n7\nYKQybLwsL5BFr3eA5qS7SplWNLOKCgKCnBewk5Ysqfk\n",  # no padding
        "o\n7\nYKQybLwsL5BFr3eA5qS7SplWNLOKCgKCnBewk5Ysqfl=\n",  # non-canonical padding bits
        "\n7\nYKQybLwsL5BFr3eA5qS7SplWNLOKCgKCnBewk5Ysqfk=\n",  # empty origin
        "o\n7\nYKQybLwsL5BFr3eA5qS7SplWNLOKCgKCnBewk5Ysqfk=\n\n",  # empty extension line
        "o\n7\nYKQybLwsL5BFr3eA5qS7SplWNLOKCgKCnBewk5Ysqfk=",  # no final newline
        "o\n٧\nYKQybLwsL5BFr3eA5qS7SplWNLOKCgKCnBewk5Ysqfk=\n",  # non-ASCII digit
    ],
)
def test_malformed_checkpoints(text: str) -> None:
    with pytest.raises(CheckpointError):
        note.parse_checkpoint(text)


def test_max_tree_size_parses() -> None:
    root = base64.b64encode(bytes(32)).decode()
    assert note.parse_checkpoint(f"o\n18446744073709551615\n{root}\n").size == 2**64 - 1


@needs_vectors
def test_open_checkpoint_checks_key_and_origin() -> None:
    vec = CP["checkpoints"]["7"]
    log = note.Ed25519Verifier.from_vkey(CP["log_key"]["vkey"])
    with pytest.raises(CheckpointError, match="origin"):
        note.open_checkpoint(vec["signed"], log, origin="jejak.example/log")
    # A note signed only by a witness is not a log checkpoint, even if the witness is trusted.
    witness = _witness()
    only_witness = note.sign_note(vec["text"], [witness.at(1)])
    with pytest.raises(UnverifiedNoteError):
        note.open_checkpoint(only_witness, log, witnesses=[witness.verifier])
    tampered = vec["signed"].replace("\n7\n", "\n8\n")
    with pytest.raises(InvalidNoteSignatureError):
        note.open_checkpoint(tampered, log)


def test_sign_checkpoint_requires_origin_named_key() -> None:
    signer = note.Ed25519Signer("other", Ed25519PrivateKey.from_private_bytes(bytes(32)))
    with pytest.raises(CheckpointError, match="not the checkpoint origin"):
        note.sign_checkpoint(note.Checkpoint("log", 0, merkle.EMPTY_ROOT), signer)


# --- cosignatures ---------------------------------------------------------------------------------


@needs_vectors
def test_cosignature_vector() -> None:
    vec = CP["cosignature"]
    cp_text = CP["checkpoints"]["7"]["text"]
    assert note.cosignature_message(cp_text.encode(), vec["timestamp"]).decode() == vec["signed_message"]
    witness = _witness()
    sig = witness.cosign(cp_text.encode(), vec["timestamp"])
    d = vec["decoded"]
    assert sig.hex() == d["timestamp_u64_be_hex"] + d["ed25519_signature_hex"]
    assert 4 + len(sig) == d["total_bytes"]
    line = note.Signature(witness.name, witness.key_id, sig).line
    assert line == vec["signature_line"]
    assert line == CP["witness_add_checkpoint"]["response_body_200"]
    # The witness appends its line to the log's signed checkpoint.
    existing = note.parse_note_unverified(CP["checkpoints"]["7"]["signed"]).signatures
    cosigned = note.sign_note(cp_text, [witness.at(vec["timestamp"])], existing=existing)
    assert cosigned == vec["cosigned_checkpoint"]
    opened = note.open_checkpoint(
        cosigned,
        note.Ed25519Verifier.from_vkey(CP["log_key"]["vkey"]),
        witnesses=[note.CosignatureVerifier.from_vkey(CP["witness_key"]["vkey_type_0x04"])],
    )
    assert opened.checkpoint.size == 7
    assert opened.cosignatures == (note.Cosignature(witness.name, witness.key_id, vec["timestamp"]),)


@needs_vectors
def test_cosignature_binds_time_and_text() -> None:
    vec = CP["cosignature"]
    cp_text = CP["checkpoints"]["7"]["text"].encode()
    verifier = _witness().verifier
    sig = _witness().cosign(cp_text, vec["timestamp"])
    assert verifier.verify(cp_text, sig)
    later = (vec["timestamp"] + 1).to_bytes(8, "big") + sig[8:]
    assert not verifier.verify(cp_text, later)
    assert not verifier.verify(cp_text.replace(b"\n7\n", b"\n8\n"), sig)
    assert not verifier.verify(cp_text, sig[:-1])
    assert not verifier.verify(cp_text, (2**63).to_bytes(8, "big") + sig[8:])
    with pytest.raises(ValueError, match="2\\^63"):
        _witness().cosign(cp_text, 2**63)
    with pytest.raises(ValueError):
        _witness().at(-1)


@needs_vectors
def test_bad_cosignature_rejects_checkpoint() -> None:
    vec = CP["cosignature"]
    good_b64 = vec["signature_line"].split(" ")[-1].strip()
    raw = bytearray(base64.b64decode(good_b64))
    raw[-1] ^= 1
    bad = vec["cosigned_checkpoint"].replace(good_b64, base64.b64encode(bytes(raw)).decode())
    with pytest.raises(InvalidNoteSignatureError, match=CP["witness_key"]["name"]):
        note.open_checkpoint(
            bad,
            note.Ed25519Verifier.from_vkey(CP["log_key"]["vkey"]),
            witnesses=[note.CosignatureVerifier.from_vkey(CP["witness_key"]["vkey_type_0x04"])],
        )


@needs_vectors
def test_c2sp_spec_examples_parse() -> None:
    ex = CP["c2sp_spec_examples_format_only"]
    unverified = note.parse_note_unverified(ex["checkpoint"])
    cp = note.parse_checkpoint(unverified.text)
    assert (cp.origin, cp.size) == ("example.com/behind-the-sofa", 20852163)
    assert [s.name for s in unverified.signatures] == ["example.com/behind-the-sofa", "witness.example.com/w1"]
    cosig = unverified.signatures[1].signature
    assert int.from_bytes(cosig[:8], "big") == 1679315147
    assert note.cosignature_message(cp.text.encode(), 1679315147).decode() == ex["cosigned_message"]
    sample = base64.b64decode(ex["cosignature_timestamp_sample"]["signature_base64"])
    assert sample[:4].hex() == ex["cosignature_timestamp_sample"]["key_id_hex"]
    assert int.from_bytes(sample[4:12], "big") == ex["cosignature_timestamp_sample"]["timestamp"]
    # Keys are unpublished: opening with an unrelated key must fail as unverified, not crash.
    with pytest.raises(UnverifiedNoteError):
        note.open_checkpoint(ex["checkpoint"], note.Ed25519Verifier("example.com/behind-the-sofa", bytes(range(32))))
