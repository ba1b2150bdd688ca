"""Bundle verification benchmark: single-core rate, ``--jobs`` speed-up and incremental cost.

A script, not a test. Every rate is printed beside a baseline measured in the same run on the
same signatures, so the ratios mean something on any machine (and on a loaded one, as long as the
load is steady):

- raw Ed25519: ``key.verify(sig, msg)`` over exactly the bundle's statement signatures, with the
  messages (DSSE PAE) built beforehand and key objects cached — the floor of any verifier;
- raw PAE + verify: the same, building each PAE from the payload inside the timed loop;
- ``verify_bundle`` with ``jobs=1`` (target ≥ 0.8 × raw) and ``jobs=N`` (compared with N × raw);
- incremental verification (``trusted_checkpoint`` + ``incremental=True``) of the same bundle when
  +1 % and +10 % of its entries are new since the trusted checkpoint, against the full run.

Bundles are synthetic but shaped like the real log: a system bootstrap, ``--users`` enrolments,
then votes by those users spread over ``--processes`` processes, each with a correct ``basis``.
They are built once per size and cached under ``bench/out/`` (gitignored); keys come from fixed
seeds, so a cached bundle and the vkey derived here always match.

Usage::

    .venv/bin/python bench/verify_bench.py [--entries 100000] [--jobs 2] [--incremental]
        [--raw-sample 100000] [--skip-jobs1]
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import multiprocessing
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey  # noqa: E402

from audit import merkle, note  # noqa: E402
from audit.bundle import read_bundle_unverified, write_bundle  # noqa: E402
from audit.dsse import PAYLOAD_TYPE, pae  # noqa: E402
from audit.entry import parse_leaf_unverified  # noqa: E402
from audit.keys import SYSTEM_ID, Signer, enrol_data  # noqa: E402
from audit.verify import verify_bundle  # noqa: E402

OUT = ROOT / "bench" / "out"
ORIGIN = "bench.jejak.example/log"
TIME = "2026-03-02T08:00:00Z"
ZERO = bytes(32)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _canonical(obj: Any) -> bytes:
    # Our domain (ASCII keys, no floats) makes the C encoder's sorted compact output RFC 8785; the
    # first statements are cross-checked against ``rfc8785`` in build() to keep that honest.
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _seed(name: str) -> bytes:
    return hashlib.sha256(b"jejak-bench-key:" + name.encode()).digest()


def _signers(users: int) -> tuple[Signer, list[Signer], note.Ed25519Signer]:
    system = Signer.from_seed(_seed("system"))
    people = [Signer.from_seed(_seed(f"user:{u}")) for u in range(users)]
    log_key = note.Ed25519Signer(ORIGIN, Ed25519PrivateKey.from_private_bytes(_seed("log")))
    return system, people, log_key


# --- building ------------------------------------------------------------------------------------

_WORKER_KEYS: list[Ed25519PrivateKey] = []


def _init_worker(users: int) -> None:
    _, people, _ = _signers(users)
    _WORKER_KEYS[:] = [p.private_key for p in people]


def _sign_batch(batch: list[tuple[int, bytes]]) -> list[bytes]:
    return [_WORKER_KEYS[user].sign(message) for user, message in batch]


class _Builder:
    """Appends entries sequentially: ``prev`` chains every leaf, ``basis`` every process."""

    def __init__(self) -> None:
        self.leaves: list[bytes] = []
        self.hashes: list[bytes] = []
        self.heads: dict[Any, bytes] = {}

    def payload(self, action: str, process: Any, actor: dict[str, str], data: dict[str, Any], state: Any) -> bytes:
        statement = {
            "action": action,
            "process": process,
            "from": state,
            "to": state,
            "time": TIME,
            "actor": actor,
            "data": data,
            "basis": _b64(self.heads.get(process, ZERO)),
        }
        return _canonical(statement)

    def add(self, process: Any, payload: bytes, signatures: list[tuple[str, bytes]]) -> None:
        seq = len(self.leaves)
        leaf = _canonical(
            {
                "v": 1,
                "seq": seq,
                "prev": _b64(self.hashes[-1] if self.hashes else ZERO),
                "time": TIME,
                "statement": {
                    "payload": _b64(payload),
                    "payloadType": PAYLOAD_TYPE,
                    "signatures": [{"keyid": kid, "sig": _b64(sig)} for kid, sig in signatures],
                },
            }
        )
        self.leaves.append(leaf)
        h = merkle.leaf_hash(leaf)
        self.hashes.append(h)
        self.heads[process] = h


def build(entries: int, users: int, processes: int, jobs: int) -> bytes:
    """Build a valid bundle of ``entries`` leaves; user signatures are made in ``jobs`` processes.

    Entry n's ``basis`` is the hash of entry n − ``processes`` (round-robin processes), so a wave of
    ``processes`` consecutive statements depends only on earlier waves: each wave is signed in
    parallel, then chained in order here.
    """
    system, people, log_key = _signers(users)
    builder = _Builder()
    sys_actor = {"id": SYSTEM_ID, "role": "system", "key_id": system.key_id}

    def key_entry(data: dict[str, Any], signers: list[Signer]) -> None:
        payload = builder.payload("key.enrol", None, sys_actor, data, None)
        message = pae(PAYLOAD_TYPE, payload)
        builder.add(None, payload, [(s.key_id, s.sign(message)) for s in signers])

    key_entry(enrol_data(SYSTEM_ID, system.public_bytes, "bootstrap"), [system])
    for u, person in enumerate(people):
        key_entry(enrol_data(str(u + 1), person.public_bytes, "account created"), [system, person])
    actors = [{"id": str(u + 1), "role": "committee_member", "key_id": p.key_id} for u, p in enumerate(people)]
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    with context.Pool(jobs, initializer=_init_worker, initargs=(users,)) as pool:
        n = builder_start = len(builder.leaves)
        while n < entries:
            wave = range(n, min(entries, n + processes))
            plan = []
            for i in wave:
                k = i - builder_start
                process, user = 1 + k % processes, k % users
                data = {
                    "candidate": f"c{k % 97}",
                    "evidence": hashlib.sha256(b"%d" % k).hexdigest(),
                    "round": k // processes,
                    "rule_version": "2026.1",
                    "score": f"{60 + k % 40}.50",
                }
                payload = builder.payload("process.vote", process, actors[user], data, "scoring")
                plan.append((process, user, payload))
            half = -(-len(plan) // jobs)
            batches = [[(u, pae(PAYLOAD_TYPE, p)) for _, u, p in plan[s : s + half]] for s in range(0, len(plan), half)]
            signatures = [sig for batch in pool.map(_sign_batch, batches) for sig in batch]
            for (process, user, payload), sig in zip(plan, signatures, strict=True):
                builder.add(process, payload, [(people[user].key_id, sig)])
            n = wave.stop
    import rfc8785

    for leaf in builder.leaves[: users + 5]:  # the C-encoder shortcut above must be RFC 8785
        obj = json.loads(leaf)
        assert rfc8785.dumps(obj) == leaf
        assert rfc8785.dumps(json.loads(base64.b64decode(obj["statement"]["payload"]))) == base64.b64decode(
            obj["statement"]["payload"]
        )
    checkpoint = note.sign_checkpoint(note.Checkpoint(ORIGIN, entries, merkle.root(builder.hashes)), log_key)
    return write_bundle(
        origin=ORIGIN,
        log_vkey=log_key.verifier.vkey,
        checkpoints=[checkpoint],
        leaves=builder.leaves,
        system_keys=[system.public_bytes],
    )


def cached_bundle(entries: int, users: int, processes: int, jobs: int) -> bytes:
    path = OUT / f"verify_bundle_{entries}_{users}u_{processes}p.json"
    if path.exists():
        return path.read_bytes()
    OUT.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    data = build(entries, users, processes, jobs)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    print(f"built   {entries} entries ({len(data) / 1e6:.0f} MB) in {time.perf_counter() - t:.1f} s -> {path}")
    return data


def signed_prefix(hashes: list[bytes], size: int) -> str:
    """A checkpoint over the first ``size`` leaves, as an inspector would have kept from a past run."""
    _, _, log_key = _signers(0)
    return note.sign_checkpoint(note.Checkpoint(ORIGIN, size, merkle.root(hashes[:size])), log_key)


# --- measuring -----------------------------------------------------------------------------------


_CPU: dict[str, float] = {}


def _timed(label: str, fn: Any) -> tuple[float, Any]:
    # CPU time of this process beside wall time: on a machine others are loading, time slices lost
    # to them inflate wall time but not CPU time, so single-core ratios use CPU time.
    t, c = time.perf_counter(), time.process_time()
    result = fn()
    elapsed, cpu = time.perf_counter() - t, time.process_time() - c
    _CPU[label] = cpu
    print(f"  {label:<44} {elapsed:8.2f} s wall {cpu:8.2f} s CPU")
    return elapsed, result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--jobs", type=int, default=2, help="workers for the parallel run (and for building)")
    parser.add_argument("--incremental", action="store_true", help="also time +1%% and +10%% incremental runs")
    parser.add_argument("--raw-sample", type=int, default=0, help="time raw Ed25519 on this many signatures (0: all)")
    parser.add_argument("--skip-jobs1", action="store_true", help="skip the single-core verify_bundle run")
    parser.add_argument("--users", type=int, default=32)
    parser.add_argument("--processes", type=int, default=1000)
    args = parser.parse_args(argv)

    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start")
    data = cached_bundle(args.entries, args.users, args.processes, args.jobs)
    vkey = _signers(0)[2].verifier.vkey
    n = args.entries
    _, bundle = _timed(f"read_bundle_unverified ({len(data) / 1e6:.0f} MB)", lambda: read_bundle_unverified(data))
    data = b""  # 1M entries: free the file's bytes before the runs

    # The baseline's inputs, prepared outside the timed loops: key objects and PAE messages.
    system, people, _ = _signers(args.users)
    keys: dict[str, Ed25519PublicKey] = {s.key_id: s.private_key.public_key() for s in [system, *people]}
    sample = bundle.leaves if not args.raw_sample else bundle.leaves[: args.raw_sample]
    payloads: list[tuple[Ed25519PublicKey, bytes, bytes]] = []
    for leaf in sample:
        envelope = parse_leaf_unverified(leaf).envelope
        payloads.extend((keys[s.keyid], envelope.payload, s.sig) for s in envelope.signatures)
    messages = [(key, pae(PAYLOAD_TYPE, payload), sig) for key, payload, sig in payloads]
    signatures_total = n + args.users  # each enrolment carries two signatures
    print(f"raw Ed25519 over {len(messages)} of the bundle's {signatures_total} signatures, one core:")

    def raw_verify() -> None:
        for key, message, sig in messages:
            key.verify(sig, message)

    def raw_pae_verify() -> None:
        for key, payload, sig in payloads:
            key.verify(sig, pae(PAYLOAD_TYPE, payload))

    raw_time, _ = _timed("verify only", raw_verify)
    pae_time, _ = _timed("PAE + verify", raw_pae_verify)
    raw_rate = len(messages) / raw_time
    raw_full = signatures_total / raw_rate  # what raw verification of the whole bundle costs
    print(f"  raw rate {raw_rate:8.0f} signatures/s; PAE + verify {len(payloads) / pae_time:8.0f}/s")
    raw_cpu_full = _CPU["verify only"] * signatures_total / len(messages)
    messages.clear()
    payloads.clear()

    def run(jobs: int, **kwargs: Any) -> Any:
        report = verify_bundle(bundle, vkey=vkey, jobs=jobs, **kwargs)
        assert report.ok, report.problems[:3]
        return report

    print(f"verify_bundle over {n} entries:")
    full_time = None
    if not args.skip_jobs1:
        full_time, _ = _timed("jobs=1", lambda: run(1))
        print(f"  jobs=1 {n / full_time:8.0f} entries/s = {raw_full / full_time:.2f} x raw single-core (wall)")
        print(f"  jobs=1 by CPU time: {raw_cpu_full / _CPU['jobs=1']:.2f} x raw single-core (target >= 0.8)")
    if args.jobs > 1:
        par_time, _ = _timed(f"jobs={args.jobs}", lambda: run(args.jobs))
        print(
            f"  jobs={args.jobs} {n / par_time:8.0f} entries/s = {raw_full / par_time:.2f} x raw single-core"
            f" = {raw_full / par_time / args.jobs:.2f} x ({args.jobs} x raw)"
            + (f"; speed-up over jobs=1 {full_time / par_time:.2f}" if full_time else "")
        )
    if args.incremental:
        hashes = [merkle.leaf_hash(leaf) for leaf in bundle.leaves]
        base = full_time
        if base is None:
            base, _ = _timed("jobs=1 (full, for comparison)", lambda: run(1))
        print("incremental (trusted checkpoint from an earlier complete run, jobs=1):")
        for share in (0.01, 0.10):
            old = n - round(n * share)
            trusted = signed_prefix(hashes, old)
            elapsed, report = _timed(
                f"+{share:.0%} new ({n - old} entries)",
                lambda t=trusted: run(1, trusted_checkpoint=t, incremental=True),
            )
            assert report.incremental_from == old
            print(f"  +{share:.0%}: {elapsed / base:.3f} of the full run ({base / elapsed:.1f}x faster)")
    print(f"machine load average at end {os.getloadavg()[0]:.1f} (other work on the machine slows every figure)")


if __name__ == "__main__":
    main()
