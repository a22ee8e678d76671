"""Operational endpoints: liveness (/livez) and readiness (/healthz) for balancers and monitors."""

from __future__ import annotations

from flask import Blueprint, jsonify

from .context import get_book, get_locator, get_settings, get_store

bp = Blueprint("ops", __name__)


@bp.get("/livez")
def livez():
    """Liveness: the process answers. Touches nothing, so it is also the benchmarks' baseline."""
    return {"status": "ok"}


@bp.get("/healthz")
def healthz():
    """200 when the database can take a receipt; 503 (same body shape, saying why) when not."""
    database = get_store().health()
    database_ok = database == "ok"
    body = {
        "status": "ok" if database_ok else "unavailable",
        # ok, or why no receipt can be taken: gone, unavailable, read-only, full, another-chain
        "database": database,
        "geoip": get_locator().database_type,
        "revision": get_book().revision,
        "mode": get_settings().mode,
    }
    response = jsonify(body)
    response.status_code = 200 if database_ok else 503
    response.headers["Cache-Control"] = "no-store"
    return response
