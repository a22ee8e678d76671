"""The one-request tag (/widget.js): one round trip to the banner, the dialog loaded lazily.

A first visit fetches the script (with its configuration) and nothing else
before the banner; the dialog's part (static/js/consent-dialog.js) follows
after the load event once the banner shows, or when the visitor asks for it.
The site's page and the service are different origins here, as in a real
deployment, and the page's CSP admits the widget by nonce only.
"""

from playwright.sync_api import expect

from ...conftest import SITE
from .conftest import banner, dialog, poll, receipt_posted, serve_page

LAZY = "consent-dialog.js"
NONCE = "0ne-req-n0nce"


def requests_log(page) -> list[list]:
    """[url, before the load event?] of every request the page makes, from now on."""
    log, loaded = [], []
    page.on("load", lambda: loaded.append(True))
    page.on("request", lambda r: log.append([r.url, not loaded]))
    return log


def test_a_first_visit_asks_one_thing_before_the_banner(visitor, shop):
    page = visitor()
    log = requests_log(page)
    page.goto(f"{shop.url}/?region=DE")
    expect(banner(page)).to_be_visible()
    widget = [url for url, _ in log if "/widget.js" in url or "/api/" in url or LAZY in url]
    assert widget[0] == f"{shop.url}/widget.js?lang=en"
    # The dialog's part is downloaded after the load event (not run: it waits in the HTTP
    # cache), ready before the visitor asks for it.
    page.wait_for_load_state("load")
    deadline = 100
    while not any(LAZY in url for url, _ in log) and deadline:
        page.wait_for_timeout(50)
        deadline -= 1
    lazy = [(url, before) for url, before in log if LAZY in url]
    assert lazy and not any(before for _, before in lazy), lazy
    assert "/api/" not in " ".join(url for url, _ in log)      # no config request: it came with the script
    assert "?v=" in lazy[0][0]                                  # its version, cached for a year
    assert page.evaluate("[...document.scripts].some(s => s.src.includes('consent-dialog.js'))") is False
    banner(page).get_by_role("button", name="Customize").click()
    expect(dialog(page).get_by_role("switch")).to_have_count(3)
    assert page.errors == []


def test_a_returning_visitor_fetches_the_dialog_only_when_asked(visitor, shop):
    page = visitor()
    page.goto(f"{shop.url}/?region=DE")
    with page.expect_response(receipt_posted):
        banner(page).get_by_role("button", name="Reject all").click()
    page.context.route(f"**/{LAZY}*", lambda route: route.continue_())   # (seen, not changed)
    log = requests_log(page)
    page.reload(wait_until="load")
    page.wait_for_timeout(300)
    expect(banner(page)).to_have_count(0)
    assert not [url for url, _ in log if LAZY in url or "/api/" in url]
    page.get_by_role("link", name="Cookie settings").click()
    expect(dialog(page).get_by_role("button", name="Delete my consent record")).to_be_visible()
    assert [url for url, _ in log if LAZY in url]


def test_the_dialog_arrives_under_a_nonce_only_csp_of_another_origin(visitor, shop):
    """The site admits the widget by its nonce, not by host: the lazy part must carry the nonce."""
    csp = f"default-src 'self'; script-src 'self' 'nonce-{NONCE}'; connect-src 'self' {shop.url}"
    page = visitor(bypass_csp=False)
    page.add_init_script("""window.violations = [];
        document.addEventListener('securitypolicyviolation', e => window.violations.push(e.blockedURI));""")
    head = f'<script type="text/plain" data-category="analytics" nonce="{NONCE}">window.nonced = true;</script>'
    page.goto(serve_page(page, f"{SITE}/checkout", tag="one-request", widget=shop.url, api=shop.url,
                         attrs=f' nonce="{NONCE}"', head=head, headers={"Content-Security-Policy": csp}))
    expect(banner(page)).to_be_visible()
    page.get_by_role("link", name="Cookie settings").click()
    expect(dialog(page).get_by_role("switch", name="Performance monitoring")).to_be_visible()
    dialog(page).get_by_role("switch", name="Performance monitoring").check()
    with page.expect_response(receipt_posted) as posted:
        dialog(page).get_by_role("button", name="Save my choices").click()
    assert posted.value.status == 201
    poll(page, "window.nonced === true")
    assert page.evaluate("window.violations") == []
    assert page.errors == []


def test_language_from_the_tag_else_the_browser(visitor, shop):
    tagged = visitor(locale="en-US")
    tagged.goto(serve_page(tagged, f"{shop.url}/fr", lang="fr", tag="one-request"))
    expect(banner(tagged).get_by_role("button").first).to_have_text("Tout accepter")
    expect(banner(tagged)).to_have_attribute("lang", "fr")

    # A tag without ?lang=: the service answers in the browser's language.
    untagged = visitor(locale="it-IT")
    untagged.route(f"{shop.url}/untagged", lambda route: route.fulfill(
        content_type="text/html", body=f'<!doctype html><html lang="en"><head>'
        f'<script src="{shop.url}/widget.js"></script></head><body><p>Hi</p></body></html>'))
    untagged.goto(f"{shop.url}/untagged")
    expect(banner(untagged).get_by_role("button").first).to_have_text("Accetta tutti")
