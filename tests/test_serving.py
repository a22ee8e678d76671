"""Production serving concerns: security headers, static caching, compression."""

import brotli

from consent import create_app


def test_pages_get_a_strict_csp_and_no_framing(settings_for):
    client = create_app(settings_for(CONSENT_MODE="demo"), environ={}).test_client()
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_api_answers_allow_nothing_to_run(client):
    response = client.get("/api/v1/config")
    assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    error = client.get("/api/v1/nope")
    assert error.headers["X-Content-Type-Options"] == "nosniff"


def test_hsts_only_over_https(client):
    assert "Strict-Transport-Security" not in client.get("/healthz").headers
    secure = client.get("/healthz", headers={"X-Forwarded-Proto": "https"})  # one trusted hop
    assert "max-age=31536000" in secure.headers["Strict-Transport-Security"]


def test_versioned_static_urls_are_immutable_stable_ones_revalidate(app, client):
    with app.test_request_context():
        url = app.jinja_env.globals["asset_url"]("demo/shop.css")
    assert "?v=" in url
    assert "immutable" in client.get(url).headers["Cache-Control"]
    stable = client.get("/static/demo/shop.css")
    assert "immutable" not in stable.headers["Cache-Control"]
    assert "max-age=600" in stable.headers["Cache-Control"] and stable.headers["ETag"]
    stale = client.get("/static/demo/shop.css?v=000000000000")
    assert "immutable" not in stale.headers["Cache-Control"]
    # the widget stays loadable by sites that isolate themselves (COEP)
    assert stable.headers["Cross-Origin-Resource-Policy"] == "cross-origin"


def test_json_is_compressed_for_clients_that_ask(client):
    plain = client.get("/api/v1/config", headers={"Accept-Encoding": "identity"})
    squeezed = client.get("/api/v1/config", headers={"Accept-Encoding": "br, gzip"})
    assert squeezed.headers["Content-Encoding"] == "br"
    assert "Accept-Encoding" in squeezed.headers["Vary"]
    assert brotli.decompress(squeezed.data) == plain.data
    assert len(squeezed.data) < len(plain.data) / 2


def test_conditional_get_still_works_with_compression(client):
    first = client.get("/api/v1/config", headers={"Accept-Encoding": "gzip"})
    again = client.get("/api/v1/config", headers={"Accept-Encoding": "gzip",
                                                  "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
