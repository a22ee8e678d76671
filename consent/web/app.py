"""The application factory: settings, policies, GeoIP, store, auth, blueprints and hooks, wired once.

Nothing is opened or read at import time; ``create_app`` reads the settings
and builds every service, so tests build an app with their own.
"""

from __future__ import annotations

import logging

from flask import Flask
from flask_compress import Compress
from flask_cors import CORS
from werkzeug.middleware.proxy_fix import ProxyFix

from ..config.retention import BadPeriod, check_covers_lifetime
from ..config.settings import ROOT, ConfigurationError, Settings, load
from ..ledger.keys import KeyRing
from ..policy.book import PolicyBook
from ..policy.data import load_catalog
from ..policy.geo import Locator
from ..policy.widget import check_widget
from ..storage import StoreUnavailable, open_store
from . import (
    admin,
    api,
    assets,
    auth,
    demo,
    edge,
    errors,
    headers,
    limits,
    openapi,
    ops,
    proof,
    redaction,
    reports,
    rights,
    schemas,
    widget,
)
from .answers import Answers

log = logging.getLogger(__name__)
# The widget's endpoints answer cross-origin requests from the configured sites only.
WIDGET_ROUTES = r"/api/v1/(config|consents)(/.*)?"


def create_app(test_config: dict | None = None, environ: dict | None = None) -> Flask:
    """Build the service.

    ``test_config`` holds CONSENT_* overrides; ``environ`` replaces os.environ.
    :raise ConfigurationError: for a missing or malformed setting or GeoIP file.
    :raise PolicyDataError: for a broken file under data/.
    """
    settings = load(environ, test_config)
    # Before anything can log: no consent_id, no full IP address in any log line.
    redaction.install()
    app = Flask(__name__, static_folder=str(ROOT / "static"), static_url_path="/static")
    app.config.update(
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=settings.max_body,
        COMPRESS_MIMETYPES=["application/json", "text/javascript", "application/javascript",
                            "text/css", "text/html", "text/csv", "application/x-ndjson",
                            "image/svg+xml"],
        COMPRESS_ALGORITHM=["br", "gzip"],
        COMPRESS_ALGORITHM_STREAMING=["br", "deflate"],
    )
    app.json.sort_keys = False
    app.extensions["consent.settings"] = settings
    # Receipts and erasures; sessions are signed with SECRET_KEY alone (a rotation signs out).
    app.extensions["consent.keys"] = KeyRing(settings.secret_key, settings.retired_keys)

    errors.init_app(app)
    edge.init_app(app)
    catalog = load_catalog(settings.data_dir)
    check_widget(catalog, settings.widget)
    book = app.extensions["consent.policies"] = PolicyBook(catalog)
    app.extensions["consent.consent_schema"] = schemas.consent_schema(catalog.optional_categories)
    _check_retention(settings, book)
    app.extensions["consent.answers"] = Answers(book, ROOT / "static" / "js" / "consent-embed.js")
    app.extensions["consent.locator"] = Locator(settings)
    store = open_store(settings.database, settings.batching, settings.anchor_file)
    store.migrate()
    _check_anchor(store)
    # No connection may cross a fork (gunicorn preload): SQLite's locks are per process.
    store.close()
    app.extensions["consent.store"] = store
    auth.init_app(app, settings.tokens)
    admin.init_app(app, settings)
    CORS(app, resources={WIDGET_ROUTES: {"origins": list(settings.allowed_origins)}},
         methods=["GET", "POST", "DELETE"], allow_headers=["Content-Type", "Idempotency-Key"],
         expose_headers=["ETag", "Location", "Content-Disposition"], max_age=86400,
         always_send=False,
         vary_header=False)  # the config view sets one merged Vary header itself
    if settings.proxy_hops:
        hops = settings.proxy_hops
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    for blueprint in (api.bp, widget.bp, rights.bp, proof.bp, ops.bp, demo.bp, reports.bp, admin.bp,
                      openapi.bp):
        app.register_blueprint(blueprint)
    limits.init_app(app, settings)
    assets.init_app(app)
    headers.init_app(app)
    Compress(app)

    if settings.generated:
        log.warning("Demo mode: %s are demo values generated into %s; production needs its own.",
                    ", ".join(settings.generated), settings.demo_secrets)
    return app


def _check_anchor(store) -> None:
    """Say at start-up, loudly, when the database is not the chain the anchor remembers.

    Not a refusal to start: `flask consent init --new-chain` must be able to run,
    and banners keep being served. Receipts are refused (503) until then.
    """
    try:
        fault = store.anchor.fault(store.head(), store.hash_at)
    except StoreUnavailable as error:
        fault = str(error)
    if fault:
        log.error("receipts are refused: %s. Restore the database, or start from this one on "
                  "purpose with `flask consent init --new-chain`.", fault)


def _check_retention(settings: Settings, book: PolicyBook) -> None:
    """:raise ConfigurationError: if CONSENT_RETENTION is shorter than a consent lifetime."""
    try:
        check_covers_lifetime(settings.retention, book.longest_lifetime_days)
    except BadPeriod as error:
        raise ConfigurationError(f"CONSENT_RETENTION: {error}") from None
