"""``python -m audit verify FILE [--vkey VKEY] [--trusted-checkpoint FILE [--incremental] | --state FILE]
[--json] [--jobs N]``.

Exit status: 0 when the bundle is intact, 1 when it is not (the first bad entry is named), 2 for a
usage error or a file that cannot be read. This module is the only place in ``audit/`` that reads
files (STYLE.md C8) and the only one that writes one: the ``--state`` file, which holds the newest
checkpoint of the last bundle that verified completely, so the next run checks only newer entries
(docs/bundle.md, "Incremental verification"). It needs nothing beyond the standard library, ``cryptography`` and
``rfc8785``, so an inspector can run it in a bare virtual environment.

Import rule: standard library and ``audit`` modules only.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from audit import note
from audit.errors import VerifierKeyError
from audit.verify import Report, verify_bundle

EXIT_OK, EXIT_BAD, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        # argparse already exits with status 2 on usage errors; keep the message short and plain.
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m audit", description="Verify a Jejak transparency-log bundle offline.")
    commands = parser.add_subparsers(dest="command", required=True)
    verify = commands.add_parser("verify", help="verify a bundle file")
    verify.add_argument("file", type=Path, help="the bundle (JSON, see docs/bundle.md)")
    verify.add_argument("--vkey", help="pin the log's key (note vkey: name+keyid+base64); default: the bundle's own")
    verify.add_argument(
        "--trusted-checkpoint",
        type=Path,
        metavar="FILE",
        help="a signed checkpoint seen earlier; the bundle must extend it",
    )
    verify.add_argument(
        "--incremental",
        action="store_true",
        help="the trusted checkpoint is one this verifier accepted before: do not re-check the entries it covers",
    )
    verify.add_argument(
        "--state",
        type=Path,
        metavar="FILE",
        help="incremental verification: trust the checkpoint in FILE (if it exists) as verified before, "
        "and store the bundle's newest checkpoint there when the bundle is intact",
    )
    verify.add_argument("--json", action="store_true", help="print the report as JSON")
    verify.add_argument("--jobs", type=int, default=1, metavar="N", help="worker processes for signature checks")
    return parser


def _human(report: Report, name: str) -> str:
    lines: list[str] = []
    if report.ok:
        lines.append(f"{name}: OK — {report.size} entries, checkpoint size {report.checkpoint_size}.")
        if not report.vkey_pinned:
            lines.append("note: checked against the log key named in the bundle itself; pass --vkey to pin it.")
        return "\n".join(lines)
    where = "no single entry" if report.first_bad_index is None else f"entry {report.first_bad_index}"
    lines.append(
        f"{name}: NOT INTACT — first bad entry: {where} ({len(report.problems)} problem(s), {report.size} entries)."
    )
    for problem in report.problems:
        at = "bundle" if problem.index is None else f"entry {problem.index}"
        lines.append(f"  {at}: {problem.kind}: {problem.detail}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line.

    Args:
        argv: the arguments after ``python -m audit`` (default: ``sys.argv[1:]``).

    Returns:
        The exit status: 0 intact, 1 not intact, 2 usage error or unreadable file.
    """
    args = _parser().parse_args(argv)
    if args.jobs < 1:
        print("error: --jobs must be at least 1", file=sys.stderr)
        return EXIT_USAGE
    if args.state is not None and args.trusted_checkpoint is not None:
        print("error: --state already names the trusted checkpoint; drop --trusted-checkpoint", file=sys.stderr)
        return EXIT_USAGE
    if args.incremental and args.trusted_checkpoint is None:
        print("error: --incremental needs --trusted-checkpoint (or use --state)", file=sys.stderr)
        return EXIT_USAGE
    if args.vkey is not None:
        try:
            note.parse_vkey(args.vkey)
        except (VerifierKeyError, ValueError) as exc:
            print(f"error: --vkey: {exc}", file=sys.stderr)
            return EXIT_USAGE
    try:
        data = args.file.read_bytes()
        trusted = read_trusted_checkpoint(state=args.state, trusted_checkpoint=args.trusted_checkpoint)
    except (OSError, UnicodeDecodeError) as exc:
        print(f"error: cannot read: {exc}", file=sys.stderr)
        return EXIT_USAGE
    incremental = args.incremental or args.state is not None
    report = verify_bundle(data, vkey=args.vkey, trusted_checkpoint=trusted, jobs=args.jobs, incremental=incremental)
    if args.json:
        print(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
    else:
        print(_human(report, str(args.file)))
        if report.incremental_from:
            print(
                f"note: entries 0..{report.incremental_from - 1} were verified before (trusted checkpoint); "
                "only later entries were checked again."
            )
    # Only an intact bundle may move the state forward: the next run trusts what is stored.
    if args.state is not None and report.ok and report.checkpoint is not None:
        try:
            save_state(args.state, report.checkpoint)
        except OSError as exc:
            print(f"error: cannot write the state file: {exc}", file=sys.stderr)
            return EXIT_USAGE
    return EXIT_OK if report.ok else EXIT_BAD


def read_trusted_checkpoint(*, state: Path | None, trusted_checkpoint: Path | None) -> str | None:
    """The trusted checkpoint's text: the ``--state`` file, else ``--trusted-checkpoint``, else None.

    A state file that does not exist yet means a first, complete run (None).

    Raises:
        OSError, UnicodeDecodeError: the file cannot be read.
    """
    source = state if state is not None else trusted_checkpoint
    if source is None or (state is not None and not source.exists()):
        return None
    return source.read_bytes().decode("utf-8")


def save_state(path: Path, checkpoint: str) -> None:
    """Store ``checkpoint`` as the ``--state`` file (call only after a bundle verified intact).

    Written beside the target, then renamed: a crash never leaves a half-written checkpoint behind.

    Raises:
        OSError: the file cannot be written.
    """
    data = checkpoint.encode("utf-8")
    fd, tmp = tempfile.mkstemp(dir=path.parent if str(path.parent) else ".", prefix=path.name + ".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


if __name__ == "__main__":
    sys.exit(main())
