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
from ..policy.book import PolicyBook
from ..policy.data import load_catalog
from ..policy.geo import Locator
from ..storage import open_store
from . import (
    admin,
    api,
    assets,
    auth,
    demo,
    errors,
    headers,
    limits,
    openapi,
    ops,
    proof,
    reports,
    rights,
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

    errors.init_app(app)
    book = app.extensions["consent.policies"] = PolicyBook(load_catalog(settings.data_dir))
    _check_retention(settings, book)
    app.extensions["consent.answers"] = Answers(book, ROOT / "static" / "js" / "consent-embed.js")
    app.extensions["consent.locator"] = Locator(settings)
    store = open_store(settings.database, settings.batching)
    store.migrate()
    # No connection may cross a fork (gunicorn preload): SQLite's locks are per process.
    store.close()
    app.extensions["consent.store"] = store
    auth.init_app(app, settings.tokens)
    admin.init_app(app, settings)
    CORS(app, resources={WIDGET_ROUTES: {"origins": list(settings.allowed_origins)}},
         methods=["GET", "POST", "DELETE"], allow_headers=["Content-Type"],
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


def _check_retention(settings: Settings, book: PolicyBook) -> None:
    """:raise ConfigurationError: if CONSENT_RETENTION is shorter than a consent lifetime."""
    try:
        check_covers_lifetime(settings.retention, book.longest_lifetime_days)
    except BadPeriod as error:
        raise ConfigurationError(f"CONSENT_RETENTION: {error}") from None
