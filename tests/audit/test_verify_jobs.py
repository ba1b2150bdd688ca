"""``jobs``: the same report for any number of worker processes, and the fast decoder's fidelity.

The pool only starts for bundles with at least ``_POOL_THRESHOLD`` new entries; these tests lower
the threshold and the chunk size so a small log goes through many worker chunks.
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest
import rfc8785
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audit import verify as verify_module
from audit.entry import parse_leaf_unverified, parse_statement_unverified
from audit.errors import AuditError
from audit.verify import Report, verify_bundle
from tests.audit.helpers import bundle_of, checkpoint, log_vkey, standard_log

LOG = standard_log(processes=3, rounds=8)
LEAVES = tuple(LOG.leaves)
VKEY = log_vkey()


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(verify_module, "_POOL_THRESHOLD", 1)
    monkeypatch.setattr(verify_module, "_CHUNK", 3)
    yield


def _edit(leaf: bytes, change: Any) -> bytes:
    obj = json.loads(leaf)
    change(obj)
    return rfc8785.dumps(obj)


def _resign_free_payload_edit(leaf: bytes) -> bytes:
    """Change the payload's time: the signature no longer verifies (and nothing else breaks)."""

    def change(obj: dict[str, Any]) -> None:
        payload = json.loads(base64.b64decode(obj["statement"]["payload"]))
        payload["time"] = "2026-03-02T09:59:59Z"
        obj["statement"]["payload"] = base64.b64encode(rfc8785.dumps(payload)).decode()

    return _edit(leaf, change)


def _tampered() -> list[bytes]:
    leaves = list(LEAVES)
    for index in (5, 11, 17):
        leaves[index] = _resign_free_payload_edit(leaves[index])
    del leaves[20]  # a deletion: seq and prev break there
    leaves[8] = leaves[8].replace(b'"v":1', b'"v": 1')  # not canonical
    return leaves


def _verify(leaves: list[bytes], jobs: int, **kwargs: Any) -> Report:
    return verify_bundle(
        bundle_of(LOG, leaves=leaves, checkpoints=[checkpoint(LEAVES)]), vkey=VKEY, jobs=jobs, **kwargs
    )


@pytest.mark.usefixtures("small_chunks")
def test_tampered_bundle_same_report_for_any_jobs() -> None:
    leaves = _tampered()
    reports = [_verify(leaves, jobs) for jobs in (1, 2, 3)]
    assert not reports[0].ok
    assert {(p.index, p.kind) for p in reports[0].problems} >= {
        (5, "bad_signature"),
        (11, "bad_signature"),
        (17, "bad_signature"),
        (8, "non_canonical_entry"),
        (20, "seq_mismatch"),
    }
    assert reports[0].first_bad_index == 5
    assert reports[1] == reports[0] and reports[2] == reports[0]


@pytest.mark.usefixtures("small_chunks")
def test_pool_is_used_when_asked_and_large_enough() -> None:
    signatures = verify_module._Signatures(2, 10)
    try:
        assert signatures._pool is not None
    finally:
        signatures.close()


def test_small_bundles_do_not_start_a_pool() -> None:
    signatures = verify_module._Signatures(8, verify_module._POOL_THRESHOLD - 1)
    assert signatures._pool is None
    assert verify_module._Signatures(1, 10**6)._pool is None


@pytest.mark.usefixtures("small_chunks")
def test_spawn_when_other_threads_run() -> None:
    # fork is avoided while another thread runs (a forked child could inherit a held lock).
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        signatures = verify_module._Signatures(2, 10)
        try:
            assert signatures._pool is not None
            assert signatures._pool._mp_context.get_start_method() == "spawn"  # type: ignore[attr-defined]
        finally:
            signatures.close()
        report = _verify(_tampered(), 2)
    finally:
        stop.set()
        thread.join()
    assert report == _verify(_tampered(), 1)


# --- the fast decoder accepts exactly what the careful parsers accept without complaint -----------


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


JSON_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.sampled_from(["", "x", "P1", "é", "\ue000", "2026-03-02T08:00:00Z", "2026-02-30T08:00:00Z", "AAAA", "a.b"]),
    st.just({}),
    st.just([]),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(index=st.integers(0, len(LEAVES) - 1), where=st.sampled_from(["leaf", "envelope", "payload"]), data=st.data())
def test_fast_decoder_agrees_with_parsers(index: int, where: str, data: st.DataObject) -> None:
    leaf = LEAVES[index]
    obj = json.loads(leaf)
    payload = json.loads(base64.b64decode(obj["statement"]["payload"]))
    target = {"leaf": obj, "envelope": obj["statement"], "payload": payload}[where]
    key = data.draw(st.sampled_from([*target, "extra"]))
    value = data.draw(JSON_VALUES)
    delete = data.draw(st.booleans()) and key in target
    if where == "payload":  # mutate the statement before it is encoded into the envelope
        _ = payload.pop(key) if delete else payload.__setitem__(key, value)
    payload_bytes = rfc8785.dumps(payload)
    if data.draw(st.booleans()):  # sometimes not canonical
        payload_bytes = payload_bytes.replace(b":", b": ", 1)
    obj["statement"]["payload"] = base64.b64encode(payload_bytes).decode()
    if where != "payload":
        _ = target.pop(key) if delete else target.__setitem__(key, value)
    mutated = rfc8785.dumps(obj)
    decoder = verify_module._Decoder()
    assert decoder.leaf(mutated) in (None, _slow_leaf(mutated))
    if decoder.leaf(mutated) is not None:
        fast = decoder.statement(payload_bytes)
        assert fast is None or fast == _slow_statement(payload_bytes)


def test_fast_decoder_accepts_genuine_leaves() -> None:
    decoder = verify_module._Decoder()
    for leaf in LEAVES:
        parsed = decoder.leaf(leaf)
        assert parsed is not None and parsed == _slow_leaf(leaf)
        assert decoder.statement(parsed[2]) == _slow_statement(parsed[2])
