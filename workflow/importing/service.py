"""The merit-import use case: read, validate every record, then write all of them in one transaction.

Nothing is written unless the whole file is valid; a failure while writing rolls everything back.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from workflow.extensions import db
from workflow.importing.progress import Progress, no_progress
from workflow.importing.readers import read_merit_file
from workflow.importing.validation import MeritImportError, validate_records
from workflow.importing.writer import WriteSummary, write_records


@dataclass(frozen=True, slots=True)
class ImportReport:
    records: int
    written: WriteSummary


def import_merit(
    name: str, content: bytes, *, today: dt.date, now: dt.datetime, progress: Progress = no_progress
) -> ImportReport:
    """Import one merit file (CSV or JSON, told apart by ``name``) and commit.

    Args:
        name: the file name; its extension picks the format.
        content: the file's bytes.
        today: reference date of the NIP and date rules.
        now: timestamp stored in ``updated_at`` of the employees this import creates or changes.
        progress: ``click.progressbar``-like hook.

    Raises:
        MeritImportError: the file or some record is invalid; nothing was written.
        UnsupportedFormatError: the name ends in neither ``.csv`` nor ``.json``.
    """
    parsed = read_merit_file(name, content)
    if parsed.problems:
        raise MeritImportError(parsed.problems)
    records = validate_records(parsed.records, today=today, progress=progress)
    try:
        summary = write_records(db.session, records, now=now, progress=progress)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return ImportReport(records=len(records), written=summary)
