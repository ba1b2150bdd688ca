"""Live servers and a Chromium for the browser tests (Playwright's Python API, Debian's Chromium).

- The demo province (600 employees, the demo processes, a signed checkpoint) is built once per
  session into a SQLite file upgraded by the Alembic migrations; each live server serves its own
  copy of that file (and of the key directory), so a test that changes data changes only its copy.
- A live server is werkzeug's ``make_server`` on 127.0.0.1 with a random port, in a thread of
  this process. ``live_server`` is shared by the read-mostly tests; ``private_server`` gives a test
  its own copy.
- The server's clock: every view reads ``workflow.clock.now()``, which follows the serving app's
  ``app.config["CLOCK"]``; a test moves it with ``server.clock.advance`` and each server keeps its
  own time.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import os
import shutil
import sqlite3
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server

from tests.browser import support
from tests.browser.support import (
    CSP_LISTENER,
    ROOT,
    SCREENSHOTS,
    ConsoleWatch,
    launch,
    require_chromium,
    screenshot,
)
from workflow import create_app

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

EMPLOYEES = 600
SEED = 2026

# Without the playwright package the test modules cannot even be imported: leave them out and let
# test_browser_available.py skip with the reason (or fail, in CI) instead of a collection error.
def _has_playwright() -> bool:
    try:
        return importlib.util.find_spec("playwright") is not None
    except ImportError:
        return False


collect_ignore_glob = [] if os.environ.get("CI") or _has_playwright() else ["test_[!b]*.py"]


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    """Remember each phase's report on the item, so fixtures can screenshot a failed test's pages."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


class ServerClock:
    """Wall-clock time plus an offset the test controls (aware UTC)."""

    def __init__(self) -> None:
        self.offset = dt.timedelta()

    def __call__(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC) + self.offset

    def advance(self, delta: dt.timedelta) -> None:
        self.offset += delta

    def set(self, moment: dt.datetime) -> None:
        """Jump so that now is ``moment`` (never backwards: the log's times only move forward)."""
        self.offset = max(self.offset, moment - dt.datetime.now(dt.UTC))


def _app(directory: Path) -> Flask:
    return create_app(
        "config.TestConfig",
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{directory / 'jejak.sqlite3'}",
        KEY_DIR=str(directory / "keys"),
    )


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory with the migrated, seeded demo database and its keys (built once per session)."""
    require_chromium()  # no browser: do not spend the seconds building the demo
    from flask_migrate import upgrade

    from workflow import demo, demo_processes, ledger
    from workflow.extensions import db
    from workflow.keystore import get_keystore

    directory = tmp_path_factory.mktemp("demo")
    app = _app(directory)
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        demo.seed_demo(db.session, allowed=True, seed=SEED, employees=EMPLOYEES)
        now = dt.datetime.now(dt.UTC).replace(microsecond=0)
        demo_processes.create_demo_processes(db.session, now=now, seed=SEED)
        ledger.checkpoint(db.session, get_keystore().log_signer(), now)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return directory


@dataclass
class LiveServer:
    """One running app: its URL, the app (for reading the database) and its clock."""

    app: Flask
    base_url: str
    clock: ServerClock
    server: BaseWSGIServer
    thread: threading.Thread

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(timeout=10)
        self.server.server_close()
        from workflow.extensions import db

        with self.app.app_context():
            db.engine.dispose()


def _start(template: Path, directory: Path) -> LiveServer:
    directory.mkdir(parents=True, exist_ok=True)
    # SQLite's backup API copies a consistent database whatever the WAL holds.
    src, dst = sqlite3.connect(template / "jejak.sqlite3"), sqlite3.connect(directory / "jejak.sqlite3")
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()
    shutil.copytree(template / "keys", directory / "keys", dirs_exist_ok=True)
    app = _app(directory)
    clock = ServerClock()
    app.config["CLOCK"] = clock
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    return LiveServer(app, f"http://127.0.0.1:{server.server_port}", clock, server, thread)


@pytest.fixture(scope="session")
def live_server(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The shared server: tests that only read, or change nothing another test reads."""
    server = _start(demo_template, tmp_path_factory.mktemp("shared"))
    yield server
    server.stop()


@pytest.fixture
def private_server(demo_template: Path, tmp_path: Path) -> Iterator[LiveServer]:
    """A server on this test's own copy of the demo (its clock may move forward freely)."""
    server = _start(demo_template, tmp_path / "server")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch(playwright)
        support._session["browser"] = chromium
        try:
            yield chromium
        finally:
            del support._session["browser"]
            chromium.close()


@pytest.fixture
def console() -> ConsoleWatch:
    """Console errors, uncaught errors and CSP violations of every page the test opens."""
    return ConsoleWatch()


@pytest.fixture
def new_page(browser: Browser, console: ConsoleWatch, request: pytest.FixtureRequest) -> Iterator[Callable[..., Page]]:
    """``new_page(**context_options)``: a page in a fresh context (own cookies, own storage).

    Every page is watched for console errors and CSP violations; when the test fails, each open
    page is screenshotted to test-artifacts/screenshots/failed-<test>-<n>.png.
    """
    contexts: list[BrowserContext] = []
    pages: list[Page] = []

    def make(**options: object) -> Page:
        context = browser.new_context(locale="id-ID", timezone_id="Asia/Jakarta", **options)  # type: ignore[arg-type]
        context.set_default_timeout(15_000)
        context.add_init_script(script=CSP_LISTENER)
        contexts.append(context)
        page = console.attach(context.new_page())
        pages.append(page)
        return page

    yield make
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        for n, page in enumerate(pages):
            try:
                screenshot(page, f"failed-{request.node.name}-{n}")
            except Exception as exc:  # a crashed page still lets the others be saved
                print(f"screenshot of page {n} failed: {exc}")
    for context in contexts:
        context.close()
