"""``flask audit …`` and ``flask keys …``: thin wrappers over workflow.ledger and workflow.keystore (C15).

The lead wires :func:`register` into ``workflow/cli.py``. Output goes through ``click.echo``;
failures exit non-zero with the error's message. No command ever prints private key material.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from workflow import ledger
from workflow.errors import WorkflowError
from workflow.extensions import db
from workflow.keystore import KeyStoreError, get_keystore
from workflow.services.export import export_bundle_with_evidence

audit_cli = AppGroup("audit", help="The audit log: checkpoints and bundles.")
keys_cli = AppGroup("keys", help="The server's signing keys.")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _sign_checkpoint() -> ledger.LogCheckpoint:
    try:
        row = ledger.checkpoint(db.session, get_keystore().log_signer(), _now())
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return row


@audit_cli.command("checkpoint")
def checkpoint_command() -> None:
    """Sign a checkpoint of the log if it grew since the last one, and print it."""
    try:
        row = _sign_checkpoint()
    except (KeyStoreError, WorkflowError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(row.note, nl=False)


@audit_cli.command("export")
@click.argument("out", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@click.option("--process", "process_id", type=int, default=None, help="Export for one process (by id).")
def export_command(out: Path, process_id: int | None) -> None:
    """Write the log as a bundle an inspector verifies with `python -m audit verify OUT`
    and replays with `python -m workflow.compliance OUT` (evidence records included).

    A checkpoint covering the whole log is signed first, so the bundle holds every entry.
    """
    try:
        row = _sign_checkpoint()
        # With the evidence records of the exported processes, so `python -m workflow.compliance`
        # can replay them (workflow/services/export.py).
        data = export_bundle_with_evidence(db.session, process_id)
    except (KeyStoreError, WorkflowError) as exc:
        raise click.ClickException(str(exc)) from exc
    out.write_bytes(data)
    click.echo(f"wrote {out} ({len(data)} bytes): {row.size} entries, checkpoint:")
    click.echo(row.note, nl=False)


@keys_cli.command("init")
def init_command() -> None:
    """Create the log and system keys if missing and enrol the system key as the log's first entry."""
    store = get_keystore()
    try:
        store.bootstrap(db.session, _now())
        db.session.commit()
    except (KeyStoreError, WorkflowError) as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    click.echo(f"log key:    {store.log_vkey()}")
    click.echo(f"system key: {store.system_signer().key_id}")


@keys_cli.command("vkey")
def vkey_command() -> None:
    """Print the log's verifier key (give it to inspectors: `python -m audit verify --vkey`)."""
    try:
        click.echo(get_keystore().log_vkey())
    except KeyStoreError as exc:
        raise click.ClickException(str(exc)) from exc


def register(app: Flask) -> None:
    """Attach the ``audit`` and ``keys`` command groups to the app's CLI."""
    app.cli.add_command(audit_cli)
    app.cli.add_command(keys_cli)
