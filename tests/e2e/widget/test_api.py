"""window.ConsentManager, the cm:change event, and the visitor's language."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import banner, consent_id, dialog, in_region, receipt_posted, serve_page

RECORD = """() => {
    window.heard = [];
    window.unsubscribe = ConsentManager.on('change', detail => heard.push(['on', detail]));
    document.addEventListener('cm:change', event => heard.push(['dom', event.detail]));
}"""


def test_the_javascript_api_and_events(visitor, shop):
    page = visitor()
    page.goto(f"{shop.url}/?region=DE")
    expect(banner(page)).to_be_visible()
    assert page.evaluate("ConsentManager.get()") is None
    assert page.evaluate("[ConsentManager.has('necessary'), ConsentManager.has('analytics')]") == [True, False]
    page.evaluate(RECORD)

    with page.expect_response(receipt_posted):
        page.evaluate("ConsentManager.set({analytics: true})")
    expect(banner(page)).to_have_count(0)
    record = page.evaluate("ConsentManager.get()")
    assert re.fullmatch(r"[0-9a-f]{32}", record["consent_id"]) and record["consent_id"] == consent_id(page)
    assert record == {"consent_id": record["consent_id"], "revision": 1, "method": "custom", "gpc": False,
                      "choices": {"analytics": True, "personalization": False, "marketing": False}}
    heard = page.evaluate("heard")
    assert [source for source, _ in heard] == ["on", "dom"]
    assert heard[0][1] == heard[1][1] == {**record, "choices": {"necessary": True, **record["choices"]}}
    page.wait_for_function("(window.demoRan || []).length === 1")

    for call in ("acceptAll", "rejectAll", "withdraw"):
        with page.expect_response(receipt_posted):
            page.evaluate(f"ConsentManager.{call}()")
    assert [r["method"] for r in shop.receipts(record["consent_id"])] == [
        "custom", "accept_all", "reject_all", "withdraw"]
    assert page.evaluate("ConsentManager.has('marketing')") is False
    assert len(page.evaluate("heard")) == 8

    page.evaluate("unsubscribe()")
    with page.expect_response(receipt_posted):
        page.evaluate("ConsentManager.acceptAll()")
    assert [source for source, _ in page.evaluate("heard")][-1:] == ["dom"]

    page.evaluate("ConsentManager.show()")
    expect(dialog(page)).to_be_visible()
    expect(dialog(page).get_by_role("switch", name="Marketing")).to_be_checked()


@pytest.mark.parametrize("html_lang, locale, heading, accept", [
    ("de-AT", "en-US", "Ihre Privatsphäre, Ihre Wahl", "Alle akzeptieren"),
    ("", "fr-FR", "Votre vie privée, votre choix", "Tout accepter"),
])
def test_language_from_html_lang_then_the_browser(visitor, shop, html_lang, locale, heading, accept):
    page = visitor(locale=locale)
    in_region(page, shop, "DE")
    with page.expect_request(lambda r: "/api/v1/config" in r.url) as asked:
        page.goto(serve_page(page, f"{shop.url}/language", lang=html_lang))
    assert asked.value.url.endswith(f"?lang={html_lang or locale}")
    expect(banner(page).get_by_role("heading")).to_have_text(heading)
    expect(banner(page)).to_have_attribute("lang", (html_lang or locale)[:2])
    expect(banner(page).get_by_role("button").first).to_have_text(accept)


def test_brand_colours_reach_into_the_shadow_dom(visitor, shop):
    page = visitor(color_scheme="dark")
    in_region(page, shop, "DE")
    brand = ("<style>:root { --cm-accent: #0a5c36; --cm-accent-fg: #fff; }"
             " [data-cm-host] { --cm-font: Georgia, serif; }</style>")
    page.goto(serve_page(page, f"{shop.url}/brand", head=brand))
    button = banner(page).get_by_role("button", name="Accept all")
    expect(button).to_have_css("background-color", "rgb(10, 92, 54)")
    expect(button).to_have_css("color", "rgb(255, 255, 255)")
    expect(banner(page)).to_have_css("font-family", "Georgia, serif")
