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


RIGHTS = {"CONSENT_RATELIMIT_RIGHTS": "3/minute"}


def rights_app(settings_for, **overrides):
    return create_app(settings_for(**{**RIGHTS, **overrides}), environ={})


def test_a_visitors_record_and_erasure_are_limited_together_per_client(settings_for):
    from .test_error_shape import assert_error_shape
    from .visitors import choose

    client = rights_app(settings_for).test_client()
    receipt = choose(client)
    here = {"X-Forwarded-For": ADDRESSES["DE"]}
    assert client.get(receipt["location"], headers=here).status_code == 200
    assert client.get(receipt["location"], headers=here).status_code == 200
    assert client.delete(receipt["location"], headers=here).status_code == 200
    for limited in (client.get(receipt["location"], headers=here),
                    client.delete(receipt["location"], headers=here)):
        assert_error_shape(limited, 429)
        assert int(limited.headers["Retry-After"]) >= 0
    # another client is not affected
    assert client.get(receipt["location"], headers={"X-Forwarded-For": ADDRESSES["GB"]}
                      ).status_code == 200


def test_the_public_signature_check_shares_the_rights_limit(settings_for):
    from .test_error_shape import assert_error_shape
    from .visitors import choose

    client = rights_app(settings_for).test_client()
    receipt = choose(client)
    here = {"X-Forwarded-For": ADDRESSES["CH"]}
    url = f"/api/v1/receipts/{receipt['receipt_id']}/verify-signature"
    assert client.get(receipt["location"], headers=here).status_code == 200
    statuses = [client.post(url, json={"signature": receipt["signature"]}, headers=here).status_code
                for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert_error_shape(client.post(url, json={"signature": receipt["signature"]}, headers=here), 429)


def test_wrong_bearer_tokens_are_limited_and_then_even_the_right_one_waits(settings_for):
    from .conftest import TOKENS
    from .test_error_shape import assert_error_shape

    client = create_app(settings_for(CONSENT_RATELIMIT_WRONG_TOKENS="3/minute"),
                        environ={}).test_client()
    here = {"X-Forwarded-For": ADDRESSES["JP"]}

    def stats(token):
        return client.get("/api/v1/stats", headers={**here, "Authorization": f"Bearer {token}"})

    # a right token does not use up the budget
    assert all(stats(TOKENS["stats"]).status_code == 200 for _ in range(5))
    assert [stats(f"guess-{n:020d}").status_code for n in range(4)] == [401, 401, 401, 429]
    limited = stats(TOKENS["stats"])
    assert_error_shape(limited, 429)
    assert "wrong tokens" in limited.get_json()["error"]["message"]
    assert int(limited.headers["Retry-After"]) >= 1
    # another client is not affected
    assert client.get("/api/v1/stats", headers={
        "X-Forwarded-For": ADDRESSES["GB"],
        "Authorization": f"Bearer {TOKENS['stats']}"}).status_code == 200


def test_wrong_sign_in_tokens_count_as_wrong_tokens(settings_for):
    from .test_admin import sign_in

    client = create_app(settings_for(CONSENT_RATELIMIT_WRONG_TOKENS="2/minute"),
                        environ={}).test_client()
    assert sign_in(client, token="wrong-token-number-one-000").status_code == 401
    assert sign_in(client, token="wrong-token-number-two-000").status_code == 401
    assert sign_in(client).status_code == 429
    # and the API from the same client is refused as well
    from .conftest import TOKENS
    assert client.get("/api/v1/stats", headers={
        "Authorization": f"Bearer {TOKENS['stats']}"}).status_code == 429


@pytest.mark.parametrize("name", ["CONSENT_RATELIMIT_RIGHTS", "CONSENT_RATELIMIT_WRONG_TOKENS"])
def test_new_limits_are_validated_and_can_be_off(settings_for, name):
    with pytest.raises(ConfigurationError, match=name):
        create_app(settings_for(**{name: "often"}), environ={})
    client = create_app(settings_for(**{name: "off"}), environ={}).test_client()
    statuses = {client.get("/api/v1/stats", headers={"Authorization": "Bearer nope-" + "x" * 20}
                           ).status_code for _ in range(15)}
    assert statuses == {401}
