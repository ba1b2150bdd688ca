"""Where the shared conformance vectors live (``../shared/conformance`` beside the checkout).

CI lays ``shared/`` beside the clone; ``tests/audit/test_conformance_present.py`` fails there if it
is missing, so the vector tests can never be skipped in CI. On a developer's checkout without it
they are skipped with the path in the reason.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

CONFORMANCE_DIR = Path(
    os.environ.get("JEJAK_CONFORMANCE_DIR", Path(__file__).resolve().parents[1].parent / "shared" / "conformance")
)
HAVE_VECTORS = CONFORMANCE_DIR.is_dir()
needs_vectors = pytest.mark.skipif(
    not HAVE_VECTORS, reason=f"conformance vectors not found at {CONFORMANCE_DIR} (set JEJAK_CONFORMANCE_DIR)"
)


def load_vectors(name: str) -> Any:
    """The parsed vector file ``name``, or an empty dict when the directory is missing."""
    return json.loads((CONFORMANCE_DIR / name).read_text(encoding="utf-8")) if HAVE_VECTORS else {}
