"""Shared rate limits: with Redis, every worker and server counts a client's requests once.

Against the tests' own redis-server (tests/servers.py), never a mock.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
import redis
import requests

from consent import create_app
from consent.config.settings import ConfigurationError

from .mmdb import ADDRESSES

BODY = {"revision": 1, "method": "reject_all",
        "choices": {"analytics": False, "personalization": False, "marketing": False}}


def post(client, address):
    return client.post("/api/v1/consents", json=BODY, headers={"X-Forwarded-For": address})


def test_two_apps_on_one_redis_count_a_client_once(settings_for, redis_url):
    """Two apps stand for two workers (or servers): 4/minute is 4 in all, not 4 each."""
    settings = settings_for(CONSENT_RATELIMIT_CONSENTS="4/minute",
                            CONSENT_RATELIMIT_STORAGE=redis_url)
    first, second = (create_app(settings, environ={}).test_client() for _ in range(2))
    statuses = [post(client, ADDRESSES["DE"]).status_code
                for client in (first, second, first, second, first, second)]
    assert statuses == [201, 201, 201, 201, 429, 429]
    # another client has its own count
    assert post(second, ADDRESSES["GB"]).status_code == 201


def test_without_redis_each_app_counts_on_its_own(settings_for):
    """The documented default: memory:// counts per worker (why Redis is needed)."""
    settings = settings_for(CONSENT_RATELIMIT_CONSENTS="2/minute")
    first, second = (create_app(settings, environ={}).test_client() for _ in range(2))
    statuses = [post(client, ADDRESSES["DE"]).status_code
                for client in (first, second, first, second, first)]
    assert statuses == [201, 201, 201, 201, 429]


def test_redis_holds_no_address_and_only_prefixed_keys(settings_for, redis_url):
    client = create_app(settings_for(CONSENT_RATELIMIT_CONSENTS="5/minute",
                                     CONSENT_RATELIMIT_STORAGE=redis_url), environ={}).test_client()
    assert post(client, ADDRESSES["DE"]).status_code == 201
    keys = [key.decode() for key in redis.Redis.from_url(redis_url).keys("*")]
    assert keys and all(key.startswith("LIMITS:LIMITER/consent/") for key in keys), keys
    assert not any(ADDRESSES["DE"] in key or ADDRESSES["DE"].rsplit(".", 1)[0] in key
                   for key in keys)


def test_gunicorn_workers_share_one_limit_through_redis(live_server, redis_url):
    """Three real workers, one client, 10/minute: exactly 10 posts get through."""
    server = live_server(workers=3, CONSENT_RATELIMIT_CONSENTS="10/minute",
                         CONSENT_RATELIMIT_STORAGE=redis_url)

    def one(_):
        return requests.post(f"{server.url}/api/v1/consents", json=BODY, timeout=10,
                             headers={"X-Forwarded-For": ADDRESSES["DE"]}).status_code

    with ThreadPoolExecutor(6) as pool:
        statuses = list(pool.map(one, range(30)))
    assert statuses.count(201) == 10 and statuses.count(429) == 20


def test_a_redis_that_goes_away_does_not_take_receipts_down(settings_for, redis_server):
    """Counting falls back to memory while Redis is unreachable (here: nobody on the port)."""
    from .servers import free_port

    client = create_app(settings_for(CONSENT_RATELIMIT_CONSENTS="3/minute",
                                     CONSENT_RATELIMIT_STORAGE=f"redis://127.0.0.1:{free_port()}"),
                        environ={}).test_client()
    statuses = [post(client, ADDRESSES["DE"]).status_code for _ in range(4)]
    assert statuses == [201, 201, 201, 429]


def test_a_storage_that_is_not_memory_or_redis_stops_start_up(settings_for):
    with pytest.raises(ConfigurationError, match="CONSENT_RATELIMIT_STORAGE"):
        create_app(settings_for(CONSENT_RATELIMIT_STORAGE="memcached://x:pw@host"), environ={})
