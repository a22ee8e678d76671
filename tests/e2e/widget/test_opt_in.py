"""An opt-in visitor (Germany): nothing optional before a yes, and the answer sticks."""

from playwright.sync_api import expect

from .conftest import (
    banner,
    consent_cookie,
    consent_id,
    in_region,
    optional_cookies,
    ran,
    receipt_posted,
    serve_page,
)

ORDER = ["analytics", "personalization", "marketing"]   # the demo page's order of gated tags
API_REQUESTS = "performance.getEntriesByType('resource').map(e => e.name).filter(n => n.includes('/api/'))"


def test_nothing_optional_runs_before_a_choice_nor_after_reject_all(visitor, shop):
    page = visitor()
    page.goto(f"{shop.url}/?region=DE")
    expect(banner(page)).to_be_visible()
    expect(banner(page).get_by_role("heading")).to_have_text("Your privacy, your choice")
    assert ran(page) == []
    assert optional_cookies(page) == set() and consent_cookie(page) is None
    # No pre-ticked boxes: the dialog starts with every optional category off.
    banner(page).get_by_role("button", name="Customize").click()
    switches = page.get_by_role("dialog").get_by_role("switch")
    expect(switches).to_have_count(3)
    for switch in switches.all():
        expect(switch).not_to_be_checked()
    page.keyboard.press("Escape")

    with page.expect_response(receipt_posted) as posted:
        banner(page).get_by_role("button", name="Reject all").click()
    assert posted.value.status == 201
    expect(banner(page)).to_have_count(0)
    assert ran(page) == [] and optional_cookies(page) == set()

    [receipt] = shop.receipts(consent_id(page))
    assert receipt["method"] == "reject_all"
    assert receipt["choices"] == {"analytics": False, "personalization": False, "marketing": False}
    assert (receipt["region"], receipt["model"], receipt["revision"]) == ("eea", "opt-in", 1)
    assert receipt["page"] == f"{shop.url}/" and len(receipt["config_hash"]) == 64

    page.reload()
    page.wait_for_load_state("load")
    assert ran(page) == [] and optional_cookies(page) == set()
    expect(banner(page)).to_have_count(0)


def test_the_three_first_layer_buttons_weigh_the_same(visitor, shop):
    page = visitor()
    page.goto(f"{shop.url}/?region=DE")
    buttons = banner(page).get_by_role("button")
    expect(buttons).to_have_text(["Accept all", "Reject all", "Customize"])
    looks = buttons.evaluate_all("""buttons => buttons.map(b => {
        const s = getComputedStyle(b);
        return [s.backgroundColor, s.color, s.fontSize, s.fontWeight, s.borderStyle, s.padding].join()
    })""")
    assert len(set(looks)) == 1, looks


def test_accept_all_runs_every_script_once_in_order_and_survives_a_reload(visitor, shop):
    page = visitor()
    page.goto(f"{shop.url}/?region=DE")
    with page.expect_response(receipt_posted):
        banner(page).get_by_role("button", name="Accept all").click()
    page.wait_for_function("(window.demoRan || []).length === 3")
    assert ran(page) == ORDER
    assert {"_ga", "_gid", "sg_recent", "_fbp"} <= optional_cookies(page)
    [receipt] = shop.receipts(consent_id(page))
    assert receipt["method"] == "accept_all" and all(receipt["choices"].values())

    # Choosing again does not run anything twice.
    with page.expect_response(receipt_posted):
        page.evaluate("ConsentManager.acceptAll()")
    assert ran(page) == ORDER

    cookie = consent_cookie(page)
    assert cookie["sameSite"] == "Lax" and not cookie["secure"] and not cookie["httpOnly"]
    assert 179 * 86400 < cookie["expires"] - page.evaluate("Date.now() / 1000") <= 180 * 86400

    page.reload(wait_until="load")
    page.wait_for_function("(window.demoRan || []).length === 3")
    assert ran(page) == ORDER
    # The one-request tag's configuration came with the script: a returning visitor's page asks
    # the API nothing, before or after the load event (the two-request tag: test_revision.py).
    page.wait_for_timeout(500)
    assert page.evaluate(API_REQUESTS) == []
    expect(banner(page)).to_have_count(0)
    assert len(shop.receipts(consent_id(page))) == 2


def test_a_malformed_or_tampered_cookie_counts_as_no_choice(visitor, shop):
    page = visitor()
    page.goto(f"{shop.url}/?region=DE")
    with page.expect_response(receipt_posted):
        banner(page).get_by_role("button", name="Reject all").click()
    genuine = consent_cookie(page)
    fields = genuine["value"].split(".")
    assert fields[3] == "000"
    tampered = ".".join(fields[:3] + ["111"] + fields[4:])     # "granted" by hand, check unchanged
    for value in (tampered, "garbage", genuine["value"][:-1], ""):
        page.context.add_cookies([{**genuine, "value": value}])
        page.reload()
        expect(banner(page)).to_be_visible()
        assert ran(page) == [], value
    assert page.errors == []


def test_inline_and_external_gated_scripts_keep_document_order(visitor, shop):
    page = visitor()
    in_region(page, shop, "DE")
    log = "(window.order = window.order || []).push"
    head = f"""
<script type="text/plain" data-category="analytics" src="/static/demo/analytics.js"></script>
<script type="text/plain" data-category="analytics">{log}(window.demoRan.join() + ' then inline')</script>
<script type="text/plain" data-category="marketing" src="/static/demo/marketing.js"></script>
<script type="text/plain" data-category="marketing">{log}(window.demoRan.join() + ' then inline')</script>"""
    page.goto(serve_page(page, f"{shop.url}/order", head=head))
    with page.expect_response(receipt_posted):
        banner(page).get_by_role("button", name="Accept all").click()
    page.wait_for_function("(window.order || []).length === 2")
    assert page.evaluate("window.order") == ["analytics then inline", "analytics,marketing then inline"]
    # Re-created in place: the page's script elements keep their order.
    assert page.evaluate("[...document.scripts].filter(s => s.dataset.category).map(s => !!s.src)") == [
        True, False, True, False]
