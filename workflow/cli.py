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
    app.cli.add_command(import_merit_command)


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
