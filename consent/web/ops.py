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
    """200 when the database answers; 503 (same body shape) when it does not."""
    database_ok = get_store().healthy()
    body = {
        "status": "ok" if database_ok else "unavailable",
        "database": "ok" if database_ok else "unavailable",
        "geoip": get_locator().database_type,
        "revision": get_book().revision,
        "mode": get_settings().mode,
    }
    response = jsonify(body)
    response.status_code = 200 if database_ok else 503
    response.headers["Cache-Control"] = "no-store"
    return response
