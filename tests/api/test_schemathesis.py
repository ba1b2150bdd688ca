"""Schemathesis against the app in-process: no 5xx, no response outside the OpenAPI document.

Demo-like data: one process announced (every stage's statements in its timeline), one cancelled,
one draft, built through the services; a token per role. Every operation is fuzzed; each
generated request goes out as one role (or without credentials), and every response is checked
against the document (status, content type, headers, body schema). Marked ``slow``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.helpers import make_tokens
from tests.conftest import make_app
from tests.services.helpers import at, make_world
from tests.web.helpers import IsolatedClient
from workflow import services
from workflow.extensions import db
from workflow.lifecycle import Stage
from workflow.models import CompetencyStandard, Position
from workflow.reference import COMPETENCIES

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]
TOKENS: dict[str, str] = {}
MAX_EXAMPLES = 12


@pytest.fixture
def api_schema(tmp_path: Path) -> Iterator[Any]:
    app = make_app("sqlite://", KEY_DIR=str(tmp_path / "keys"))
    app.test_client_class = IsolatedClient
    with app.app_context():
        db.create_all()
        world = make_world(db.session)
        world.advance(Stage.ANNOUNCED)
        cancelled = services.create_process(db.session, actor=world.admin, position_id=world.other_position_id,
                                            route="talent", now=at(20), ppk_id=world.ppk.id)
        services.cancel_process(db.session, cancelled.id, actor=world.admin, reason_text="dibatalkan", now=at(21))
        spare = Position(code="BKD-SUBBAG", title="Kepala Subbagian", type="pengawas",
                         unit_id=db.session.get(Position, world.position_id).unit_id,  # type: ignore[union-attr]
                         min_experience_years=0, is_vacant=True)
        spare.standards = [CompetencyStandard(competency=c, level=3) for c in COMPETENCIES]
        db.session.add(spare)
        db.session.commit()
        services.create_process(db.session, actor=world.admin, position_id=spare.id, route="open", now=at(22))
        TOKENS.clear()
        TOKENS.update(make_tokens(world).by_role())
        db.session.remove()
    try:
        yield schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    finally:
        with app.app_context():
            db.session.remove()
            db.drop_all()


def run_operation(operation: Any, mode: GenerationMode, *, pinned: bool = False) -> None:
    """Fuzz one operation; ``pinned`` puts every path id at 1, which exists (process 1 is announced)."""
    callers = [None, *sorted(TOKENS)]  # None: no credentials at all
    ids = {p.name: 1 for p in operation.path_parameters} if pinned else None

    @given(case=operation.as_strategy(mode, path_parameters=ids), caller=st.sampled_from(callers))
    @settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def run(case: Any, caller: str | None) -> None:
        headers = {"Authorization": f"Bearer {TOKENS[caller]}"} if caller else {}
        case.call_and_validate(headers=headers, checks=CHECKS)

    run()


@pytest.mark.slow
def test_api_conforms_to_its_document(api_schema: Any) -> None:
    results = list(api_schema.get_all_operations())
    broken = [str(r.err()) for r in results if not hasattr(r, "ok")]
    assert not broken, broken  # the document itself must load completely
    operations = [r.ok() for r in results]
    assert len(operations) >= 40
    failures = []
    for operation in operations:
        passes = [(GenerationMode.POSITIVE, False), (GenerationMode.NEGATIVE, False)]
        if list(operation.path_parameters):
            passes.append((GenerationMode.POSITIVE, True))
        for mode, pinned in passes:
            try:
                run_operation(operation, mode, pinned=pinned)
            except Unsatisfiable:
                assert mode == GenerationMode.NEGATIVE  # nothing to negate: no parameters, no body
            except Exception as exc:  # collect them all: one run shows every operation's problem
                failures.append(f"{operation.method.upper()} {operation.path} ({mode}, pinned={pinned}): {exc}")
    assert not failures, "\n\n".join(failures)
