"""The widget's API: which banner this visitor gets, and recording their choice."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, current_app, jsonify, request, url_for

from ..ledger import recording
from .answers import get_answers
from .context import get_book, get_consent_schema, get_keys, get_settings, get_store
from .schemas import ReceiptCreatedSchema
from .visit import (
    config_query,
    current_visit,
    json_body,
    require_site_origin,
    wanted_banner,
    with_idempotency_key,
)

bp = Blueprint("api", __name__, url_prefix="/api/v1")
CONFIG_MAX_AGE = 300

_created = ReceiptCreatedSchema()


@bp.get("/config")
def config():
    """The banner configuration for this visitor.

    :raise 422: if ``lang`` is not a language tag.
    """
    banner = wanted_banner(config_query().get("lang"))
    response = get_answers().config(banner.region.code, banner.lang, banner.gpc).respond()
    # The demo's ?region= switch changes the answer behind the same URL: revalidate (ETag) every time.
    demo = get_settings().demo
    response.headers["Cache-Control"] = "private, no-cache" if demo else f"private, max-age={CONFIG_MAX_AGE}"
    response.vary.update(("Accept-Language", "Sec-GPC", "Origin"))
    return response


@bp.post("/consents")
def record_consent():
    """Record one choice as a receipt; 201 once it is committed.

    A repeat under the same idempotency key (``Idempotency-Key`` header or
    ``idempotency_key`` in the body) answers the first receipt again, 201 with
    ``Idempotent-Replayed: true``, and stores nothing.
    :raise 400: bad JSON. :raise 403: from an origin that is not a configured site.
    :raise 410: the idempotency key's first receipt has been erased since.
    :raise 413: body too large. :raise 415: not JSON or text/plain.
    :raise 422: the choice does not validate, or its key recorded another request.
    :raise 503: the store cannot write.
    """
    choice = with_idempotency_key(get_consent_schema().load(json_body()),
                                  request.headers.get("Idempotency-Key"))
    require_site_origin(request.headers.get("Origin"))
    receipt = recording.record_consent(get_book(), get_store(), get_keys(), choice,
                                       current_visit(choice.get("lang")),
                                       timedelta(days=get_settings().idempotency_days))
    response = jsonify(_created.dump(receipt))
    response.status_code = 201
    response.headers["Cache-Control"] = "no-store"
    if receipt["replayed"]:
        response.headers["Idempotent-Replayed"] = "true"
    # Where the visitor reads (GET) and erases (DELETE) their record: consent/web/rights.py.
    response.headers["Location"] = url_for("rights.record", consent_id=receipt["consent_id"])
    return response
