"""An opt-out visitor (California): tags run until they say no; Global Privacy Control says no for them."""

from playwright.sync_api import expect

from .conftest import (
    banner,
    consent_cookie,
    consent_id,
    dialog,
    optional_cookies,
    ran,
    receipt_posted,
)

DO_NOT_SELL = "Do not sell or share my personal information"
GPC_TEXT = "Your browser sent a Global Privacy Control signal. We have honored it"


def test_tags_run_by_default_until_do_not_sell(visitor, shop):
    page = visitor()
    page.goto(f"{shop.url}/?region=US-CA")
    expect(banner(page).get_by_role("heading")).to_have_text("Your privacy choices")
    expect(banner(page).get_by_role("button")).to_have_text([DO_NOT_SELL, "OK", "Customize"])
    page.wait_for_function("(window.demoRan || []).length === 3")
    assert consent_cookie(page) is None         # running by default is not a choice
    assert {"_fbp", "sg_recent"} <= optional_cookies(page)

    with page.expect_response(receipt_posted):
        banner(page).get_by_role("button", name=DO_NOT_SELL).click()
    expect(banner(page)).to_have_count(0)
    assert not {"_fbp", "sg_recent"} & optional_cookies(page)
    assert "_ga" in optional_cookies(page)
    [receipt] = shop.receipts(consent_id(page))
    assert (receipt["region"], receipt["model"], receipt["method"]) == ("us-opt-out", "opt-out", "custom")
    assert receipt["choices"] == {"analytics": True, "personalization": False, "marketing": False}

    page.reload()
    page.wait_for_function("(window.demoRan || []).length === 1")
    assert ran(page) == ["analytics"]
    expect(banner(page)).to_have_count(0)


def test_global_privacy_control_is_honored_recorded_and_said(visitor, shop):
    page = visitor(gpc=True)
    with page.expect_response(receipt_posted) as posted:
        page.goto(f"{shop.url}/?region=US-CA")
    assert posted.value.status == 201
    expect(banner(page)).to_contain_text(GPC_TEXT)
    expect(banner(page).get_by_role("button")).to_have_text(["OK", "Customize"])
    page.wait_for_function("(window.demoRan || []).length === 1")
    assert ran(page) == ["analytics"]
    assert not {"_fbp", "sg_recent"} & optional_cookies(page)
    [receipt] = shop.receipts(consent_id(page))
    assert receipt["method"] == "gpc" and receipt["gpc"] == 1
    assert receipt["choices"] == {"analytics": True, "personalization": False, "marketing": False}

    stored = consent_cookie(page)["value"]
    banner(page).get_by_role("button", name="OK").click()     # read; nothing more to record
    expect(banner(page)).to_have_count(0)
    assert consent_cookie(page)["value"] == stored and stored.split(".")[5] == "gpc"
    page.get_by_role("link", name="Cookie settings").click()
    expect(dialog(page)).to_contain_text(GPC_TEXT)
    expect(dialog(page).get_by_role("switch", name="Marketing")).not_to_be_checked()

    page.reload()
    page.wait_for_function("(window.demoRan || []).length === 1")
    expect(banner(page)).to_have_count(0)


def test_gpc_switched_on_after_an_opt_out_choice_still_counts(visitor, shop):
    page = visitor()
    page.goto(f"{shop.url}/?region=US-CA")
    with page.expect_response(receipt_posted):
        banner(page).get_by_role("button", name="OK").click()
    [acknowledged] = shop.receipts(consent_id(page))
    assert acknowledged["method"] == "notice" and all(acknowledged["choices"].values())

    page.context.add_init_script(
        "Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', {get: () => true})")
    with page.expect_response(receipt_posted):
        page.reload()
    expect(banner(page)).to_contain_text(GPC_TEXT)
    assert "marketing" not in ran(page)
    _, honored = shop.receipts(consent_id(page))
    assert honored["method"] == "gpc" and honored["choices"]["marketing"] is False


def test_notice_region_shows_an_informational_notice(visitor, shop):
    page = visitor()
    page.goto(f"{shop.url}/?region=JP")
    expect(banner(page).get_by_role("heading")).to_have_text("Cookies on this site")
    expect(banner(page).get_by_role("button")).to_have_text(["OK", "Customize"])
    page.wait_for_function("(window.demoRan || []).length === 3")
    with page.expect_response(receipt_posted):
        banner(page).get_by_role("button", name="OK").click()
    [receipt] = shop.receipts(consent_id(page))
    assert (receipt["model"], receipt["method"]) == ("notice", "notice")
