"""Scoped bearer tokens for the admin and export endpoints, and the admin session.

Scopes: ``stats`` (marketing: aggregates only) and ``audit`` (the privacy
officer: aggregates and raw receipts). Tokens are held only as SHA-256
digests and compared in constant time against every known digest.

A token entered at /admin becomes a signed session cookie holding the token's
id and scope (never the token). The session stands in for the bearer header
on GET and HEAD only: a cookie rides along with requests other sites make,
so it must never authorise a change (no CSRF hole on any state-changing
endpoint, present or future). Revoking a token ends its sessions.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

from flask import Flask, current_app, g, request, session

from .errors import ApiError
from .limits import wrong_tokens

# What each scope may do: audit includes everything stats may.
GRANTS = {"stats": {"stats"}, "audit": {"stats", "audit"}}
# Requests a browser may send on its own across sites carry no authority from a cookie.
SESSION_METHODS = ("GET", "HEAD")
SESSION_KEY = "admin"


@dataclass(frozen=True)
class Credential:
    scope: str
    token_id: str       # first 12 hex digits of the digest: names a token in logs, reveals nothing

    def may(self, scope: str) -> bool:
        return scope in GRANTS[self.scope]


def digest(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


class TokenRing:
    def __init__(self, tokens: dict[str, tuple[str, ...]]):
        self._digests = [(scope, digest(t)) for scope, values in tokens.items() for t in values]

    def identify(self, token: str) -> Credential | None:
        """The credential a presented token stands for, or None. Checks every digest."""
        presented = digest(token)
        found = None
        for scope, known in self._digests:
            if hmac.compare_digest(presented, known) and found is None:
                found = Credential(scope, known.hex()[:12])
        return found

    def by_id(self, token_id: str, scope: str) -> Credential | None:
        """The credential a session names, if that token is still configured with that scope."""
        for known_scope, known in self._digests:
            if known_scope == scope and hmac.compare_digest(known.hex()[:12], token_id):
                return Credential(scope, token_id)
        return None


def identify(token: str) -> Credential | None:
    """The credential of a presented token; wrong ones are counted per client.

    :raise 429: this client sent too many wrong tokens (CONSENT_RATELIMIT_WRONG_TOKENS).
    """
    guard = wrong_tokens()
    guard.refuse_when_exhausted()
    credential = current_app.extensions["consent.tokens"].identify(token)
    if credential is None:
        guard.count()
    return credential


def bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    kind, _, token = header.partition(" ")
    return token.strip() if kind.lower() == "bearer" and token.strip() else None


def current_credential() -> Credential | None:
    """The bearer token's credential; without a bearer header, on GET/HEAD, the admin session's."""
    token = bearer()
    if token:
        g.auth_via = "api"
        return identify(token)
    if request.method in SESSION_METHODS:
        g.auth_via = "admin"
        return session_credential()
    return None


# ---- the admin session ------------------------------------------------------

def session_credential() -> Credential | None:
    """The signed-in credential, or None when signed out, expired or the token was revoked."""
    signed_in = session.get(SESSION_KEY)
    if not isinstance(signed_in, dict):
        return None
    lifetime = current_app.permanent_session_lifetime.total_seconds()
    # Counted from sign-in: a stolen cookie does not live forever by being used.
    if not 0 <= time.time() - signed_in.get("since", 0) < lifetime:
        return None
    ring = current_app.extensions["consent.tokens"]
    return ring.by_id(str(signed_in.get("token_id")), str(signed_in.get("scope")))


def start_session(credential: Credential) -> None:
    """A fresh session (new CSRF token too) for a credential that just proved its token."""
    session.clear()
    session.permanent = True
    session[SESSION_KEY] = {"token_id": credential.token_id, "scope": credential.scope,
                            "since": int(time.time())}
    session["csrf"] = secrets.token_urlsafe(32)


def end_session() -> None:
    session.clear()


def csrf_token() -> str:
    """The session's anti-forgery token for forms, made on first use (also before sign-in)."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def csrf_valid(presented: str | None) -> bool:
    expected = session.get("csrf")
    return bool(expected and presented) and hmac.compare_digest(expected, presented)


def require_scope(scope: str):
    """Decorator: 401 without a valid token, 403 when its scope does not cover ``scope``."""

    def decorate(view):
        @functools.wraps(view)
        def guarded(*args, **kwargs):
            credential = getattr(g, "credential", None) or current_credential()
            if credential is None:
                raise ApiError(401, headers={"WWW-Authenticate": 'Bearer realm="consent"'})
            if not credential.may(scope):
                raise ApiError(403, f"This token's scope ({credential.scope}) does not cover {scope}.")
            g.credential = credential
            return view(*args, **kwargs)

        return guarded

    return decorate


def init_app(app: Flask, tokens: dict[str, tuple[str, ...]]) -> None:
    app.extensions["consent.tokens"] = TokenRing(tokens)
