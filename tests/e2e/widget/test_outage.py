"""The service down, slow or talking nonsense: fail closed, and lose no receipt.

The two-request tag (static/js/consent.js, hosted anywhere) meets an
unreachable API with its built-in English opt-in banner and dialog. The
one-request tag comes from the service itself: when its script comes, its
configuration came with it; when it does not, nothing optional runs; when its
lazily loaded dialog cannot be fetched, the banner offers the choice again.
"""

import json

import pytest
from playwright.sync_api import expect

from .conftest import (banner, consent_id, dialog, in_region, optional_cookies, ran, receipt_posted,
                       serve_page)

# California would get an opt-out banner with tags running; failing closed means opt-in.
FALLBACK_BUTTONS = ["Accept all", "Reject all", "Customize"]
TAGS = """
<script type="text/plain" data-category="analytics" src="/static/demo/analytics.js"></script>
<script type="text/plain" data-category="personalization" src="/static/demo/personalization.js"></script>
<script type="text/plain" data-category="marketing" src="/static/demo/marketing.js"></script>"""
LAZY_PART = "**/static/js/consent-dialog.js*"


def static_tag_page(page, shop, region="US-CA"):
    """A page of the shop's origin with the two-request tag and the demo's gated tags."""
    in_region(page, shop, region)
    return serve_page(page, f"{shop.url}/static-tag", head=TAGS)


def test_unreachable_service_fails_closed_and_the_receipt_arrives_later(visitor, shop):
    page = visitor()
    page.route("**/api/v1/**", lambda route: route.abort("connectionrefused"))
    lazy = []
    page.on("request", lambda r: "consent-dialog.js" in r.url and lazy.append(r.url))
    page.goto(static_tag_page(page, shop))
    expect(banner(page).get_by_role("heading")).to_have_text("Your privacy, your choice")
    expect(banner(page).get_by_role("button")).to_have_text(FALLBACK_BUTTONS)
    assert ran(page) == [] and optional_cookies(page) == set()
    # The dialog is part of consent.js: it opens on the built-in configuration.
    banner(page).get_by_role("button", name="Customize").click()
    expect(dialog(page).get_by_role("switch")).to_have_text(["", "", ""])
    expect(dialog(page).get_by_role("switch", name="Performance monitoring")).not_to_be_checked()
    dialog(page).get_by_role("button", name="Reject all").click()
    expect(banner(page)).to_have_count(0)
    page.wait_for_function("JSON.parse(localStorage.getItem('cm_queue') || '[]').length === 1")
    assert ran(page) == []
    assert shop.receipts(consent_id(page)) == []
    # Download and delete need the service: the built-in dialog does not offer them.
    page.get_by_role("link", name="Cookie settings").click()
    expect(dialog(page).get_by_role("button", name="Save my choices")).to_be_visible()
    expect(dialog(page).get_by_role("button", name="Delete my consent record")).to_have_count(0)
    page.keyboard.press("Escape")
    assert lazy == []                               # nothing to fetch for the dialog

    page.unroute("**/api/v1/**")
    with page.expect_response(receipt_posted) as posted:
        page.reload()
    assert posted.value.status == 201
    [receipt] = shop.receipts(consent_id(page))
    assert receipt["method"] == "reject_all" and receipt["region"] == "us-opt-out"
    assert not any(receipt["choices"].values())
    page.wait_for_function("JSON.parse(localStorage.getItem('cm_queue') || '[]').length === 0")

    page.reload()                                   # nothing left to send twice
    page.wait_for_load_state("load")
    page.wait_for_function(
        "performance.getEntriesByType('resource').some(e => e.name.includes('/api/v1/config'))")
    assert len(shop.receipts(consent_id(page))) == 1
    expect(banner(page)).to_have_count(0)


def test_receipts_refused_with_503_wait_in_the_queue(visitor, shop):
    page = visitor()
    page.goto(f"{shop.url}/?region=DE")
    page.route("**/api/v1/consents", lambda route: route.fulfill(
        status=503, content_type="application/json", body='{"error": {"status": 503}}'))
    with page.expect_response(receipt_posted):
        banner(page).get_by_role("button", name="Accept all").click()
    page.wait_for_function("(window.demoRan || []).length === 3")   # consent does not wait for the service
    assert json.loads(page.evaluate("localStorage.getItem('cm_queue')"))[0]["b"]["method"] == "accept_all"
    page.unroute("**/api/v1/consents")
    with page.expect_response(receipt_posted):
        page.goto(f"{shop.url}/")
    [receipt] = shop.receipts(consent_id(page))
    assert receipt["method"] == "accept_all" and len(receipt["config_hash"]) == 64


def test_a_slow_service_times_out_into_the_english_banner(visitor, shop):
    page = visitor()
    held = []
    page.route("**/api/v1/config*", lambda route: held.append(route))   # never answered
    page.goto(static_tag_page(page, shop))
    expect(banner(page).get_by_role("button")).to_have_text(FALLBACK_BUTTONS)
    assert held and ran(page) == []
    with page.expect_response(receipt_posted) as posted:
        banner(page).get_by_role("button", name="Accept all").click()
    assert posted.value.status == 201
    page.wait_for_function("(window.demoRan || []).length === 3")
    [receipt] = shop.receipts(consent_id(page))
    # The built-in banner has no config hash: the service records the one it would have shown.
    assert receipt["method"] == "accept_all" and len(receipt["config_hash"]) == 64


@pytest.mark.parametrize("body", [
    '{"model": "opt-out"}',
    "<html>Bad gateway</html>",
    None,                                                   # the real config, with one field wrong
])
def test_a_config_that_fails_validation_counts_as_none(visitor, shop, body):
    page = visitor()

    def answer(route):
        if body is not None:
            return route.fulfill(status=200, content_type="application/json", body=body)
        config = route.fetch().json()
        config["categories"][1]["cookies"] = "_ga"         # a string where a list belongs
        route.fulfill(status=200, content_type="application/json", body=json.dumps(config))

    page.route("**/api/v1/config*", answer)
    page.goto(static_tag_page(page, shop))
    expect(banner(page).get_by_role("button")).to_have_text(FALLBACK_BUTTONS)
    assert ran(page) == []
    assert page.errors == []


def test_one_request_tag_needs_no_api_for_its_banner_and_queues_the_receipt(visitor, shop):
    page = visitor()
    page.route("**/api/v1/**", lambda route: route.abort("connectionrefused"))
    page.goto(f"{shop.url}/?region=US-CA")
    # The configuration came with the script: the region's own banner, not the fallback.
    expect(banner(page).get_by_role("button")).to_have_text(
        ["Do not sell or share my personal information", "OK", "Customize"])
    page.wait_for_function("(window.demoRan || []).length === 3")    # opt-out: tags run by default
    banner(page).get_by_role("button", name="Do not sell or share my personal information").click()
    page.wait_for_function("JSON.parse(localStorage.getItem('cm_queue') || '[]').length === 1")
    page.unroute("**/api/v1/**")
    with page.expect_response(receipt_posted) as posted:
        page.reload()
    assert posted.value.status == 201
    [receipt] = shop.receipts(consent_id(page))
    assert receipt["region"] == "us-opt-out" and receipt["choices"]["marketing"] is False


def test_one_request_tag_unreachable_runs_nothing_optional(visitor, shop):
    page = visitor()
    page.route("**/widget.js*", lambda route: route.abort("connectionrefused"))
    page.goto(f"{shop.url}/?region=US-CA")        # opt-out: the tags would run with the widget
    page.wait_for_load_state("load")
    page.wait_for_timeout(300)
    assert ran(page) == [] and optional_cookies(page) == set()
    assert page.locator("[data-cm-host]").count() == 0
    assert page.evaluate("typeof ConsentManager") == "undefined" and page.errors == []
    # The gated frame never gets its source.
    assert page.locator("iframe[data-category]").get_attribute("src") is None


def test_without_its_lazy_part_the_one_request_tag_offers_the_banner_again(visitor, shop):
    page = visitor()
    page.route(LAZY_PART, lambda route: route.abort("connectionrefused"))
    page.goto(f"{shop.url}/?region=DE")
    with page.expect_response(receipt_posted):
        banner(page).get_by_role("button", name="Accept all").click()
    page.wait_for_function("(window.demoRan || []).length === 3")
    # Cookie settings: no dialog can be had, so the first layer asks again; Reject all withdraws.
    page.get_by_role("link", name="Cookie settings").click()
    expect(banner(page).get_by_role("button")).to_have_text(FALLBACK_BUTTONS)
    expect(dialog(page)).to_have_count(0)
    with page.expect_response(receipt_posted):
        banner(page).get_by_role("button", name="Reject all").click()
    assert [r["method"] for r in shop.receipts(consent_id(page))] == ["accept_all", "withdraw"]
    # Once it can be fetched again, the next attempt opens the dialog.
    page.unroute(LAZY_PART)
    page.get_by_role("link", name="Cookie settings").click()
    expect(dialog(page).get_by_role("switch", name="Marketing")).not_to_be_checked()
    assert page.errors == []
