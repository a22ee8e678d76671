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
import logging
import math
import time

from flask import Flask, current_app, request
from flask_limiter import Limiter
from limits import RateLimitItem, parse

from ..config.settings import ConfigurationError, Settings
from .errors import ApiError

log = logging.getLogger(__name__)

# endpoint -> the setting that holds its limit
LIMITED_ENDPOINTS = {
    "api.config": ("CONSENT_RATELIMIT_CONFIG", "ratelimit_config"),
    "widget.script": ("CONSENT_RATELIMIT_CONFIG", "ratelimit_config"),   # the config, with the script
    "api.record_consent": ("CONSENT_RATELIMIT_CONSENTS", "ratelimit_consents"),
    # tokens are long random strings, but a guessing loop should still hit a wall
    "admin.sign_in": ("CONSENT_RATELIMIT_SIGN_IN", "ratelimit_sign_in"),
    # a visitor's rights and the public signature check: ids and HMACs cannot be guessed,
    # but each answer costs a database read (a DELETE a write), so they are a DoS surface
    "rights.record": ("CONSENT_RATELIMIT_RIGHTS", "ratelimit_rights"),
    "rights.erase": ("CONSENT_RATELIMIT_RIGHTS", "ratelimit_rights"),
    "proof.verify_signature": ("CONSENT_RATELIMIT_RIGHTS", "ratelimit_rights"),
}
# Settings whose endpoints share one count per client (else each endpoint counts on its own).
SHARED_SCOPES = {"CONSENT_RATELIMIT_RIGHTS": "rights"}
WRONG_TOKENS = "wrong-token"


class WrongTokens:
    """Wrong bearer (and sign-in) tokens per client: past the limit, every token is refused.

    Past the limit a token is not even looked at, right or wrong, until the
    window ends: otherwise a guessing loop would learn from the difference.
    A limiter store that fails (Redis down) lets tokens through unlimited
    rather than lock everybody out, as the other limits do.
    """

    def __init__(self, limiter: Limiter, item: RateLimitItem | None):
        self._limiter, self._item = limiter, item

    def refuse_when_exhausted(self) -> None:
        """:raise 429: this client sent too many wrong tokens in the current window."""
        if self._item is None:
            return
        try:
            allowed = self._limiter.limiter.test(self._item, WRONG_TOKENS, client_key())
            reset = self._limiter.limiter.get_window_stats(
                self._item, WRONG_TOKENS, client_key()).reset_time
        except Exception as error:  # noqa: BLE001 - any store failure: fail open, say so
            log.warning("wrong-token limit not checked: %s", error)
            return
        if not allowed:
            retry = max(1, math.ceil(reset - time.time()))
            raise ApiError(429, "Too many wrong tokens from this client; wait and try again.",
                           headers={"Retry-After": str(retry)})

    def count(self) -> None:
        if self._item is None:
            return
        try:
            self._limiter.limiter.hit(self._item, WRONG_TOKENS, client_key())
        except Exception as error:  # noqa: BLE001
            log.warning("wrong token not counted: %s", error)


def wrong_tokens() -> WrongTokens:
    return current_app.extensions["consent.wrong_tokens"]


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
        value = _limit(name, getattr(settings, attribute))
        if value is None:
            continue
        scope = SHARED_SCOPES.get(name)
        limit = limiter.shared_limit(value, scope=scope) if scope else limiter.limit(value)
        # flask-limiter checks inside its wrapper, so the wrapper must become the view
        app.view_functions[endpoint] = limit(app.view_functions[endpoint])
    wrong = _limit("CONSENT_RATELIMIT_WRONG_TOKENS", settings.ratelimit_wrong_tokens)
    app.extensions["consent.wrong_tokens"] = WrongTokens(limiter, parse(wrong) if wrong else None)
    # Every limit sits on its view (checked in the wrapper above) and there are no default
    # limits, so the limiter's check before *every* request finds nothing to do; it cost
    # each request about 60 us of CPU, the trivial endpoint's included.
    app.before_request_funcs[None] = [hook for hook in app.before_request_funcs[None]
                                      if hook != limiter._check_request_limit]
    app.extensions["consent.limiter"] = limiter


def _limit(name: str, value: str) -> str | None:
    """The limit, or None for 'off'. :raise ConfigurationError: when it is neither."""
    if value == "off":
        return None
    try:
        parse(value)
    except ValueError:
        raise ConfigurationError(f"{name}: {value!r} is not a limit like 60/minute or off") \
            from None
    return value
