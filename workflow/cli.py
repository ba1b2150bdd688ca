"""Command-line interface: thin wrappers over services (STYLE.md C15)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click
from flask import Flask
from flask.cli import with_appcontext

MAX_PROBLEMS_SHOWN = 200


def register_cli(app: Flask) -> None:
    """Attach every command group to the app's ``flask`` CLI."""
    from workflow import ledger_cli

    app.cli.add_command(import_merit_command)
    app.cli.add_command(demo_command)
    ledger_cli.register(app)


def _click_progress(label: str, total: int) -> click.progressbar[int]:
    return click.progressbar(length=total, label=label)


def _utc_now() -> dt.datetime:
    # Stored naive: the model's datetime columns are UTC without a zone.
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


@click.command("import-merit")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Reference date of the NIP and date rules (default: today, UTC).",
)
@click.option("--quiet", is_flag=True, help="No progress bar.")
@with_appcontext
def import_merit_command(file: Path, today: dt.datetime | None, quiet: bool) -> None:
    """Import merit data from FILE (.csv or .json, see docs/merit-import.md).

    Every record is validated first; one bad record means nothing from FILE is imported, and each
    problem is listed with its line (CSV) or record index (JSON), field and reason. Re-importing
    the same file changes nothing.
    """
    from workflow.importing import MeritImportError, UnsupportedFormatError, import_merit
    from workflow.importing.progress import Progress, no_progress

    progress: Progress = no_progress if quiet else _click_progress
    reference = today.date() if today else _utc_now().date()
    try:
        report = import_merit(file.name, file.read_bytes(), today=reference, now=_utc_now(), progress=progress)
    except UnsupportedFormatError as err:
        raise click.ClickException(str(err)) from None
    except MeritImportError as err:
        for problem in err.problems[:MAX_PROBLEMS_SHOWN]:
            click.echo(str(problem), err=True)
        if len(err.problems) > MAX_PROBLEMS_SHOWN:
            click.echo(f"... and {len(err.problems) - MAX_PROBLEMS_SHOWN} more.", err=True)
        raise click.ClickException(f"{file.name}: {err}") from None
    w = report.written
    click.echo(
        f"Imported {report.records} record(s) from {file.name}: "
        f"{w.employees_created} employee(s) created, {w.employees_updated} updated, "
        f"{w.employees_unchanged} unchanged; {w.units_created} unit(s) created, {w.units_renamed} renamed."
    )


@click.command("demo")
@click.option("--seed", type=int, default=None, help="Random seed; the same seed gives the same province.")
@click.option("--employees", type=click.IntRange(min=1), default=None, help="Number of employees (default 2000).")
@click.option("--if-empty", is_flag=True, help="Do nothing (and succeed) when employees already exist.")
@click.option(
    "--processes/--no-processes",
    default=True,
    help="Also run one position-filling process to each stage through the services (the demo log).",
)
@with_appcontext
def demo_command(seed: int | None, employees: int | None, if_empty: bool, processes: bool) -> None:
    """Fill an empty database with the demo province and one account per role (never in production)."""
    from flask import current_app

    from workflow import demo, demo_processes, ledger
    from workflow.errors import WorkflowError
    from workflow.extensions import db
    from workflow.keystore import get_keystore

    try:
        result = demo.seed_demo(
            db.session,
            allowed=bool(current_app.config.get("DEMO_ALLOWED")),
            seed=demo.DEFAULT_SEED if seed is None else seed,
            employees=demo.DEFAULT_EMPLOYEES if employees is None else employees,
            if_empty=if_empty,
        )
    except (WorkflowError, ValueError) as err:
        raise click.ClickException(str(err)) from None
    if not result.created:
        click.echo(f"Demo skipped: the database already holds {result.employees} employee(s).")
        return
    click.echo(f"Demo province created: {result.employees} employees. Logins (password: {demo.DEMO_PASSWORD}):")
    for account in result.accounts:
        click.echo(f"  {account.username:<12} {account.role.value:<17} {account.display_name} ({account.affiliation})")
    if not processes:
        return
    # The processes' history ends now, so the announced one is inside its objection window.
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    made = demo_processes.create_demo_processes(db.session, now=now, seed=demo.DEFAULT_SEED if seed is None else seed)
    signed = ledger.checkpoint(db.session, get_keystore().log_signer(), now)
    db.session.commit()
    click.echo(f"Demo processes ({len(made)}), all through the services; the log holds {signed.size} signed entries:")
    for item in made:
        click.echo(f"  #{item.process_id:<3} {item.position:<24} {item.stage.value}")
