"""The consent cookie: shared across subdomains, host-only otherwise, Secure on https."""

from playwright.sync_api import expect

from ...conftest import SITE
from ...mmdb import ADDRESSES
from .conftest import banner, consent_cookie, consent_id, receipt_posted, serve_page


def test_data_cookie_domain_shares_the_choice_across_subdomains(visitor, shop):
    page = visitor()
    www, blog = shop.at("www.shop.test"), shop.at("blog.shop.test")
    page.context.add_cookies([{"name": "cm_demo_region", "value": "DE", "url": host}
                              for host in (www, blog)])
    tags = '<script type="text/plain" data-category="analytics" src="/static/demo/analytics.js"></script>'
    page.goto(serve_page(page, f"{www}/with-domain", head=tags, attrs=' data-cookie-domain="shop.test"'))
    with page.expect_response(receipt_posted):
        banner(page).get_by_role("button", name="Accept all").click()
    cookie = consent_cookie(page)
    assert cookie["domain"] == ".shop.test"

    page.goto(serve_page(page, f"{blog}/other-subdomain", head=tags))
    page.wait_for_function("(window.demoRan || []).length === 1")
    expect(banner(page)).to_have_count(0)
    assert consent_id(page) == cookie["value"].split(".")[1]


def test_a_cookie_domain_the_page_is_not_under_falls_back_to_the_host(visitor, shop):
    page = visitor()
    page.goto(f"{shop.url}/?region=DE")
    page.goto(serve_page(page, f"{shop.url}/foreign-domain", attrs=' data-cookie-domain="example.com"'))
    with page.expect_response(receipt_posted):
        banner(page).get_by_role("button", name="Reject all").click()
    assert consent_cookie(page)["domain"] == "127.0.0.1"


def test_the_cookie_is_secure_on_https_and_lives_as_long_as_the_region_says(visitor, shop):
    """https://shop.example (a configured site) proxied to the test server: real widget, real API."""
    page = visitor()

    def proxy(route):
        path = route.request.url[len(SITE):]
        # As a TLS-terminating proxy would say it: the demo page then names https://shop.example as its API.
        headers = {**route.request.headers, "X-Forwarded-For": ADDRESSES["US-CA"],
                   "X-Forwarded-Proto": "https", "X-Forwarded-Host": "shop.example"}
        route.fulfill(response=route.fetch(url=f"{shop.url}{path}", headers=headers))

    page.route(f"{SITE}/**", proxy)
    page.goto(f"{SITE}/")
    with page.expect_response(receipt_posted) as posted:
        banner(page).get_by_role("button", name="OK").click()
    assert posted.value.status == 201
    cookie = consent_cookie(page)
    assert cookie["secure"] and cookie["domain"] == "shop.example" and cookie["sameSite"] == "Lax"
    days = (cookie["expires"] - page.evaluate("Date.now() / 1000")) / 86400
    assert 364 < days <= 365                     # the US opt-out region's lifetime
    [receipt] = shop.receipts(consent_id(page))
    assert (receipt["site"], receipt["region"], receipt["method"]) == ("shop.example", "us-opt-out", "notice")
