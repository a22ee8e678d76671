"""Marketing's and the privacy officer's API: statistics, raw receipt exports, the access log.

Scope ``stats`` reads aggregates; ``audit`` also raw receipts and the access
log. Each takes a bearer token or, for the dashboard's own GETs, the admin
session (see ``auth``). Nothing here is cacheable by anybody.
"""

from __future__ import annotations

from flask import Blueprint, Response, g, jsonify, request, stream_with_context

from ..reports import exports
from ..reports.queries import (
    AccessLogQuerySchema,
    OverviewQuerySchema,
    ReceiptsQuerySchema,
    StatsQuerySchema,
)
from ..reports.stats import requested_overview, requested_stats, stats_csv
from ..reports.trail import Requester
from .auth import require_scope
from .context import get_book, get_store

bp = Blueprint("reports", __name__, url_prefix="/api/v1")

_stats_query = StatsQuerySchema()
_overview_query = OverviewQuerySchema()
_receipts_query = ReceiptsQuerySchema()
_access_query = AccessLogQuerySchema()


@bp.get("/stats")
@require_scope("stats")
def stats():
    """Answers, answer mix and opt-in rates per group over a date range, as JSON or CSV.

    :raise 401/403: no valid credential / not the stats scope.
    :raise 422: bad dates, reversed or too long a range, unknown group, filter or format.
    """
    query = _stats_query.load(request.args)
    report = requested_stats(get_store(), get_book().catalog.optional_categories,
                             current_requester(), query)
    if query["format"] == "csv":
        name = exports.file_name("stats", query["start"], query["end"], "csv", query["group"])
        return _download(stats_csv(report), "csv", name)
    return _private(jsonify(report))


@bp.get("/stats/overview")
@require_scope("stats")
def stats_overview():
    """By day and by region for the filters, and every site: one request, one access-log entry.

    What the dashboard draws on each refresh (``reports.stats.overview``).
    :raise 401/403: no valid credential / not the stats scope.
    :raise 422: bad dates, reversed or too long a range, unknown filter.
    """
    query = _overview_query.load(request.args)
    return _private(jsonify(requested_overview(get_store(), get_book().catalog.optional_categories,
                                               current_requester(), query)))


@bp.get("/receipts")
@require_scope("audit")
def receipts():
    """Every receipt recorded in a date range (of one region or site), as JSON Lines or CSV.

    :raise 401/403: no valid credential / not the audit scope.
    :raise 422: bad dates, reversed range, unknown format or parameter.
    :raise 503: the access log cannot be written (then nothing is exported).
    """
    query = _receipts_query.load(request.args)
    body = exports.receipt_export(get_store(), current_requester(), query["start"],
                                  query["end"], query["format"],
                                  get_book().catalog.optional_categories, query["filters"])
    name = exports.file_name("receipts", query["start"], query["end"], query["format"])
    return _download(stream_with_context(body), query["format"], name)


@bp.get("/access-log")
@require_scope("audit")
def access_log():
    """The latest exports and stats requests: who (token id), what, when, how many rows."""
    query = _access_query.load(request.args)
    return _private(jsonify(entries=get_store().access_log(query["limit"])))


def current_requester() -> Requester:
    """The requester behind this request (after ``require_scope`` has let it in)."""
    credential = g.credential
    return Requester(credential.token_id, credential.scope, g.get("auth_via", "api"))


def _download(body, fmt: str, name: str) -> Response:
    mimetype, _ = exports.FORMATS[fmt]
    response = Response(body, mimetype=mimetype)
    if fmt == "csv":
        response.headers["Content-Type"] = f"{mimetype}; charset=utf-8; header=present"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return _private(response)


def _private(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.vary.add("Authorization")
    response.vary.add("Cookie")
    return response
