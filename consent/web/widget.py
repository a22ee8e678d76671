"""The one-request tag: GET /widget.js, the widget's first layer with this visitor's configuration.

A first visit costs one round trip to the first banner: the script the tag
loads carries the banner configuration (region, model, texts) instead of
fetching it once it runs. The preference dialog comes later, from the static
/static/js/consent-dialog.js. ``?lang=`` names the page's language (the
browser's Accept-Language is used without it).

The answer is a pure function of (region, language, GPC, revision), never of
the visitor: no id, no cookie (the demo's region switch aside). Without a
trusted CDN country header it depends on the client address, so it is
``private``; with ``CONSENT_COUNTRY_HEADER`` set and sent, it is ``public``
and varies on that header, so that the CDN caches one script per country,
language and GPC signal for everyone (README, "Serving the widget from a
CDN"), and may serve a stale one while this service is down.
"""

from __future__ import annotations

from flask import Blueprint

from .answers import get_answers
from .context import get_settings
from .visit import config_query, wanted_banner

bp = Blueprint("widget", __name__)
MAX_AGE = 300
# What a CDN in front may do with a public answer: refresh it in the background, and keep
# serving the last one for a day while this service cannot answer (fail closed, banner shown).
CDN_GRACE = "stale-while-revalidate=600, stale-if-error=86400"


@bp.get("/widget.js")
def script():
    """The first layer of the widget with the banner configuration for this visitor.

    :raise 422: if ``lang`` is not a language tag.
    """
    lang = config_query().get("lang")
    banner = wanted_banner(lang)
    response = get_answers().script(banner.region.code, banner.lang, banner.gpc).respond()
    settings = get_settings()
    if settings.demo:
        # The demo's ?region= switch changes the answer behind the same URL: revalidate every time.
        response.headers["Cache-Control"] = "private, no-cache"
    elif banner.located_by == "header":
        response.headers["Cache-Control"] = f"public, max-age={MAX_AGE}, {CDN_GRACE}"
        response.vary.update(h for h in (settings.country_header, settings.subdivision_header) if h)
    else:
        response.headers["Cache-Control"] = f"private, max-age={MAX_AGE}"
    response.vary.add("Sec-GPC")
    if not lang:
        response.vary.add("Accept-Language")
    # Any site may load it, also one that requires CORP of what it embeds (COEP).
    response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response
