"""Merit-data import (SIASN-style CSV and JSON): readers, schemas, validation, bulk writer, use case.

Format: docs/merit-import.md. Entry point: :func:`import_merit` (``flask --app wsgi import-merit FILE``).
"""

from workflow.importing.readers import UnsupportedFormatError
from workflow.importing.records import MeritRecord, RowProblem
from workflow.importing.service import ImportReport, import_merit
from workflow.importing.validation import MeritImportError

__all__ = [
    "ImportReport",
    "MeritImportError",
    "MeritRecord",
    "RowProblem",
    "UnsupportedFormatError",
    "import_merit",
]
