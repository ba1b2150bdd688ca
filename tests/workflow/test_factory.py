"""The app factory and configuration."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from workflow import ROOT_DIR, create_app


def test_production_without_secret_key_refuses_to_start_naming_the_variable() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JEJAK_")}
    env["JEJAK_ENV"] = "production"
    proc = subprocess.run(
        [sys.executable, "-c", "import wsgi"], cwd=ROOT_DIR, env=env, capture_output=True, text=True, check=False
    )
    assert proc.returncode != 0
    assert "JEJAK_SECRET_KEY" in proc.stderr


def test_production_with_secrets_starts_and_allows_no_demo() -> None:
    from config import ProductionConfig

    app = create_app(ProductionConfig, SECRET_KEY="s" * 32, KEY_ENCRYPTION_KEY="k" * 32, SQLALCHEMY_DATABASE_URI="sqlite://")
    assert app.config["DEMO_ALLOWED"] is False


def test_unknown_environment_name_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from config import config_from_env

    monkeypatch.setenv("JEJAK_ENV", "staging")
    with pytest.raises(RuntimeError, match="staging"):
        config_from_env()


def test_healthz_reports_database_and_counts(client) -> None:  # type: ignore[no-untyped-def]
    body = client.get("/healthz").get_json()
    assert body["status"] == "ok"
    assert body["database"] == "sqlite"
    assert body["counts"]["employees"] == 0
