"""Only configured sites are recorded (the attacker's finding 7).

A client that sent no Origin named any site through the page's host, and that
site then showed up in the dashboard's site filter. Now a receipt names a
site of CONSENT_ALLOWED_ORIGINS (or, in demo mode, the demo shop) or none.
"""

from __future__ import annotations

from consent import create_app

from .conftest import SITE
from .reporting import bearer
from .test_api_consents import choice, post
from .test_error_shape import assert_error_shape

NO_ORIGIN = {"Origin": ""}


def sites_in_stats(client) -> list:
    return [row["site"] for row in client.get("/api/v1/stats?group=site",
                                              headers=bearer("stats")).get_json()["rows"]]


def test_a_page_on_a_site_nobody_configured_is_refused(app, client):
    response = post(client, choice(page="https://pollution.example/x"), headers=NO_ORIGIN)
    error = assert_error_shape(response, 422)
    assert error["fields"]["page"] == ["pollution.example is not a configured site."]
    assert app.extensions["consent.store"].count_receipts() == 0
    assert sites_in_stats(client) == []


def test_without_origin_a_configured_page_names_its_site_and_no_page_names_none(app, client):
    kept = post(client, choice(page=f"{SITE}/rings"), headers=NO_ORIGIN).get_json()
    without_page = {k: v for k, v in choice().items() if k != "page"}
    bare = post(client, without_page, headers=NO_ORIGIN).get_json()
    store = app.extensions["consent.store"]
    assert store.receipt(kept["receipt_id"])["site"] == "shop.example"
    assert store.receipt(bare["receipt_id"])["site"] == ""
    assert sites_in_stats(client) == ["", "shop.example"]


def test_a_page_must_be_on_the_site_that_sent_it(app, client):
    response = post(client, choice(page="https://pollution.example/x"))     # Origin: SITE
    assert_error_shape(response, 422)
    assert "Not a page of shop.example" in response.get_json()["error"]["fields"]["page"][0]


def test_in_production_the_hosts_own_origin_names_no_site(app, client):
    """Host is the client's to choose: Origin == Host must not be a way in."""
    response = client.post("/api/v1/consents", json=choice(page="http://pollution.example/"),
                           headers={"Origin": "http://pollution.example",
                                    "Host": "pollution.example"})
    assert_error_shape(response, 403)
    assert app.extensions["consent.store"].count_receipts() == 0


def test_in_demo_mode_the_demo_shop_on_the_services_own_origin_is_a_site(settings_for):
    app = create_app(settings_for(CONSENT_MODE="demo"), environ={})
    client = app.test_client()
    response = client.post("/api/v1/consents", json=choice(page="http://localhost/rings"),
                           headers={"Origin": "http://localhost"})
    assert response.status_code == 201, response.get_data(as_text=True)
    stored = app.extensions["consent.store"].receipt(response.get_json()["receipt_id"])
    assert stored["site"] == "localhost"
