"""The demo shop (demo mode only): SeleneGleam's storefront with the one script tag.

``?region=US-CA`` (or any ISO code, or ``unknown``) is remembered in a cookie so
the widget's own config requests see the same pretend location.
"""

from __future__ import annotations

from flask import Blueprint, abort, make_response, render_template, request

from ..policy.geo import DEMO_REGION_COOKIE, Location
from .context import get_book, get_settings, locate
from .visit import wanted_languages

bp = Blueprint("demo", __name__)

PRODUCTS = (
    {"name": "Moonlit Pearl Pendant", "price": "€189", "material": "Freshwater pearl, 925 silver"},
    {"name": "Selene Crescent Ring", "price": "€249", "material": "18k gold vermeil, moonstone"},
    {"name": "Aurora Drop Earrings", "price": "€159", "material": "Labradorite, sterling silver"},
    {"name": "Tidal Link Bracelet", "price": "€329", "material": "Recycled 14k gold"},
)
# The shop's own language: its <html lang> and its tag's ?lang= (the banner's language).
PAGE_LANG = "en"
DEMO_REGIONS = (("DE", "Germany (EEA, opt-in)"), ("GB", "United Kingdom (opt-in)"),
                ("US-CA", "California (opt-out)"), ("CA-QC", "Quebec (opt-in)"),
                ("BR", "Brazil (opt-in)"), ("JP", "Japan (notice)"),
                ("unknown", "Unknown location (strictest)"))


@bp.get("/")
def shop():
    if not get_settings().demo:
        abort(404)
    book = get_book()
    location = locate()
    region = book.policy_for(location)
    lang = book.negotiate(wanted_languages(None), region)
    response = make_response(render_template(
        "shop.html", products=PRODUCTS, demo_regions=DEMO_REGIONS, location=location,
        page_lang=PAGE_LANG,
        region=region, config=book.visitor_config(region, lang, False),
        api=request.host_url.rstrip("/")))
    override = request.args.get("region")
    if override is not None:
        if override == "" or (override.lower() != "unknown" and not Location.parse(override, "")):
            response.delete_cookie(DEMO_REGION_COOKIE)
        else:
            response.set_cookie(DEMO_REGION_COOKIE, override, samesite="Lax", httponly=True)
    return response
