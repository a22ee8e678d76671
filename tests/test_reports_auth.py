"""Who may read what: stats for both scopes, raw receipts and the access log for audit only."""

import pytest

from .conftest import TOKENS
from .reporting import bearer
from .test_error_shape import assert_error_shape

STATS = "/api/v1/stats"
RECEIPTS = "/api/v1/receipts"
ACCESS_LOG = "/api/v1/access-log"

@pytest.fixture
def database(any_database):
    """Every test here runs on SQLite and on PostgreSQL."""
    return any_database



@pytest.mark.parametrize("path", [STATS, RECEIPTS, ACCESS_LOG])
@pytest.mark.parametrize("headers", [
    {},
    {"Authorization": "Bearer not-a-token-we-ever-issued"},
    {"Authorization": f"Basic {TOKENS['audit']}"},               # right secret, wrong scheme
    {"Authorization": f"Bearer {TOKENS['audit']}x"},             # one character off
    {"Authorization": "Bearer "},
])
def test_without_a_valid_token_401(client, path, headers):
    response = client.get(path, headers=headers)
    assert_error_shape(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("path", [RECEIPTS, ACCESS_LOG])
def test_stats_token_may_not_read_receipts_or_the_log(client, path):
    error = assert_error_shape(client.get(path, headers=bearer("stats")), 403)
    assert "stats" in error["message"] and "audit" in error["message"]


@pytest.mark.parametrize("path, scope", [
    (STATS, "stats"), (STATS, "audit"), (RECEIPTS, "audit"), (ACCESS_LOG, "audit"),
])
def test_right_scope_200(client, path, scope):
    response = client.get(path, headers=bearer(scope))
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"


def test_a_refused_request_is_not_logged_and_a_served_one_is(client, app):
    store = app.extensions["consent.store"]
    client.get(RECEIPTS, headers=bearer("stats"))
    client.get(STATS, headers={"Authorization": "Bearer wrong"})
    assert store.access_log() == []
    client.get(STATS, headers=bearer("stats"))
    [entry] = store.access_log()
    assert entry["scope"] == "stats" and entry["via"] == "api" and entry["action"] == "stats"
    assert entry["who"] not in TOKENS.values() and len(entry["who"]) == 12


def test_validation_comes_after_authentication(client):
    """A stranger learns nothing about parameters: 401 before 422."""
    assert_error_shape(client.get(f"{STATS}?group=nonsense"), 401)


def test_report_endpoints_do_not_answer_cross_origin(client):
    response = client.get(STATS, headers={**bearer("stats"), "Origin": "https://shop.example"})
    assert "Access-Control-Allow-Origin" not in response.headers
