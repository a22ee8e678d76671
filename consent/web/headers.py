"""Security headers on everything the service answers.

The service's own pages (demo shop, admin) get a strict CSP with no inline
script or style; API answers get a CSP that allows nothing at all, since
they are data, never documents. The widget script itself must stay loadable
by any configured site, so static files are marked cross-origin readable.
"""

from __future__ import annotations

from flask import Flask, request

PAGE_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "connect-src 'self'; frame-src 'self' https:; object-src 'none'; base-uri 'none'; "
            "form-action 'self'; frame-ancestors 'none'")
DATA_CSP = "default-src 'none'; frame-ancestors 'none'"
HSTS = "max-age=31536000; includeSubDomains"


def secure(response):
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    if request.endpoint == "static":
        headers.setdefault("Cross-Origin-Resource-Policy", "cross-origin")
    elif response.mimetype == "text/html":
        headers.setdefault("Content-Security-Policy", PAGE_CSP)
        headers.setdefault("X-Frame-Options", "DENY")
    else:
        headers.setdefault("Content-Security-Policy", DATA_CSP)
    # Over plain HTTP the header is ignored by browsers and would only mislead.
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", HSTS)
    return response


def init_app(app: Flask) -> None:
    app.after_request(secure)
