import time

import pytest

from consent import create_app
from consent.config.settings import ConfigurationError

from .mmdb import ADDRESSES

BODY = {"revision": 1, "method": "reject_all",
        "choices": {"analytics": False, "personalization": False, "marketing": False}}


def post(client, address):
    return client.post("/api/v1/consents", json=BODY, headers={"X-Forwarded-For": address})


def test_receipts_are_limited_per_client_and_recover(settings_for):
    app = create_app(settings_for(CONSENT_RATELIMIT_CONSENTS="3/second"), environ={})
    client = app.test_client()
    statuses = [post(client, ADDRESSES["DE"]).status_code for _ in range(4)]
    assert statuses == [201, 201, 201, 429]
    limited = post(client, ADDRESSES["DE"])
    body = limited.get_json()
    assert body["error"]["status"] == 429 and body["error"]["message"]
    assert int(limited.headers["Retry-After"]) >= 0
    # another visitor is not affected
    assert post(client, ADDRESSES["GB"]).status_code == 201
    # nothing limited was stored
    assert app.extensions["consent.store"].count_receipts() == 4
    deadline = time.monotonic() + 3
    while post(client, ADDRESSES["DE"]).status_code == 429:
        assert time.monotonic() < deadline, "the limit did not recover"
        time.sleep(0.2)


def test_config_requests_are_limited(settings_for):
    client = create_app(settings_for(CONSENT_RATELIMIT_CONFIG="2/minute"), environ={}).test_client()
    statuses = [client.get("/api/v1/config", headers={"X-Forwarded-For": ADDRESSES["JP"]}).status_code
                for _ in range(3)]
    assert statuses == [200, 200, 429]


def test_health_is_never_limited(settings_for):
    client = create_app(settings_for(CONSENT_RATELIMIT_CONFIG="1/minute"), environ={}).test_client()
    assert all(client.get("/healthz").status_code == 200 for _ in range(5))


def test_a_malformed_limit_stops_start_up(settings_for):
    with pytest.raises(ConfigurationError, match="CONSENT_RATELIMIT_CONSENTS"):
        create_app(settings_for(CONSENT_RATELIMIT_CONSENTS="lots"), environ={})
