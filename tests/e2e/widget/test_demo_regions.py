"""The demo shop shows each region's banner; "Forget my choice" brings it back."""

from playwright.sync_api import expect

from .conftest import banner, receipt_posted

FIRST_BUTTON = {   # region link -> the banner's first button (its model, in its language)
    "Germany (EEA, opt-in)": "Accept all",
    "United Kingdom (opt-in)": "Accept all",
    "California (opt-out)": "Do not sell or share my personal information",
    "Quebec (opt-in)": "Accept all",          # the page is in English, so is its banner
    "Brazil (opt-in)": "Accept all",
    "Japan (notice)": "OK",
    "Unknown location (strictest)": "Accept all",
}


def test_every_demo_region_shows_its_banner(visitor, shop):
    page = visitor(reduced_motion="reduce")
    page.goto(shop.url)
    for link, first in FIRST_BUTTON.items():
        page.get_by_role("link", name=link).click()
        expect(banner(page).get_by_role("button").first).to_have_text(first)
    with page.expect_response(receipt_posted):
        banner(page).get_by_role("button", name="Reject all").click()
    page.reload()
    page.wait_for_load_state("load")
    expect(banner(page)).to_have_count(0)
    page.get_by_role("button", name="Forget my choice").click()
    expect(banner(page)).to_be_visible()
