"""Helpers for the stats and export tests: receipts with chosen facts, straight into the store."""

from __future__ import annotations

from datetime import datetime, timezone

from consent.ledger import receipts
from consent.policy.data import load_catalog

from .conftest import ROOT, TOKENS

# The shipped data's categories (a visitor's choices), in catalogue order.
OPTIONAL_CATEGORIES = load_catalog(ROOT / "data").optional_categories

SNAPSHOT = {"region": "eea", "lang": "en", "revision": 1}
ALL = dict.fromkeys(OPTIONAL_CATEGORIES, True)
NONE = dict.fromkeys(OPTIONAL_CATEGORIES, False)


def bearer(scope: str) -> dict:
    return {"Authorization": f"Bearer {TOKENS[scope]}"}


def at(day: str, hour: int = 12, minute: int = 0) -> datetime:
    return datetime.fromisoformat(f"{day}T{hour:02d}:{minute:02d}:00+00:00")


def receipt_draft(consent_id: str | None = None, *, method: str = "accept_all",
                  choices: dict | None = None, region: str = "eea", site: str = "shop.example",
                  revision: int = 1, gpc: bool = False, page: str | None = None) -> dict:
    if choices is None:
        choices = NONE if method in ("reject_all", "withdraw") else ALL
    return {"receipt_id": receipts.new_consent_id(),
            "consent_id": consent_id or receipts.new_consent_id(),
            "site": site, "region": region, "country": "DE", "subdivision": None,
            "model": "opt-in", "revision": revision, "config_hash": "c" * 64, "method": method,
            "choices": dict(choices), "gpc": gpc, "lang": "en", "page": page,
            "ip_prefix": "192.0.2.0/24", "user_agent": "Firefox/Linux"}


def record(store, day: str, hour: int = 12, **facts) -> dict:
    return store.record_receipt(receipt_draft(**facts), SNAPSHOT, now=at(day, hour))


def today() -> str:
    return datetime.now(timezone.utc).date().isoformat()
