"""A self-hosted cookie consent manager: region-aware banners and durable consent receipts."""

from __future__ import annotations

import logging

from flask import Flask
from flask_compress import Compress
from flask_cors import CORS
from werkzeug.middleware.proxy_fix import ProxyFix

from . import (admin, api, assets, auth, cli, demo, errors, geo, headers, limits, openapi,
               ops, policies, proof, reports, retention, rights, store)
from .settings import ROOT, load

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
    policies.init_app(app, settings)
    retention.init_app(app, settings)
    geo.init_app(app, settings)
    store.init_app(app, settings.database)
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

    app.register_blueprint(api.bp)
    app.register_blueprint(rights.bp)
    app.register_blueprint(proof.bp)
    app.register_blueprint(ops.bp)
    app.register_blueprint(demo.bp)
    app.register_blueprint(reports.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(openapi.bp)
    limits.init_app(app, settings)
    assets.init_app(app)
    headers.init_app(app)
    Compress(app)
    cli.init_app(app)

    if settings.generated:
        log.warning("Demo mode: %s are demo values generated into %s; production needs its own.",
                    ", ".join(settings.generated), settings.database.parent / "demo-secrets.json")
    return app
