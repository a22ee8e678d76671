"""A fifth category, end to end in Chromium: the rebuilt widget offers it, its receipt holds it,
and the dashboard's legend names it. Nothing but data/ changed, and the widget was rebuilt."""

from __future__ import annotations

import shutil

import pytest
from playwright.sync_api import expect

from ...catalogue import FUNCTIONAL, TITLES, add_category, build_widget
from ...conftest import ROOT, TOKENS
from .conftest import banner, consent_id, dialog, receipt_posted, start_shop

LEGEND = """(name) => window.ConsentAdmin.charts[name].legend.legendItems.map((item) => item.text)"""


@pytest.fixture(scope="module")
def functional_shop(tmp_path_factory, geoip_db):
    workdir = tmp_path_factory.mktemp("functional-shop")
    data_dir = workdir / "data"
    shutil.copytree(ROOT / "data", data_dir,
                    ignore=shutil.ignore_patterns("*.db*", "demo-secrets*"))
    add_category(data_dir)
    widget = build_widget(data_dir, workdir)
    server, shop = start_shop(workdir, geoip_db, CONSENT_DATA_DIR=str(data_dir),
                              CONSENT_WIDGET=str(widget))
    shop.widget = widget
    yield shop
    server.stop()


def test_the_rebuilt_widget_records_the_new_category_and_the_dashboard_shows_it(
        visitor, functional_shop):
    shop = functional_shop
    page = visitor()
    # The service serves the bundle built for the new data (a deployment would copy it in place).
    page.route(f"{shop.url}/static/js/consent.js*", lambda route: route.fulfill(
        status=200, body=shop.widget.read_text(), content_type="text/javascript"))
    page.goto(f"{shop.url}/?region=DE")
    banner(page).get_by_role("button", name="Customize").click()
    expect(dialog(page).get_by_role("switch")).to_have_count(4)
    dialog(page).get_by_role("switch", name=TITLES["en"]).check()
    with page.expect_response(receipt_posted) as posted:
        dialog(page).get_by_role("button", name="Save my choices").click()
    assert posted.value.status == 201
    [receipt] = shop.receipts(consent_id(page))
    assert receipt["choices"] == {"analytics": False, "personalization": False,
                                  "marketing": False, FUNCTIONAL: True}
    page.unroute_all(behavior="ignoreErrors")

    admin = visitor()
    admin.goto(f"{shop.url}/admin")
    admin.get_by_label("Token").fill(TOKENS["stats"])
    admin.get_by_role("button", name="Sign in").click()
    admin.wait_for_selector("html[data-state=ready]", state="attached")
    for chart in ("trend", "regions"):
        assert admin.evaluate(LEGEND, chart)[-1] == TITLES["en"]
    expect(admin.locator(f"[data-total={FUNCTIONAL}]")).to_have_text("100.0 %")
    expect(admin.locator("#region-table thead th").last).to_have_text(TITLES["en"])
