"""Visitors' rights by consent_id: access and portability (GET), erasure (DELETE).

The consent_id in the visitor's cookie (128 random bits) is the capability:
whoever holds it may read and erase that record, nobody else can guess it.
The widget calls these endpoints cross-origin from the configured sites (CORS
in ``WIDGET_ROUTES``); a visitor can also call them with the id by hand.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from ..ledger.erasure import erase_visitor
from ..ledger.record import consent_record
from .context import get_keys, get_store
from .errors import ApiError
from .schemas import ConsentIdSchema
from .visit import require_site_origin

bp = Blueprint("rights", __name__, url_prefix="/api/v1")
UNKNOWN = "No consent record is kept under this id."

_consent_id = ConsentIdSchema()


@bp.get("/consents/<consent_id>")
def record(consent_id: str):
    """Download everything kept under ``consent_id`` (JSON, ``consent-record/1``).

    After an erasure: 200 with ``"erased": true`` and the erasure log.
    :raise 422: malformed id. :raise 404: nothing was ever kept under the id.
    """
    consent_id = _consent_id.load({"consent_id": consent_id})["consent_id"]
    document = consent_record(get_store(), get_keys(), consent_id)
    if document is None:
        raise ApiError(404, UNKNOWN)
    response = jsonify(document)
    response.headers["Content-Disposition"] = (
        f'attachment; filename="consent-record-{consent_id}.json"')
    return _private(response)


@bp.delete("/consents/<consent_id>")
def erase(consent_id: str):
    """Erase the personal payload of every receipt under ``consent_id``; idempotent.

    :raise 422: malformed id. :raise 403: from an origin that is not a configured site.
    :raise 404: nothing was ever kept under the id. :raise 503: the store cannot write.
    """
    consent_id = _consent_id.load({"consent_id": consent_id})["consent_id"]
    require_site_origin(request.headers.get("Origin"))
    erasure = erase_visitor(get_store(), get_keys(), consent_id)
    if erasure is None:
        raise ApiError(404, UNKNOWN)
    return _private(jsonify(erasure))


def _private(response):
    # Personal data: no cache, shared or private, may keep a copy.
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
