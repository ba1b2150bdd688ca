"""Security headers on every response, and no inline script or style in what is served."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.web.helpers import login, make_user, placeholder_url, rules_for, sign_in_directly
from workflow.headers import CONTENT_SECURITY_POLICY
from workflow.models import Role

EXPECTED = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}
INLINE = re.compile(r"<script(?![^>]*\ssrc=)[^>]*>|<style|\sstyle=|\son[a-z]+=", re.IGNORECASE)


def test_csp_is_the_agreed_policy() -> None:
    for directive in (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
        "img-src 'self' data:",
    ):
        assert directive in CONTENT_SECURITY_POLICY
    assert "unsafe" not in CONTENT_SECURITY_POLICY


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "signed-in"])
def test_every_get_route_sends_the_headers(app: Flask, client: FlaskClient, signed_in: bool) -> None:
    if signed_in:
        sign_in_directly(client, make_user("headers-all", *Role))
    problems = []
    for rule in rules_for(app, "GET"):
        url = placeholder_url(app, rule)
        response = client.get(url)
        body = response.get_data(as_text=True) if response.mimetype == "text/html" else ""
        response.close()  # static files are streamed from an open file
        for name, value in EXPECTED.items():
            if response.headers.get(name) != value:
                problems.append(f"{url} ({response.status_code}): {name}={response.headers.get(name)!r}")
        if "Permissions-Policy" not in response.headers:
            problems.append(f"{url}: no Permissions-Policy")
        if INLINE.search(body):
            problems.append(f"{url}: inline script or style")
        if signed_in and response.mimetype == "text/html" and response.headers.get("Cache-Control") != "no-store":
            problems.append(f"{url}: signed-in page is cacheable")
    assert not problems, problems


def test_error_pages_carry_the_headers_too(client: FlaskClient) -> None:
    for response in (client.get("/tidak-ada"), client.get("/keluar"), client.post("/bahasa")):
        assert response.status_code >= 400
        assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


def test_cookieless_requests_stay_cacheable(client: FlaskClient) -> None:
    # Public, anonymous responses (log tiles) must be neither "no-store" nor "Vary: Cookie".
    response = client.get("/healthz")
    assert "Cache-Control" not in response.headers
    assert "Cookie" not in response.headers.get("Vary", "")


def test_pages_that_read_the_session_still_vary_on_cookie(client: FlaskClient, user) -> None:  # type: ignore[no-untyped-def]
    assert "Cookie" in client.get("/").headers.get("Vary", "")  # anonymous, but shows sign-in state
    login(client, "siti")
    assert "Cookie" in client.get("/healthz").headers.get("Vary", "")


def test_hsts_only_over_https(client: FlaskClient) -> None:
    assert "Strict-Transport-Security" not in client.get("/").headers
    assert "max-age=" in client.get("/", base_url="https://localhost").headers["Strict-Transport-Security"]
