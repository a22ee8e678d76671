"""The running app's services, as views and commands reach them (inside an app context).

``create_app`` (``web/app.py``) builds each once and keeps it in ``app.extensions``.
"""

from __future__ import annotations

from flask import current_app, request

from ..config.settings import Settings
from ..ledger.keys import KeyRing
from ..policy.book import PolicyBook
from ..policy.geo import Location, Locator
from ..storage.interface import Store


def get_settings() -> Settings:
    return current_app.extensions["consent.settings"]


def get_book() -> PolicyBook:
    return current_app.extensions["consent.policies"]


def get_keys() -> KeyRing:
    """The signing key and the retired keys that still verify (CONSENT_RETIRED_KEYS)."""
    return current_app.extensions["consent.keys"]


def get_store() -> Store:
    return current_app.extensions["consent.store"]


def get_consent_schema():
    """The receipt schema for the catalogue's categories (``schemas.consent_schema``)."""
    return current_app.extensions["consent.consent_schema"]


def get_locator() -> Locator:
    return current_app.extensions["consent.locator"]


def locate(req=None) -> Location:
    """Where the current request's visitor is."""
    return get_locator().locate(req or request)
