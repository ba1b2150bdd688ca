"""Every kind of page each role can reach by following links: no console error, no CSP violation.

Each role signs in in its own context and walks its pages breadth-first from Beranda, following
the links on the page (one page per URL shape: ``/proses/12`` and ``/proses/13`` count once).
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page

from tests.browser.conftest import LiveServer
from tests.browser.support import ConsoleWatch, screenshot, sign_in
from workflow.extensions import db
from workflow.lifecycle import Stage
from workflow.models import process as m

pytestmark = pytest.mark.browser

ROLES = (None, "admin", "ketua", "anggota3", "verifikator", "ppk", "inspektur", "asn2")
PAGES_PER_ROLE = 14
SKIP = re.compile(r"^/(static|log|api)/|/bundle$|/tanda-terima$")


def shape(path: str) -> str:
    return re.sub(r"/p-[0-9a-f]{24}", "/p-*", re.sub(r"/\d+", "/#", path))


def links(page: Page, base_url: str) -> list[str]:
    hrefs = page.eval_on_selector_all(
        "a[href]:not([download])", "(els) => els.map((a) => a.href)"
    )
    out = []
    for href in hrefs:
        parts = urlsplit(href)
        if f"{parts.scheme}://{parts.netloc}" == base_url and parts.path and not SKIP.search(parts.path):
            out.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return out


def process_at(server: LiveServer, stage: Stage) -> int:
    with server.app.app_context():
        pid = db.session.scalar(sa.select(m.Process.id).where(m.Process.status == stage).order_by(m.Process.id))
    assert pid is not None, f"the demo has no process at {stage}"
    return pid


def extra_pages(server: LiveServer, username: str | None) -> list[str]:
    """Pages a link walk from Beranda reaches late or not at all: each role's action forms."""
    if username == "verifikator":
        return [f"/proses/{process_at(server, Stage.POOL_NOMINATED)}/verifikasi"]
    if username == "ppk":
        return [f"/proses/{process_at(server, Stage.OBJECTIONS_RESOLVED)}/penetapan"]
    if username == "admin":
        return [f"/proses/{process_at(server, stage)}" for stage in (Stage.DRAFT, Stage.SHORTLISTED)]
    if username == "ketua":
        pid = process_at(server, Stage.SHORTLISTED)
        return [f"/komite/{pid}/suara", f"/komite/{process_at(server, Stage.ANNOUNCED)}"]
    return []


def walk(page: Page, base_url: str, start: str, extra: list[str]) -> list[str]:
    seen_shapes: set[str] = set()
    visited = []
    for path in extra:  # visited whatever their shape
        response = page.goto(base_url + path)
        assert response is not None and response.status < 400, f"{path}: {response and response.status}"
        visited.append(path)
    queue = deque([start])
    while queue and len(visited) < PAGES_PER_ROLE + len(extra):
        path = queue.popleft()
        key = shape(path.split("?")[0])
        if key in seen_shapes:
            continue
        seen_shapes.add(key)
        response = page.goto(base_url + path)
        assert response is not None and response.status < 400, f"{path}: {response and response.status}"
        visited.append(path)
        queue.extend(links(page, base_url))
    return visited


def test_the_csp_watch_sees_a_violation(live_server: LiveServer, new_page: Callable[..., Page],
                                        console: ConsoleWatch) -> None:
    """The canary: an inline script is refused by the CSP, and the watch reports it."""
    page = new_page()
    page.goto(f"{live_server.base_url}/")
    page.evaluate("""() => { const s = document.createElement("script"); s.textContent = "window.x = 1";
                             document.body.appendChild(s); }""")
    page.wait_for_timeout(100)
    assert page.evaluate("window.x") is None
    assert console.csp(), console.problems


@pytest.mark.parametrize("username", ROLES, ids=[r or "anonymous" for r in ROLES])
def test_no_console_error_or_csp_violation_on_any_page(live_server: LiveServer, new_page: Callable[..., Page],
                                                       console: ConsoleWatch, username: str | None) -> None:
    page = new_page()
    if username:
        sign_in(page, live_server.base_url, username)
    visited = walk(page, live_server.base_url, "/beranda" if username else "/", extra_pages(live_server, username))
    assert len(visited) >= 2, visited
    screenshot(page, f"walk-{username or 'anonymous'}-last", full_page=False)
    console.assert_clean()
    print(f"{username or 'anonymous'}: {len(visited)} pages: {' '.join(visited)}")
