"""Widget tests: the real widget in Chromium against the real service.

The demo shop carries the one-request tag (/widget.js, its dialog loaded
lazily); pages that the demo shop does not have (a strict CSP, a hostile
stylesheet, a cookie domain) are served with ``page.route`` and carry either
tag: ``serve_page(..., tag="static")`` the two-request static/js/consent.js,
``tag="one-request"`` /widget.js. The widget and the API behind them stay real.
One demo server serves the whole session (every test has its own browser
context, so its own cookies, storage and consent_id).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from ...conftest import SITE, TOKENS, LiveServer

# Generous on a busy 2-core machine; a passing wait returns as soon as its condition holds.
EXPECT_MS = 10_000
expect.set_options(timeout=EXPECT_MS)


def server_env(database: Path, geoip_db: Path, **overrides) -> dict:
    env = {
        "CONSENT_MODE": "demo",
        "CONSENT_SECRET_KEY": "widget-test-secret-key-0123456789abcdef",
        "CONSENT_DATABASE": str(database),
        "CONSENT_GEOIP_DB": str(geoip_db),
        "CONSENT_TOKENS": ",".join(f"{scope}:{token}" for scope, token in TOKENS.items()),
        "CONSENT_ALLOWED_ORIGINS": SITE,
        "CONSENT_PROXY_HOPS": "1",
    }
    env.update(overrides)
    return env


@dataclass
class Shop:
    """A running demo service and its SQLite file."""
    url: str
    database: Path
    port: int

    def at(self, host: str) -> str:
        """The same server under another host name (resolved to 127.0.0.1 by Chromium's rules)."""
        return f"http://{host}:{self.port}"

    def receipts(self, consent_id: str) -> list[dict]:
        with sqlite3.connect(self.database) as db:
            db.row_factory = sqlite3.Row
            rows = db.execute("SELECT * FROM receipts WHERE consent_id = ? ORDER BY seq",
                              (consent_id,)).fetchall()
        return [dict(row, choices=json.loads(row["choices"])) for row in rows]


def start_shop(tmp: Path, geoip_db: Path, **overrides) -> tuple[LiveServer, Shop]:
    database = tmp / "consent.db"
    server = LiveServer(server_env(database, geoip_db, **overrides), workers=2).start()
    return server, Shop(server.url, database, server.port)


@pytest.fixture(scope="session")
def shop(tmp_path_factory, geoip_db):
    server, shop = start_shop(tmp_path_factory.mktemp("shop"), geoip_db)
    yield shop
    server.stop()


@pytest.fixture
def visitor(browser):
    """visitor(gpc=False, **context_args) -> a fresh page in a fresh context."""
    contexts = []

    def open_page(gpc: bool = False, **kwargs):
        if gpc:
            kwargs["extra_http_headers"] = {**kwargs.get("extra_http_headers", {}), "Sec-GPC": "1"}
        # The demo shop's own CSP forbids eval, which Playwright's string predicates use;
        # tests about CSP pass bypass_csp=False (and tests/e2e/test_demo_page.py keeps it).
        kwargs.setdefault("bypass_csp", True)
        context = browser.new_context(**kwargs)
        context.set_default_timeout(EXPECT_MS)
        if gpc:
            context.add_init_script(
                "Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', {get: () => true})")
        contexts.append(context)
        page = context.new_page()
        page.errors = []
        page.on("pageerror", lambda error: page.errors.append(error))
        return page

    yield open_page
    for context in contexts:
        # Requests still in flight (a receipt flush after load, a background config check) must
        # not reach a test's route handler once its context is gone: handlers that fire late
        # fail with "Request context disposed" inside whatever test runs next.
        for page in context.pages:
            page.unroute_all(behavior="ignoreErrors")
        context.unroute_all(behavior="ignoreErrors")
        context.close()


def in_region(page, shop: Shop, region: str, host: str | None = None) -> None:
    """Pretend the visitor is in ``region``: the demo's own switch, as a cookie on the service."""
    page.context.add_cookies([{"name": "cm_demo_region", "value": region,
                               "url": shop.at(host) if host else shop.url}])


TAGS = {
    "static": '<script src="{origin}/static/js/consent.js" data-api="{api}"{attrs}></script>',
    "one-request": '<script src="{origin}/widget.js?lang={lang}" data-api="{api}"{attrs}></script>',
}
TEST_PAGE = """<!doctype html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<title>Widget test page</title>
{tag}
{head}
</head>
<body>
<main><h1>Test page</h1>{body}<p><a href="#" data-cm-open>Cookie settings</a></p></main>
</body>
</html>"""


def serve_page(page, url: str, *, head: str = "", body: str = "", attrs: str = "", lang: str = "en",
               api: str | None = None, headers: dict | None = None, widget: str | None = None,
               tag: str = "static") -> str:
    """Serve a test page at ``url`` that carries the widget's script tag (see TAGS).

    The script comes from ``widget`` and talks to ``api``; both default to the
    page's own origin (the service's, for pages under ``shop.url``).
    """
    parts = urlsplit(url)
    origin = f"{parts.scheme}://{parts.netloc}"
    script = TAGS[tag].format(origin=widget or origin, api=api or origin, attrs=attrs, lang=lang)
    html = TEST_PAGE.format(tag=script, head=head, body=body, lang=lang)
    page.route(url, lambda route: route.fulfill(status=200, body=html, headers={
        "Content-Type": "text/html; charset=utf-8", **(headers or {})}))
    return url


def poll(page, expression: str, timeout_ms: int = EXPECT_MS) -> None:
    """Wait until ``expression`` is truthy, evaluated from outside the page (CSP-proof)."""
    waited = 0
    while not page.evaluate(expression):
        assert waited < timeout_ms, f"still false after {timeout_ms} ms: {expression}"
        page.wait_for_timeout(50)
        waited += 50


def consent_cookie(page) -> dict | None:
    return next((c for c in page.context.cookies() if c["name"] == "cm_consent"), None)


def consent_id(page) -> str:
    cookie = consent_cookie(page)
    assert cookie, "no cm_consent cookie"
    return cookie["value"].split(".")[1]


def optional_cookies(page) -> set[str]:
    """Every cookie but the consent cookie and the demo's region switch."""
    return {c["name"] for c in page.context.cookies()} - {"cm_consent", "cm_demo_region"}


def ran(page) -> list[str]:
    """Which demo tags have run (each pushes its category to window.demoRan)."""
    return page.evaluate("window.demoRan || []")


def banner(page):
    return page.locator("[data-cm-host] section")


def dialog(page):
    return page.get_by_role("dialog")


def receipt_posted(response) -> bool:
    return response.url.endswith("/api/v1/consents") and response.request.method == "POST"
