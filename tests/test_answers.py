"""Receipts that contradict the region are refused (the attacker's finding 5).

A receipt must be an answer the visitor's own banner could give: the methods
its model offers, what each method grants, GPC only where the region's law
honours it (and then with its sale/share categories off), and the banner
(config_hash) of the visitor's own region and revision.
"""

from __future__ import annotations

import json

import pytest

from consent import create_app
from consent.policy.answers import GRANTS, METHODS_BY_MODEL
from consent.policy.methods import METHODS

from .test_api_consents import ALL, NONE, choice, post
from .test_error_shape import assert_error_shape

NO_SALE = {"analytics": True, "personalization": False, "marketing": False}


def refused(app, response, *fields) -> None:
    error = assert_error_shape(response, 422)
    for field in fields:
        assert field in error["fields"], error
    assert app.extensions["consent.store"].count_receipts() == 0


@pytest.mark.parametrize("place, body, fields", [
    # an opt-in region (Germany): no notice, no GPC, whatever is granted
    ("DE", choice(method="notice", choices=ALL), ["method"]),
    ("DE", choice(method="gpc", gpc=True, choices=ALL), ["method"]),
    ("DE", choice(method="gpc", gpc=True, choices=NO_SALE), ["method"]),
    # an opt-out region (California): GPC turns its sale/share categories off, and needs the signal
    ("US-CA", choice(method="gpc", gpc=True, choices=ALL), ["choices"]),
    ("US-CA", choice(method="gpc", gpc=False, choices=NO_SALE), ["gpc"]),
    # the rest of the world (Japan): a notice; GPC is no opt-out there
    ("JP", choice(method="gpc", gpc=True, choices=NO_SALE), ["method"]),
    # what each method grants, anywhere
    ("JP", choice(method="accept_all", choices=NO_SALE), ["choices"]),
    ("US-CA", choice(method="withdraw", choices=NO_SALE), ["choices"]),
])
def test_an_answer_the_regions_banner_cannot_give_is_refused(app, client, place, body, fields):
    refused(app, post(client, {**body, "lang": "en"}, place=place), *fields)


@pytest.mark.parametrize("place, body", [
    ("DE", choice(method="custom", choices=NO_SALE)),
    ("DE", choice(method="withdraw", choices=NONE)),
    ("US-CA", choice(method="gpc", gpc=True, choices=NO_SALE)),
    ("US-CA", choice(method="notice", choices=NO_SALE)),     # OK, with a category turned off before
    ("US-CA", choice(method="accept_all", gpc=True, choices=ALL)),
    ("JP", choice(method="notice", choices=ALL)),
    ("JP", choice(method="reject_all", choices=NONE)),       # the built-in opt-in banner, anywhere
])
def test_answers_the_banner_gives_are_recorded(client, place, body):
    assert post(client, {**body, "lang": "en"}, place=place).status_code == 201


def config_hash(client, place: str, lang: str = "en") -> str:
    from .mmdb import ADDRESSES
    return client.get(f"/api/v1/config?lang={lang}",
                      headers={"X-Forwarded-For": ADDRESSES[place]}).get_json()["config_hash"]


def test_another_regions_banner_is_refused(app, client):
    californian = config_hash(client, "US-CA")
    refused(app, post(client, choice(config_hash=californian, lang="en"), place="DE"),
            "config_hash")
    # the visitor's own region's banner in another language is theirs
    french = config_hash(client, "DE", "fr")
    assert post(client, choice(config_hash=french, lang="fr"), place="DE").status_code == 201


def test_a_banner_of_another_revision_than_the_receipt_is_refused(data_copy, settings_for):
    regions = data_copy / "regions.json"
    regions.write_text(json.dumps({**json.loads(regions.read_text()), "revision": 2}))
    app = create_app(settings_for(CONSENT_DATA_DIR=str(data_copy)), environ={})
    client = app.test_client()
    current = config_hash(client, "DE")
    refused(app, post(client, choice(revision=1, config_hash=current), place="DE"), "revision")
    assert post(client, choice(revision=2, config_hash=current), place="DE").status_code == 201
    # an old revision's answer without a hash (the built-in banner) is still recorded
    assert post(client, choice(revision=1), place="DE").status_code == 201


def test_the_rules_cover_every_method_and_model():
    assert set(GRANTS) == set(METHODS)
    for model, offered in METHODS_BY_MODEL.items():
        assert set(offered) <= set(METHODS)
        # the widget's built-in (opt-in) banner can be shown anywhere when the service is away
        assert set(METHODS_BY_MODEL["opt-in"]) <= set(offered), model
