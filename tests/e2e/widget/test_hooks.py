"""The documented hooks other tools drive the widget by (static/js/src/hooks.js, README).

`[data-cm-host]` holds the shadow root, `[data-cm="banner"]` and
`[data-cm="dialog"]` name the two layers, and every button carries
`data-cm-action` with its action; its text is the configuration's text of the
same name. A tool that knows nothing else (the leak scanner of issue 12) must
be able to answer the banner through them, in any language.
"""

import pytest
from playwright.sync_api import expect

from .conftest import banner, consent_id, dialog, receipt_posted, serve_page

ACTIONS = {"accept_all", "reject_all", "customize", "save", "ok", "do_not_sell", "close", "download",
           "delete", "load_content"}
# Every button in the widget's shadow root and the page's placeholders: [action, text, part].
BUTTONS = """() => {
    const root = document.querySelector('[data-cm-host]').shadowRoot;
    const buttons = [...root.querySelectorAll('button'), ...document.querySelectorAll('.cm-placeholder button')];
    return buttons.map(b => [b.dataset.cmAction, b.textContent, b.closest('[data-cm]')?.dataset.cm || null]);
}"""


def hooked(page, part: str):
    return page.locator(f'[data-cm-host] [data-cm="{part}"]')


def texts_of(page) -> dict:
    """The texts the widget shows: the configuration of this visitor, from the service."""
    return page.request.get(page.url.split("?")[0].rstrip("/") + "/api/v1/config?lang=en").json()["texts"]


@pytest.mark.parametrize("region, expected", [
    ("DE", {"accept_all", "reject_all", "customize"}),
    ("US-CA", {"do_not_sell", "ok", "customize"}),
    ("JP", {"ok", "customize"}),
])
def test_every_button_names_its_action_and_shows_its_text(visitor, shop, region, expected):
    page = visitor()
    page.goto(f"{shop.url}/?region={region}")
    expect(hooked(page, "banner")).to_be_visible()
    expect(page.locator("[data-cm-host]")).to_have_count(1)
    texts = texts_of(page)
    buttons = page.evaluate(BUTTONS)
    assert {action for action, _, part in buttons if part == "banner"} == expected
    assert all(action in ACTIONS and text == texts[action] for action, text, _ in buttons), buttons

    hooked(page, "banner").locator('[data-cm-action="customize"]').click()
    expect(hooked(page, "dialog")).to_be_visible()
    in_dialog = [a for a, _, part in page.evaluate(BUTTONS) if part == "dialog"]
    assert in_dialog == ["reject_all", "accept_all", "save", "close"]
    hooked(page, "dialog").locator('[data-cm-action="close"]').click()
    expect(hooked(page, "dialog")).to_have_count(0)


def test_a_tool_answers_through_the_hooks_alone_in_any_language(visitor, shop):
    """A German page: no text is known to the tool, only the hooks."""
    page = visitor(locale="de-DE")
    page.goto(serve_page(page, f"{shop.url}/de", lang="de", tag="one-request"))
    expect(hooked(page, "banner")).to_contain_text("Alle akzeptieren")
    with page.expect_response(receipt_posted):
        hooked(page, "banner").locator('[data-cm-action="reject_all"]').click()
    expect(hooked(page, "banner")).to_have_count(0)
    page.locator("[data-cm-open]").click()
    expect(hooked(page, "dialog").locator("[data-cm-action]")).to_have_count(6)   # and the record's two
    with page.expect_response(receipt_posted):
        hooked(page, "dialog").locator('[data-cm-action="accept_all"]').click()
    assert [r["method"] for r in shop.receipts(consent_id(page))] == ["reject_all", "accept_all"]


def test_the_record_actions_and_the_placeholder_are_hooked_too(visitor, shop):
    page = visitor()
    page.goto(f"{shop.url}/?region=DE")
    placeholder = page.locator('.cm-placeholder [data-cm-action="load_content"]')
    expect(placeholder).to_have_text("Load content")
    with page.expect_response(receipt_posted):
        hooked(page, "banner").locator('[data-cm-action="reject_all"]').click()
    page.get_by_role("link", name="Cookie settings").click()
    actions = [a for a, _, part in page.evaluate(BUTTONS) if part == "dialog"]
    assert actions[-2:] == ["download", "delete"]
