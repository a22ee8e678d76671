"""Choosing category by category, and withdrawing as easily as consenting."""

from playwright.sync_api import expect

from .conftest import (
    banner,
    consent_id,
    dialog,
    in_region,
    ran,
    receipt_posted,
    serve_page,
)

CONSENT_UPDATES = """() => dataLayer.filter(e => e[0] === 'consent' && e[1] === 'update').map(e => e[2])"""


def test_only_chosen_categories_run_and_withdrawal_clears_their_cookies_everywhere(visitor, shop):
    page = visitor()
    www = shop.at("www.shop.test")
    page.goto(f"{www}/?region=DE")
    banner(page).get_by_role("button", name="Customize").click()
    dialog(page).get_by_role("switch", name="Performance monitoring").check()
    with page.expect_response(receipt_posted):
        dialog(page).get_by_role("button", name="Save my choices").click()
    expect(dialog(page)).to_have_count(0)
    expect(banner(page)).to_have_count(0)
    page.wait_for_function("(window.demoRan || []).length === 1")
    assert ran(page) == ["analytics"]
    expect(page.locator("#recently-viewed")).to_be_hidden()
    [receipt] = shop.receipts(consent_id(page))
    assert receipt["method"] == "custom"
    assert receipt["choices"] == {"analytics": True, "personalization": False, "marketing": False}
    update = page.evaluate(CONSENT_UPDATES)[-1]
    assert update["analytics_storage"] == "granted" and update["ad_storage"] == "denied"

    # Analytics cookies as tags really leave them: on this host and on the parent domain.
    page.context.add_cookies([
        {"name": "_ga", "value": "GA1.2.parent", "domain": ".shop.test", "path": "/"},
        {"name": "_ga_ABC123", "value": "GS1.1.parent", "domain": ".shop.test", "path": "/"},
        {"name": "_hjid", "value": "hotjar", "url": www},
        {"name": "session", "value": "cart-42", "url": www},       # necessary: stays
    ])
    names = {(c["name"], c["domain"]) for c in page.context.cookies()}
    assert {("_ga", ".shop.test"), ("_ga", "www.shop.test"), ("_gid", "www.shop.test")} <= names

    page.get_by_role("link", name="Cookie settings").click()
    expect(dialog(page).get_by_role("switch", name="Performance monitoring")).to_be_checked()
    with page.expect_response(receipt_posted):
        dialog(page).get_by_role("button", name="Reject all").click()

    left = {c["name"] for c in page.context.cookies()}
    assert not {"_ga", "_gid", "_ga_ABC123", "_hjid"} & left, left
    assert {"session", "cm_consent"} <= left
    update = page.evaluate(CONSENT_UPDATES)[-1]
    assert update["analytics_storage"] == "denied"
    assert update["security_storage"] == update["functionality_storage"] == "granted"
    first, second = shop.receipts(consent_id(page))
    assert second["method"] == "withdraw" and not any(second["choices"].values())
    assert page.evaluate("ConsentManager.has('analytics')") is False


def test_a_tag_naming_two_categories_needs_both_and_data_type_is_kept(visitor, shop):
    page = visitor()
    in_region(page, shop, "DE")
    head = """
<script type="text/plain" data-category="analytics marketing">window.both = true;</script>
<script type="text/plain" data-type="module" data-category="analytics">
  window.moduleType = document.currentScript === null;   // null inside module scripts
</script>"""
    page.goto(serve_page(page, f"{shop.url}/two-categories", head=head))
    with page.expect_response(receipt_posted):
        page.evaluate("ConsentManager.set({analytics: true})")
    page.wait_for_function("window.moduleType === true")
    assert page.evaluate("window.both") is None
    with page.expect_response(receipt_posted):
        page.evaluate("ConsentManager.set({marketing: true})")
    page.wait_for_function("window.both === true")
