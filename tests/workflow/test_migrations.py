"""The Alembic migrations build exactly the schema the models declare, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade

from tests.conftest import make_app
from workflow.extensions import db


def test_migrations_and_models_do_not_drift(db_url: str, tmp_path: Path) -> None:
    app = make_app(db_url, KEY_DIR=str(tmp_path / "keys"))
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True, "render_as_batch": True})
            diff = compare_metadata(context, db.metadata)
            tables = set(sa.inspect(conn).get_table_names())
        db.engine.dispose()
    assert diff == [], f"models and migrations differ; run `flask db migrate`: {diff}"
    assert set(db.metadata.tables) <= tables
