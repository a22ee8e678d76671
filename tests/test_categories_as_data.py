"""Categories are data, end to end: a shop adds `functional` to data/ and rebuilds the widget.

With no code change the receipt schema asks for it, stats count it, exports and
CSV have a column for it, the dashboard names it, and a widget built before
the change stops start-up instead of losing every receipt.
"""

from __future__ import annotations

import csv
import io
import json
import shutil

import pytest

from consent import create_app
from consent.policy.data import PolicyDataError, load_catalog
from consent.policy.widget import built_categories, check_widget

from .catalogue import FUNCTIONAL, TITLES, add_category, build_widget
from .conftest import ROOT, SITE
from .reporting import bearer
from .test_admin import sign_in
from .test_error_shape import assert_error_shape

SHIPPED_WIDGET = ROOT / "static" / "js" / "consent.js"


@pytest.fixture(scope="module")
def functional(tmp_path_factory):
    """(data directory with `functional`, the widget built from it): built once per module."""
    workdir = tmp_path_factory.mktemp("functional")
    data_dir = workdir / "data"
    shutil.copytree(ROOT / "data", data_dir,
                    ignore=shutil.ignore_patterns("*.db*", "demo-secrets*"))
    add_category(data_dir)
    return data_dir, build_widget(data_dir, workdir)


@pytest.fixture
def shop_app(functional, settings_for):
    data_dir, widget = functional
    return create_app(settings_for(CONSENT_DATA_DIR=str(data_dir), CONSENT_WIDGET=str(widget)),
                      environ={})


def choices(**granted) -> dict:
    return {"analytics": False, "personalization": False, "marketing": False, FUNCTIONAL: False,
            **granted}


def post(client, body: dict):
    return client.post("/api/v1/consents", json=body, headers={"Origin": SITE})


def test_the_built_widget_says_which_categories_it_was_built_for(functional):
    _, widget = functional
    ids = [c.id for c in built_categories(widget.read_text())]
    assert ids == ["necessary", "analytics", "personalization", "marketing", FUNCTIONAL]
    shipped = built_categories(SHIPPED_WIDGET.read_text())
    assert [c.id for c in shipped] == ["necessary", "analytics", "personalization", "marketing"]
    assert shipped[0].required and not shipped[1].required
    assert shipped[3].consent_mode == ("ad_storage", "ad_user_data", "ad_personalization")


def test_a_widget_built_before_the_change_stops_start_up_naming_what_to_rebuild(
        functional, settings_for):
    data_dir, _ = functional
    with pytest.raises(PolicyDataError) as stopped:
        create_app(settings_for(CONSENT_DATA_DIR=str(data_dir)), environ={})
    message = str(stopped.value)
    assert str(SHIPPED_WIDGET) in message and "categories.json" in message
    assert f"the data has {FUNCTIONAL}, which the widget lacks" in message
    assert "make widget" in message and "refused and lost" in message


def test_a_widget_with_other_consent_mode_types_is_stale_too(functional, tmp_path):
    _, widget = functional
    edited = tmp_path / "consent.js"
    edited.write_text(widget.read_text().replace('consent_mode:["analytics_storage"]',
                                                 'consent_mode:["ad_storage"]'))
    data_dir, _ = functional
    with pytest.raises(PolicyDataError, match="analytics: analytics_storage in the data, "
                                              "analytics: ad_storage in the widget"):
        check_widget(load_catalog(data_dir), str(edited))


@pytest.mark.parametrize("content, complaint", [
    (None, "no built widget"),
    ("console.log('a widget from another build tool');", "no categories found"),
])
def test_no_widget_or_an_unreadable_one_stops_start_up(tmp_path, content, complaint):
    pattern = tmp_path / "consent*.js"
    if content is not None:
        (tmp_path / "consent.js").write_text(content)
    with pytest.raises(PolicyDataError, match=complaint):
        check_widget(load_catalog(ROOT / "data"), str(pattern))


def test_the_shipped_widget_matches_the_shipped_data():
    assert check_widget(load_catalog(ROOT / "data"), str(ROOT / "static/js/consent*.js")) \
        == [SHIPPED_WIDGET]


def test_a_receipt_records_the_new_category(shop_app):
    client = shop_app.test_client()
    response = post(client, {"revision": 1, "method": "custom",
                             "choices": choices(**{FUNCTIONAL: True})})
    assert response.status_code == 201
    record = client.get(f"/api/v1/consents/{response.get_json()['consent_id']}").get_json()
    assert record["receipts"][0]["choices"][FUNCTIONAL] is True
    # a receipt without it is refused by name: the widget would be stale
    missing = post(client, {"revision": 1, "method": "reject_all",
                            "choices": {"analytics": False, "personalization": False,
                                        "marketing": False}})
    assert_error_shape(missing, 422)
    assert f"choices.{FUNCTIONAL}" in missing.get_json()["error"]["fields"]


def test_the_shipped_service_refuses_the_unknown_category(client):
    response = post(client, {"revision": 1, "method": "custom",
                             "choices": choices(**{FUNCTIONAL: True})})
    assert_error_shape(response, 422)
    assert f"choices.{FUNCTIONAL}" in response.get_json()["error"]["fields"]


def test_stats_count_the_new_category_in_json_and_csv(shop_app):
    client = shop_app.test_client()
    for granted in (True, True, False):
        assert post(client, {"revision": 1, "method": "custom",
                             "choices": choices(analytics=True, **{FUNCTIONAL: granted})}
                    ).status_code == 201
    report = client.get("/api/v1/stats?group=region", headers=bearer("stats")).get_json()
    assert report["categories"] == ["analytics", "personalization", "marketing", FUNCTIONAL]
    [row] = report["rows"]
    assert row["granted"][FUNCTIONAL] == 2 and row["opt_in_rate"][FUNCTIONAL] == 0.6667
    assert report["totals"]["granted"][FUNCTIONAL] == 2
    text = client.get("/api/v1/stats?group=region&format=csv",
                      headers=bearer("stats")).get_data(as_text=True)
    [line] = list(csv.DictReader(io.StringIO(text)))
    assert line[f"{FUNCTIONAL}_granted"] == "2" and line[f"{FUNCTIONAL}_opt_in_rate"] == "0.6667"


def test_exports_have_a_column_for_the_new_category(shop_app):
    client = shop_app.test_client()
    post(client, {"revision": 1, "method": "custom", "choices": choices(**{FUNCTIONAL: True})})
    text = client.get("/api/v1/receipts?format=csv", headers=bearer("audit")).get_data(as_text=True)
    [row] = list(csv.DictReader(io.StringIO(text)))
    assert row[FUNCTIONAL] == "true" and row["marketing"] == "false"
    [line] = client.get("/api/v1/receipts", headers=bearer("audit")).get_data(as_text=True) \
        .splitlines()
    assert json.loads(line)["choices"][FUNCTIONAL] is True


def test_a_category_dropped_from_the_data_keeps_its_history(functional, settings_for):
    """Receipts and roll-ups from before a category was removed still show it."""
    data_dir, widget = functional
    settings = settings_for(CONSENT_DATA_DIR=str(data_dir), CONSENT_WIDGET=str(widget))
    before = create_app(settings, environ={}).test_client()
    post(before, {"revision": 1, "method": "custom", "choices": choices(**{FUNCTIONAL: True})})
    after = create_app({**settings, "CONSENT_DATA_DIR": str(ROOT / "data"),
                        "CONSENT_WIDGET": str(SHIPPED_WIDGET)}, environ={}).test_client()
    report = after.get("/api/v1/stats?group=region", headers=bearer("stats")).get_json()
    assert report["categories"][-1] == FUNCTIONAL and report["totals"]["granted"][FUNCTIONAL] == 1
    text = after.get("/api/v1/receipts?format=csv", headers=bearer("audit")).get_data(as_text=True)
    [row] = list(csv.DictReader(io.StringIO(text)))
    assert FUNCTIONAL not in row and json.loads(row["other_choices"]) == {FUNCTIONAL: True}


def test_the_dashboard_names_the_new_category(shop_app):
    client = shop_app.test_client()
    sign_in(client)
    page = client.get("/admin").get_data(as_text=True)
    assert f'data-total="{FUNCTIONAL}"' in page
    assert f'<th scope="col">{TITLES["en"]}</th>' in page
    attribute = page.split("data-categories='", 1)[1].split("'", 1)[0]
    assert json.loads(attribute)[-1] == {"id": FUNCTIONAL, "title": TITLES["en"]}


def test_the_openapi_document_lists_the_categories(shop_app):
    document = shop_app.test_client().get("/api/openapi.json").get_json()
    choices_schema = document["components"]["schemas"]["Choices"]
    assert set(choices_schema["required"]) == {"analytics", "personalization", "marketing",
                                               FUNCTIONAL}
