"""Scoped bearer tokens for the admin and export endpoints.

Scopes: ``stats`` (marketing: aggregates only) and ``audit`` (the privacy
officer: aggregates and raw receipts). Tokens are held only as SHA-256
digests and compared in constant time against every known digest.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
from dataclasses import dataclass

from flask import Flask, current_app, g, request

from .errors import ApiError

# What each scope may do: audit includes everything stats may.
GRANTS = {"stats": {"stats"}, "audit": {"stats", "audit"}}


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


def bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    kind, _, token = header.partition(" ")
    return token.strip() if kind.lower() == "bearer" and token.strip() else None


def current_credential() -> Credential | None:
    token = bearer()
    return current_app.extensions["consent.tokens"].identify(token) if token else None


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
