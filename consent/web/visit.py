"""What a widget request says: its JSON body, its site origin, its languages, its visitor.

Shared by the widget's blueprints (api, rights, proof, widget), so that none imports another.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from typing import NamedTuple

from flask import request

from ..ledger.recording import Visit
from ..policy.data import Region
from .context import get_book, get_settings, locate
from .errors import ApiError
from .schemas import ConfigQuerySchema

# text/plain lets the widget post without a CORS preflight (a "simple request").
BODY_TYPES = ("application/json", "text/plain")


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
    if origin.rstrip("/") not in get_settings().allowed_origins \
            and origin != request.host_url.rstrip("/"):
        raise ApiError(403, "Only the configured site origins may record or erase consent.")


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
                 user_agent=request.user_agent.string)
