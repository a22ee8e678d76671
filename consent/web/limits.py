"""Rate limits per client on the widget's public endpoints (flask-limiter).

Limits are settings (CONSENT_RATELIMIT_*), "off" disables one. The client is
keyed by a keyed hash of its address, so even a shared limiter store (Redis)
never holds a full IP address. With the default in-memory store every
worker counts on its own: the effective limit is the setting times the
number of workers (and servers). With CONSENT_RATELIMIT_STORAGE=redis://...
every worker of every server counts in the same Redis, so a limit counts
once; should Redis fail, each worker counts in memory until it is back.
"""

from __future__ import annotations

import hashlib
import hmac

from flask import Flask, current_app, request
from flask_limiter import Limiter
from limits import parse

from ..config.settings import ConfigurationError, Settings

# endpoint -> the setting that holds its limit
LIMITED_ENDPOINTS = {
    "api.config": ("CONSENT_RATELIMIT_CONFIG", "ratelimit_config"),
    "widget.script": ("CONSENT_RATELIMIT_CONFIG", "ratelimit_config"),   # the config, with the script
    "api.record_consent": ("CONSENT_RATELIMIT_CONSENTS", "ratelimit_consents"),
    # tokens are long random strings, but a guessing loop should still hit a wall
    "admin.sign_in": ("CONSENT_RATELIMIT_SIGN_IN", "ratelimit_sign_in"),
}


def client_key() -> str:
    secret = current_app.config["SECRET_KEY"].encode()
    address = (request.remote_addr or "unknown").encode()
    return hmac.new(secret, address, hashlib.sha256).hexdigest()[:24]


def init_app(app: Flask, settings: Settings) -> None:
    """:raise ConfigurationError: for a limit that is not like '60/minute' or 'off'."""
    limiter = Limiter(client_key, app=app, storage_uri=settings.ratelimit_storage,
                      headers_enabled=True, strategy="fixed-window",
                      # several services may share one Redis: ours are the consent: keys
                      key_prefix="consent",
                      # a broken shared store must not take the banner down: count in memory
                      swallow_errors=True, in_memory_fallback_enabled=True)
    for endpoint, (name, attribute) in LIMITED_ENDPOINTS.items():
        value = getattr(settings, attribute)
        if value == "off":
            continue
        try:
            parse(value)
        except ValueError:
            raise ConfigurationError(f"{name}: {value!r} is not a limit like 60/minute or off") \
                from None
        # flask-limiter checks inside its wrapper, so the wrapper must become the view
        app.view_functions[endpoint] = limiter.limit(value)(app.view_functions[endpoint])
    # Every limit sits on its view (checked in the wrapper above) and there are no default
    # limits, so the limiter's check before *every* request finds nothing to do; it cost
    # each request about 60 us of CPU, the trivial endpoint's included.
    app.before_request_funcs[None] = [hook for hook in app.before_request_funcs[None]
                                      if hook != limiter._check_request_limit]
    app.extensions["consent.limiter"] = limiter
