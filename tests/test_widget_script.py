"""GET /widget.js: the first layer with the visitor's configuration, in one response.

The answer must be a pure function of (region, language, GPC, revision): the
same bytes for every visitor of a region, so that a CDN keyed on its country
header may cache it for all of them; and the configuration in it must be the
one /api/v1/config gives the same visitor.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import brotli
import pytest

from consent import create_app
from consent.config.settings import ConfigurationError
from consent.web.answers import Answers

from .mmdb import ADDRESSES

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = (ROOT / "static" / "js" / "consent-embed.js").read_text()
HEAD, TAIL = TEMPLATE.split("__CONFIG__")


def script(client, place=None, headers=None, **kwargs):
    headers = dict(headers or {})
    if place:
        headers["X-Forwarded-For"] = ADDRESSES[place]
    return client.get("/widget.js", headers=headers, **kwargs)


def embedded(response) -> dict:
    """The configuration the script carries: the template around it is the committed one."""
    text = response.get_data(as_text=True)
    assert text.startswith(HEAD) and text.endswith(TAIL)
    return json.loads(text[len(HEAD):len(text) - len(TAIL)])


@pytest.mark.parametrize("place, lang", [("DE", "de"), ("US-CA", "en"), ("JP", "fr"), ("NOWHERE", None)])
def test_the_script_carries_what_the_config_endpoint_answers(client, place, lang):
    query = {"lang": lang} if lang else {}
    response = script(client, place, query_string=query)
    assert response.status_code == 200
    assert response.mimetype == "text/javascript" and response.mimetype_params["charset"] == "utf-8"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    expected = client.get("/api/v1/config", query_string=query,
                          headers={"X-Forwarded-For": ADDRESSES[place]}).get_json()
    assert embedded(response) == expected


def test_the_same_bytes_for_every_visitor_of_a_region(client):
    german = script(client, "DE", query_string={"lang": "de"})
    other_german = script(client, "DE6", query_string={"lang": "de"},
                          headers={"Cookie": "cm_consent=1.abc; session=42"})
    assert german.data == other_german.data and german.headers["ETag"] == other_german.headers["ETag"]
    assert "Set-Cookie" not in german.headers
    assert "country" not in embedded(german) and "subdivision" not in embedded(german)
    british = script(client, "GB", query_string={"lang": "de"})
    assert embedded(british)["region"] == "uk" and british.data != german.data


def test_private_without_a_trusted_country_header(client):
    response = script(client, "DE", query_string={"lang": "de"})
    assert response.headers["Cache-Control"] == "private, max-age=300"
    assert {"Sec-GPC", "Accept-Encoding"} <= set(response.vary)
    assert "Accept-Language" not in response.vary          # the tag named its language


def test_public_per_country_behind_a_trusted_cdn_header(settings_for):
    client = create_app(settings_for(CONSENT_COUNTRY_HEADER="CloudFront-Viewer-Country"),
                        environ={}).test_client()
    response = client.get("/widget.js?lang=de", headers={"CloudFront-Viewer-Country": "DE"})
    assert embedded(response)["region"] == "eea"
    cache = response.headers["Cache-Control"]
    assert cache.startswith("public, max-age=300") and "stale-if-error" in cache
    assert {"CloudFront-Viewer-Country", "Sec-GPC", "Accept-Encoding"} <= set(response.vary)
    # Without the header the address decides (the CDN did not send it): private again.
    fallback = client.get("/widget.js?lang=de", headers={"X-Forwarded-For": ADDRESSES["DE"]})
    assert fallback.headers["Cache-Control"].startswith("private")


def test_language_from_the_tag_else_the_browser(client):
    assert embedded(script(client, "DE", query_string={"lang": "fr"}))["lang"] == "fr"
    browser = script(client, "DE", headers={"Accept-Language": "it-IT,it;q=0.9"})
    assert embedded(browser)["lang"] == "it" and "Accept-Language" in browser.vary


def test_gpc_is_part_of_the_answer(client):
    honored = embedded(script(client, "US-CA", headers={"Sec-GPC": "1"}))
    assert honored["gpc"] == {"signal": True, "honored": True, "categories": ["marketing", "personalization"]}
    assert embedded(script(client, "US-CA"))["gpc"]["signal"] is False


def test_compressed_once_each_with_its_own_etag_and_revalidated(client):
    plain = script(client, "DE", query_string={"lang": "de"}, headers={"Accept-Encoding": "identity"})
    br = script(client, "DE", query_string={"lang": "de"}, headers={"Accept-Encoding": "gzip, deflate, br"})
    gz = script(client, "DE", query_string={"lang": "de"}, headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in plain.headers
    assert (br.headers["Content-Encoding"], gz.headers["Content-Encoding"]) == ("br", "gzip")
    assert brotli.decompress(br.data) == gzip.decompress(gz.data) == plain.data
    assert len({plain.headers["ETag"], br.headers["ETag"], gz.headers["ETag"]}) == 3
    again = script(client, "DE", query_string={"lang": "de"},
                   headers={"Accept-Encoding": "gzip, deflate, br", "If-None-Match": br.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""


def test_loadable_by_any_site(client):
    response = script(client, "DE")
    assert response.headers["Cross-Origin-Resource-Policy"] == "cross-origin"


def test_a_bad_language_is_a_clear_error(client):
    response = script(client, "DE", query_string={"lang": "de DE<script>"})
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {"lang": ["Not a language tag like de-DE."]}


def test_the_demo_switch_reaches_the_script_and_is_never_cached(settings_for):
    client = create_app(settings_for(CONSENT_MODE="demo"), environ={}).test_client()
    client.get("/?region=US-CA")
    response = client.get("/widget.js?lang=en")
    assert embedded(response)["model"] == "opt-out"
    assert response.headers["Cache-Control"] == "private, no-cache"


def test_a_missing_or_foreign_template_stops_start_up(tmp_path, app):
    book = app.extensions["consent.policies"]
    with pytest.raises(ConfigurationError, match="make widget"):
        Answers(book, tmp_path / "consent-embed.js")
    (tmp_path / "twice.js").write_text("__CONFIG__ + __CONFIG__")
    with pytest.raises(ConfigurationError, match="__CONFIG__"):
        Answers(book, tmp_path / "twice.js")


def test_the_dialog_part_it_names_is_cached_for_a_year(client):
    """The first layer asks for /static/js/consent-dialog.js?v=<hash>: immutable, any site may load it."""
    import re

    [url] = re.findall(r'"(/static/js/consent-dialog\.js\?v=[0-9a-f]{12})"', TEMPLATE)
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response.headers["Cross-Origin-Resource-Policy"] == "cross-origin"
