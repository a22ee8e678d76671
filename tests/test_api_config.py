import pytest

from .mmdb import ADDRESSES


def config(client, place=None, **kwargs):
    headers = kwargs.pop("headers", {})
    if place:
        headers["X-Forwarded-For"] = ADDRESSES[place]
    return client.get("/api/v1/config", headers=headers, **kwargs)


@pytest.mark.parametrize("place, region, model", [
    ("DE", "eea", "opt-in"), ("US-CA", "us-opt-out", "opt-out"), ("GB", "uk", "opt-in"),
    ("JP", "rest-of-world", "notice"), ("US-NY", "rest-of-world", "notice"),
    ("CA-QC", "ca-qc", "opt-in"), ("NOWHERE", "unknown", "opt-in"),
])
def test_config_per_region(client, place, region, model):
    response = config(client, place)
    assert response.status_code == 200
    body = response.get_json()
    assert (body["region"], body["model"]) == (region, model)
    assert body["revision"] >= 1 and len(body["config_hash"]) == 64
    assert [c["id"] for c in body["categories"]][0] == "necessary"


def test_loopback_visitor_gets_the_strictest_banner(client):
    body = client.get("/api/v1/config").get_json()   # the test client comes from 127.0.0.1
    assert body["model"] == "opt-in" and body["region"] == "unknown"
    assert all(not c["default"] for c in body["categories"] if not c["required"])


@pytest.mark.parametrize("lang, expected, accept_all", [
    ("de-AT", "de", "Alle akzeptieren"), ("xx", "en", "Accept all"), ("fr", "fr", "Tout accepter"),
    ("es-MX", "es", "Aceptar todas"), ("it", "it", "Accetta tutti"), ("nl", "nl", "Alles accepteren"),
])
def test_language_from_query_with_fallback(client, lang, expected, accept_all):
    body = config(client, "DE", query_string={"lang": lang}).get_json()
    assert body["lang"] == expected
    assert body["texts"]["accept_all"] == accept_all


def test_language_from_accept_language_header(client):
    body = config(client, "DE", headers={"Accept-Language": "xx;q=1, it;q=0.8, de;q=0.5"}).get_json()
    assert body["lang"] == "it"


def test_region_language_is_the_last_fallback(client):
    assert config(client, "CA-QC").get_json()["lang"] == "fr"


def test_invalid_lang_is_422(client):
    response = config(client, "DE", query_string={"lang": "<script>"})
    assert response.status_code == 422
    assert "lang" in response.get_json()["error"]["fields"]


def test_caching_headers_and_conditional_get(client):
    first = config(client, "DE")
    assert first.headers["Cache-Control"].startswith("private")
    assert {"Accept-Language", "Sec-GPC"} <= {v.strip() for v in first.headers["Vary"].split(",")}
    etag = first.headers["ETag"]
    again = config(client, "DE", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    # another language is another representation
    other = config(client, "DE", headers={"If-None-Match": etag}, query_string={"lang": "fr"})
    assert other.status_code == 200 and other.headers["ETag"] != etag


def test_gpc_header_is_honored_in_opt_out_region(client):
    body = config(client, "US-CA", headers={"Sec-GPC": "1"}).get_json()
    assert body["gpc"]["honored"] is True
    marketing = next(c for c in body["categories"] if c["id"] == "marketing")
    assert marketing["default"] is False
    plain = config(client, "US-CA").get_json()
    assert plain["gpc"]["honored"] is False
    assert next(c for c in plain["categories"] if c["id"] == "marketing")["default"] is True


def test_untrusted_forwarded_for_is_ignored_without_proxy_hops(settings_for):
    from consent import create_app

    client = create_app(settings_for(CONSENT_PROXY_HOPS="0"), environ={}).test_client()
    body = config(client, "DE").get_json()
    assert body["region"] == "unknown"


def test_german_visitor_opt_in_californian_opt_out_via_demo_override(settings_for):
    from consent import create_app

    client = create_app(settings_for(CONSENT_MODE="demo"), environ={}).test_client()
    assert client.get("/api/v1/config?region=DE").get_json()["model"] == "opt-in"
    assert client.get("/api/v1/config?region=US-CA").get_json()["model"] == "opt-out"
