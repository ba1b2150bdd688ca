"""Security headers on every response, set in one ``after_request`` hook.

The CSP allows no inline script or style, so templates may not use ``<script>`` bodies,
``style=`` attributes or ``on*=`` handlers (tests/web/test_templates.py checks). A view that needs
another value for one of these headers sets it itself; the hook never overwrites.
"""

from __future__ import annotations

from flask import Flask, Response, current_app, request, session

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}

# HTTPS only, so a plain-HTTP development server never pins a browser to HTTPS for localhost.
HSTS = "max-age=31536000; includeSubDomains"


def _add_security_headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    # A signed-in page may show personal merit data: keep it out of shared and back-button caches.
    # Only a request that carries the session cookie can be signed in, so cookieless requests
    # (tile fetchers, CDNs) never have their session loaded here.
    has_cookie = current_app.config["SESSION_COOKIE_NAME"] in request.cookies
    if has_cookie and "_user_id" in session and "Cache-Control" not in response.headers:
        response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    app.after_request(_add_security_headers)
