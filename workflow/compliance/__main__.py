"""``python -m workflow.compliance BUNDLE [--json] [--html FILE] [--vkey VKEY]
[--trusted-checkpoint FILE | --state FILE] [--lang id|en]``.

Exit status: 0 when the bundle is intact and no process has a hard finding; 1 when integrity is
broken (the problems are listed and nothing is replayed) or a hard finding exists; 2 for a usage
error or a file that cannot be read or written. Offline: no database, network or Flask app.

This module is the package's only file I/O (STYLE.md C8). ``--state`` behaves as in
``python -m audit verify``: the file holds the newest checkpoint of the last bundle found intact;
only an intact bundle moves it forward (docs/bundle.md, "Incremental verification").

Import rule: standard library, ``audit`` and ``workflow.compliance``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from audit import note
from audit.__main__ import read_trusted_checkpoint, save_state  # the verifier's own state-file handling
from audit.errors import VerifierKeyError
from workflow.compliance.replay import run
from workflow.compliance.report import to_html, to_json, to_text

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m workflow.compliance",
                     description="Verify a Jejak bundle, replay every process against its pinned rules, "
                                 "and list the red flags.")
    parser.add_argument("file", type=Path, help="the bundle (flask audit export)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--html", type=Path, metavar="FILE", help="also write a self-contained HTML report")
    parser.add_argument("--vkey", help="pin the log's key (note vkey); default: the bundle's own")
    trust = parser.add_mutually_exclusive_group()
    trust.add_argument("--trusted-checkpoint", type=Path, metavar="FILE",
                       help="a signed checkpoint seen earlier; the bundle must extend it (no rollback, no split view)")
    trust.add_argument("--state", type=Path, metavar="FILE",
                       help="incremental integrity check across runs, as `python -m audit verify --state`")
    parser.add_argument("--lang", choices=("id", "en"), default="id", help="language of the messages (default id)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = _parser().parse_args(argv)
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
    result = run(data, vkey=args.vkey, trusted_checkpoint=trusted, incremental=args.state is not None)
    name = str(args.file)
    if args.json:
        print(json.dumps(to_json(result), ensure_ascii=False, indent=2))
    else:
        print(to_text(result, name, args.lang))
    try:
        if args.html is not None:
            args.html.write_text(to_html(result, name, args.lang), encoding="utf-8")
        # Integrity alone moves the state forward (it is the verifier's state, not a verdict on merit).
        if args.state is not None and result.integrity.ok and result.integrity.checkpoint is not None:
            save_state(args.state, result.integrity.checkpoint)
    except OSError as exc:
        print(f"error: cannot write: {exc}", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_OK if result.ok else EXIT_FINDINGS


if __name__ == "__main__":
    sys.exit(main())
