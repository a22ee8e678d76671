"""What a widget request says: its JSON body, its site origin, its languages, its visitor.

Shared by the widget's blueprints (api, rights, proof, widget), so that none imports another.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from typing import NamedTuple
from urllib.parse import urlsplit

from flask import request
from werkzeug.exceptions import HTTPException
from marshmallow import Schema, ValidationError, fields

from ..ledger.recording import Visit
from ..policy.data import Region
from .context import get_book, get_settings, locate
from .errors import ApiError
from .schemas import IDEMPOTENCY_KEY, ConfigQuerySchema

# text/plain lets the widget post without a CORS preflight (a "simple request").
BODY_TYPES = ("application/json", "text/plain")
_key_schema = Schema.from_dict({"idempotency_key": fields.String(validate=IDEMPOTENCY_KEY)})()


def json_body():
    """The request body as JSON.

    :raise 415: unless sent as application/json or text/plain. :raise 400: not JSON, or a
        body whose framing is broken (a bad chunk).
    """
    if request.mimetype not in BODY_TYPES:
        raise ApiError(415)
    try:
        data = request.get_data(cache=False)
    except HTTPException:       # 413 too large: werkzeug's, answered in the shape already
        raise
    except Exception:   # noqa: BLE001 - what a server raises for a broken body is its own
        # (gunicorn's ParseException for a chunk whose size is no number, an OSError for a
        # body cut off): either way there is no JSON to read, and it is the client's doing.
        raise ApiError(400, "The request body could not be read: its framing is broken.") \
            from None
    try:
        return json.loads(data or b"")
    except (ValueError, RecursionError):
        raise ApiError(400) from None


def require_site_origin(origin: str | None) -> None:
    """Browsers always send Origin on POST and DELETE; a foreign page may not write or erase.

    The service's own origin counts only in demo mode (the demo shop): in
    production the Host header is the client's to choose, so "our own origin"
    would let any client name any site.
    """
    if not origin:
        return
    if origin.rstrip("/") not in get_settings().allowed_origins and not _demo_shop(origin):
        raise ApiError(403, "Only the configured site origins may record or erase consent.")


def _demo_shop(origin: str) -> bool:
    return get_settings().demo and origin.rstrip("/") == request.host_url.rstrip("/")


def site_hosts() -> frozenset[str]:
    """The sites receipts may name: the hosts of CONSENT_ALLOWED_ORIGINS (and the demo shop)."""
    hosts = _hosts(get_settings().allowed_origins)
    return hosts | {urlsplit(request.host_url).hostname} if get_settings().demo else hosts


@functools.lru_cache(maxsize=8)
def _hosts(origins: tuple[str, ...]) -> frozenset[str]:
    return frozenset(h for h in (urlsplit(origin).hostname for origin in origins) if h)


def with_idempotency_key(choice: dict, header: str | None) -> dict:
    """The choice with its idempotency key, from the body or the ``Idempotency-Key`` header.

    The header may be a structured-field string (``"abc"``), as the IETF draft writes it.
    :raise ValidationError: (422) a malformed header, or a header and body that disagree.
    """
    if header is None:
        return choice
    key = header.strip()
    if len(key) >= 2 and key[0] == key[-1] == '"':
        key = key[1:-1]
    try:
        key = _key_schema.load({"idempotency_key": key})["idempotency_key"]
    except ValidationError as error:
        raise ValidationError({"Idempotency-Key": error.messages["idempotency_key"]}) from None
    if choice.get("idempotency_key", key) != key:
        raise ValidationError({"Idempotency-Key": ["Differs from idempotency_key in the body."]})
    return {**choice, "idempotency_key": key}


_config_query = ConfigQuerySchema()


def config_query() -> dict:
    """The validated ``?lang=`` and ``?region=`` of a config or widget request (do not change it).

    :raise ValidationError: (422) if ``lang`` is not a language tag.
    """
    args = request.args
    return _load_query(args.get("lang"), args.get("region"))


@functools.lru_cache(maxsize=512)
def _load_query(lang: str | None, region: str | None) -> dict:
    # Few distinct values ever come (a site's pages use a handful): validated once each.
    # A value that fails raises, and is not kept.
    return _config_query.load({k: v for k, v in (("lang", lang), ("region", region)) if v is not None})


class WantedBanner(NamedTuple):
    """Which banner a visitor gets: (region, lang, gpc) is the answers' key."""
    region: Region
    lang: str
    gpc: bool
    located_by: str         # the Location's source: header, geoip, override, private, unknown


def wanted_banner(lang: str | None) -> WantedBanner:
    """The banner for this request's visitor, in ``lang`` if given, else in their browser's."""
    book = get_book()
    location = locate()
    region = book.policy_for(location)
    gpc = request.headers.get("Sec-GPC", "").strip() == "1"
    return WantedBanner(region, book.negotiate(wanted_languages(lang), region), gpc, location.source)


def wanted_languages(explicit: str | None) -> Iterator[str]:
    """The widget's language first, then the browser's Accept-Language in order of preference.

    Lazy: Accept-Language is parsed only when the widget's own language is not supported.
    """
    if explicit:
        yield explicit
    yield from (tag for tag, _ in request.accept_languages)


def current_visit(lang: str | None) -> Visit:
    """This request's visitor as the ledger records them: facts from the server, not the body."""
    return Visit(location=locate(), languages=wanted_languages(lang),
                 origin=request.headers.get("Origin"), remote_addr=request.remote_addr,
                 user_agent=request.user_agent.string, sites=site_hosts())
