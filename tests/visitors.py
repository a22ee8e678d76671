"""Visitors for the rights and proof tests: real POSTs through the app, and reading the file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from consent.ledger import receipts

from .conftest import SITE
from .mmdb import ADDRESSES

ALL = {"analytics": True, "personalization": True, "marketing": True}
NONE = {"analytics": False, "personalization": False, "marketing": False}
SNAPSHOT = {"region": "eea", "lang": "en", "revision": 1, "texts": {}}
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"


def choose(client, place="DE", address=None, consent_id=None, method="accept_all",
           page=f"{SITE}/rings", headers=None) -> dict:
    """POST one choice as the widget would and return the 201 body (with the Location)."""
    body = {"revision": 1, "method": method, "choices": ALL if method == "accept_all" else NONE,
            "page": page, "lang": "en"}
    if consent_id:
        body["consent_id"] = consent_id
    response = client.post("/api/v1/consents", json=body, headers={
        "Origin": SITE, "User-Agent": FIREFOX,
        "X-Forwarded-For": address or ADDRESSES[place], **(headers or {})})
    assert response.status_code == 201, response.get_data(as_text=True)
    return {**response.get_json(), "location": response.headers["Location"]}


def rows(path: Path, sql: str = "SELECT * FROM receipts ORDER BY seq", params=()) -> list[dict]:
    """Rows read from the database file with plain sqlite3, not through the service."""
    db = sqlite3.connect(path)
    db.row_factory = sqlite3.Row
    try:
        return [dict(row) for row in db.execute(sql, params)]
    finally:
        db.close()


def tables(path: Path) -> dict[str, list[tuple]]:
    """Every row of every table, for before/after comparisons."""
    db = sqlite3.connect(path)
    try:
        names = [n for (n,) in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {name: sorted(db.execute(f"SELECT * FROM [{name}]").fetchall(), key=repr)
                for name in names}
    finally:
        db.close()


def rollups(path: Path) -> dict[str, list[tuple]]:
    everything = tables(path)
    return {name: everything[name] for name in ("daily_answers", "daily_grants")}


def draft(n: int) -> dict:
    """Visitor number n's choice, drafted for ``Store.record_receipt`` without a request."""
    return {"receipt_id": receipts.new_consent_id(), "consent_id": f"{n:032x}",
            "site": "shop.example", "region": "eea", "country": "DE", "subdivision": "DE-BE",
            "model": "opt-in", "revision": 1, "config_hash": "c" * 64,
            "method": "accept_all" if n % 2 else "reject_all",
            "choices": {"analytics": bool(n % 2), "personalization": False, "marketing": False},
            "gpc": False, "lang": "de", "page": "https://shop.example/rings",
            "ip_prefix": "85.214.0.0/24", "user_agent": "Firefox/Linux"}
