"""The widget's API: which banner this visitor gets, and recording their choice."""

from __future__ import annotations

import json
from collections.abc import Iterator

from flask import Blueprint, current_app, jsonify, request, url_for

from . import receipts
from .errors import ApiError
from .geo import locate
from .policies import get_book
from .schemas import ConfigQuerySchema, ConsentSchema, ReceiptCreatedSchema
from .store import get_store

bp = Blueprint("api", __name__, url_prefix="/api/v1")
# text/plain lets the widget post without a CORS preflight (a "simple request").
BODY_TYPES = ("application/json", "text/plain")
CONFIG_MAX_AGE = 300

_config_query = ConfigQuerySchema()
_consent = ConsentSchema()
_created = ReceiptCreatedSchema()


def wanted_languages(explicit: str | None) -> Iterator[str]:
    """The widget's language first, then the browser's Accept-Language in order of preference.

    Lazy: Accept-Language is parsed only when the widget's own language is not supported.
    """
    if explicit:
        yield explicit
    yield from (tag for tag, _ in request.accept_languages)


@bp.get("/config")
def config():
    """The banner configuration for this visitor.

    :raise 422: if ``lang`` is not a language tag.
    """
    query = _config_query.load(request.args)
    book = get_book()
    location = locate()
    region = book.policy_for(location)
    lang = book.negotiate(wanted_languages(query.get("lang")), region)
    gpc = request.headers.get("Sec-GPC", "").strip() == "1"
    body, etag = book.visitor_config_json(location, region, lang, gpc)
    response = current_app.response_class(body, mimetype="application/json")
    response.set_etag(etag)
    # The demo's ?region= switch changes the answer behind the same URL: revalidate (ETag) every time.
    demo = current_app.extensions["consent.settings"].demo
    response.headers["Cache-Control"] = "private, no-cache" if demo else f"private, max-age={CONFIG_MAX_AGE}"
    response.vary.update(("Accept-Language", "Sec-GPC", "Origin"))
    return response.make_conditional(request)


@bp.post("/consents")
def record_consent():
    """Record one choice as a receipt; 201 once it is committed.

    :raise 400: bad JSON. :raise 403: from an origin that is not a configured site.
    :raise 413: body too large. :raise 415: not JSON or text/plain.
    :raise 422: the choice does not validate. :raise 503: the store cannot write.
    """
    choice = _consent.load(json_body())
    origin = request.headers.get("Origin")
    require_site_origin(origin)
    book = get_book()
    if choice["revision"] > book.revision:
        raise ApiError(422, fields={"revision": [f"The current revision is {book.revision}."]})
    location = locate()
    region = book.policy_for(location)
    lang = book.negotiate(wanted_languages(choice.get("lang")), region)
    config_hash = choice.get("config_hash") or book.banner(region, lang).config_hash
    if config_hash not in book.snapshots:
        raise ApiError(422, fields={"config_hash": ["Not a configuration this service showed."]})
    draft = receipts.draft(choice, location=location, region=region, config_hash=config_hash,
                           lang=lang, origin=origin, remote_addr=request.remote_addr,
                           user_agent=request.user_agent.string)
    receipt = get_store().record_receipt(draft, book.snapshots[config_hash])
    body = _created.dump({**receipt, "signature": receipts.sign(
        current_app.config["SECRET_KEY"], receipt)})
    response = jsonify(body)
    response.status_code = 201
    response.headers["Cache-Control"] = "no-store"
    # Where the visitor reads (GET) and erases (DELETE) their record: consent/rights.py.
    response.headers["Location"] = url_for("rights.record", consent_id=receipt["consent_id"])
    return response


def json_body():
    """The request body as JSON.

    :raise 415: unless sent as application/json or text/plain. :raise 400: not JSON.
    """
    if request.mimetype not in BODY_TYPES:
        raise ApiError(415)
    try:
        return json.loads(request.get_data(cache=False) or b"")
    except (ValueError, RecursionError):
        raise ApiError(400) from None


def require_site_origin(origin: str | None) -> None:
    """Browsers always send Origin on POST and DELETE; a foreign page may not write or erase."""
    if not origin:
        return
    allowed = current_app.extensions["consent.settings"].allowed_origins
    if origin.rstrip("/") not in allowed and origin != request.host_url.rstrip("/"):
        raise ApiError(403, "Only the configured site origins may record or erase consent.")
