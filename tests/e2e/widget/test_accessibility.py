"""Keyboard-only use, dialog semantics, and axe-core finding no WCAG 2.x A/AA violation."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from .conftest import banner, dialog, ran, receipt_posted

AXE = Path(__file__).resolve().parents[3] / "node_modules" / "axe-core" / "axe.min.js"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
FOCUSED = """() => {
    const root = document.querySelector('[data-cm-host]').shadowRoot;
    const el = root.activeElement;
    return el ? [el.closest('dialog, section').tagName, el.getAttribute('aria-label') ||
                 el.textContent || el.closest('label').textContent] : [null, document.activeElement.tagName];
}"""


def focused(page):
    return page.evaluate(FOCUSED)


def test_keyboard_only_through_banner_and_dialog(visitor, shop):
    page = visitor(reduced_motion="reduce")
    page.goto(f"{shop.url}/?region=DE")
    expect(page.get_by_role("region", name="Your privacy, your choice")).to_be_visible()   # a landmark
    # The banner comes first in the tab order, although it is drawn at the bottom.
    page.keyboard.press("Tab")
    assert focused(page) == ["SECTION", "Accept all"]
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert focused(page) == ["SECTION", "Customize"]
    page.keyboard.press("Enter")
    expect(dialog(page)).to_be_visible()
    assert focused(page) == ["DIALOG", "Performance monitoring"]
    page.keyboard.press("Space")
    expect(dialog(page).get_by_role("switch", name="Performance monitoring")).to_be_checked()

    # Tab wraps inside the dialog, both ways.
    stops = ["Performance monitoring", "Personalized shopping", "Marketing",
             "Reject all", "Accept all", "Save my choices", "Close"]
    seen = [focused(page)[1]]
    for _ in range(len(stops)):
        page.keyboard.press("Tab")
        assert focused(page)[0] == "DIALOG"
        seen.append(focused(page)[1])
    assert seen == stops + stops[:1]
    page.keyboard.press("Shift+Tab")
    assert focused(page) == ["DIALOG", "Close"]

    page.keyboard.press("Shift+Tab")
    assert focused(page) == ["DIALOG", "Save my choices"]
    with page.expect_response(receipt_posted):
        page.keyboard.press("Enter")
    expect(dialog(page)).to_have_count(0)
    expect(banner(page)).to_have_count(0)
    page.wait_for_function("(window.demoRan || []).length === 1")
    assert ran(page) == ["analytics"]
    expect(page.get_by_role("status")).to_have_text("Your choices have been saved.")

    # Re-open from the footer link by keyboard; Esc closes and focus goes back to the link.
    link = page.get_by_role("link", name="Cookie settings")
    link.focus()
    page.keyboard.press("Enter")
    expect(dialog(page)).to_be_visible()
    expect(dialog(page)).to_have_attribute("aria-modal", "true")
    expect(dialog(page).get_by_role("switch", name="Performance monitoring")).to_be_checked()
    page.keyboard.press("Escape")
    expect(dialog(page)).to_have_count(0)
    expect(link).to_be_focused()


def test_keyboard_reaches_download_and_delete(visitor, shop):
    page = visitor(reduced_motion="reduce")
    page.goto(f"{shop.url}/?region=DE")
    with page.expect_response(receipt_posted):
        banner(page).get_by_role("button", name="Accept all").click()
    link = page.get_by_role("link", name="Cookie settings")
    link.focus()
    page.keyboard.press("Enter")
    expect(dialog(page)).to_be_visible()

    stops = ["Performance monitoring", "Personalized shopping", "Marketing", "Reject all", "Accept all",
             "Save my choices", "Close", "Download my consent record", "Delete my consent record"]
    seen = [focused(page)[1]]
    for _ in range(len(stops)):
        page.keyboard.press("Tab")
        assert focused(page)[0] == "DIALOG"
        seen.append(focused(page)[1])
    assert seen == stops + stops[:1]                 # the last stop is Delete, then Tab wraps
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    assert focused(page) == ["DIALOG", "Download my consent record"]
    with page.expect_download() as saved:
        page.keyboard.press("Enter")
    assert saved.value.suggested_filename.endswith(".json")

    page.keyboard.press("Tab")
    assert focused(page) == ["DIALOG", "Delete my consent record"]
    with page.expect_response(lambda r: r.request.method == "DELETE"):
        page.keyboard.press("Space")
    expect(dialog(page)).to_have_count(0)
    expect(page.get_by_role("status")).to_have_text("Your consent record has been deleted.")
    expect(link).to_be_focused()                     # back where the visitor came from
    expect(banner(page)).to_be_visible()             # and asked again


def run_axe(page):
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG)
    return [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_wcag_violation_with_banner_or_dialog(visitor, shop, scheme):
    page = visitor(color_scheme=scheme, reduced_motion="reduce")
    page.goto(f"{shop.url}/?region=DE")
    expect(banner(page)).to_be_visible()
    expect(page.locator(".cm-placeholder")).to_be_visible()   # the gated iframe's placeholder
    assert run_axe(page) == []
    banner(page).get_by_role("button", name="Customize").click()
    expect(dialog(page)).to_be_visible()
    assert run_axe(page) == []

    # With a stored choice: the rights controls, and the message when the service cannot answer.
    with page.expect_response(receipt_posted):
        dialog(page).get_by_role("button", name="Accept all").click()
    page.route("**/api/v1/consents/*", lambda route: route.abort("connectionrefused"))
    page.get_by_role("link", name="Cookie settings").click()
    dialog(page).get_by_role("button", name="Download my consent record").click()
    expect(dialog(page).get_by_role("status")).to_contain_text("Nothing has been deleted")
    assert run_axe(page) == []


def test_motion_only_without_a_reduced_motion_preference(visitor, shop):
    # The style asked for, not the animations still running: on a loaded machine the 0.4 s
    # fade may be over before anyone looks.
    animation = "getComputedStyle(document.querySelector('[data-cm-host]').shadowRoot" \
                ".querySelector('section')).animationName"
    calm = visitor(reduced_motion="reduce")
    calm.goto(f"{shop.url}/?region=DE")
    expect(banner(calm)).to_be_visible()
    assert calm.evaluate(animation) == "none"
    lively = visitor(reduced_motion="no-preference")
    lively.goto(f"{shop.url}/?region=DE")
    expect(banner(lively)).to_be_visible()
    assert lively.evaluate(animation) != "none"
