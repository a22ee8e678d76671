"""A self-hosted cookie consent manager: region-aware banners and durable consent receipts.

The package is layered (docs/architecture.md; import-linter checks it): ``web``
and ``cli`` on top, then ``reports`` and ``ledger``, then ``policy``, then
``storage``, then ``config``. This module only composes the app, so that
importing a lower layer never pulls in Flask.
"""

from __future__ import annotations


def create_app(test_config: dict | None = None, environ: dict | None = None):
    """The Flask app with its ``flask consent`` commands (see ``consent.web.app.create_app``).

    :raise ConfigurationError: for a missing or malformed setting or GeoIP file.
    :raise PolicyDataError: for a broken file under data/.
    """
    from . import cli
    from .web.app import create_app as create_web_app

    app = create_web_app(test_config, environ)
    cli.init_app(app)
    return app
