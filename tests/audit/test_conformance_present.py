"""In CI the shared conformance vectors must be present: their tests may skip only on a dev checkout."""

from __future__ import annotations

import os

import pytest

from tests.conformance import CONFORMANCE_DIR

EXPECTED = {
    "merkle_rfc6962.json",
    "merkle_probes_transparency_dev.json",
    "signed_note.json",
    "checkpoint_cosignature.json",
    "jcs_rfc8785.json",
}


@pytest.mark.skipif(not os.environ.get("CI"), reason="only enforced in CI, where shared/ lies beside the clone")
def test_every_vector_file_is_there_in_ci() -> None:
    assert {p.name for p in CONFORMANCE_DIR.glob("*.json")} >= EXPECTED, f"missing under {CONFORMANCE_DIR}"
