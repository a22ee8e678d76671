from .conftest import SITE


def test_allowed_origin_gets_cors_headers(client):
    response = client.get("/api/v1/config", headers={"Origin": SITE})
    assert response.headers["Access-Control-Allow-Origin"] == SITE
    assert "Origin" in response.headers["Vary"]


def test_refused_origin_gets_none(client):
    response = client.get("/api/v1/config", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in response.headers


def test_preflight_for_allowed_origin(client):
    response = client.options("/api/v1/consents", headers={
        "Origin": SITE, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert response.headers["Access-Control-Allow-Origin"] == SITE
    assert "POST" in response.headers["Access-Control-Allow-Methods"]


def test_preflight_for_refused_origin(client):
    response = client.options("/api/v1/consents", headers={
        "Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
    assert "Access-Control-Allow-Origin" not in response.headers


def test_health_is_not_a_cors_endpoint(client):
    response = client.get("/healthz", headers={"Origin": SITE})
    assert "Access-Control-Allow-Origin" not in response.headers
