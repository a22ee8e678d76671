"""A material change (a revision bump) asks again.

The one-request tag knows the current revision the moment it runs (its
configuration came with it): an older choice is held back at once. The
two-request tag applies the stored choice at once, checks after the load event,
asks then, and remembers the revision so that later pages hold the old choice back.
"""

import json

import pytest
from playwright.sync_api import expect

from .conftest import Shop, banner, consent_cookie, consent_id, in_region, ran, receipt_posted, serve_page

TAGS = "".join(f'<script type="text/plain" data-category="{c}" src="/static/demo/{c}.js"></script>'
               for c in ("analytics", "personalization", "marketing"))
API_REQUESTS = "performance.getEntriesByType('resource').map(e => e.name).filter(n => n.includes('/api/'))"


@pytest.fixture
def bumped(live_server, data_copy, tmp_path) -> Shop:
    """A second service on the same host (so the same cookies) at revision 2."""
    regions = data_copy / "regions.json"
    regions.write_text(json.dumps({**json.loads(regions.read_text()), "revision": 2}))
    server = live_server(workers=1, CONSENT_MODE="demo", CONSENT_DATA_DIR=str(data_copy))
    return Shop(server.url, tmp_path / "consent.db", server.port)


def answer(page, button: str) -> None:
    with page.expect_response(receipt_posted):
        banner(page).get_by_role("button", name=button).click()


def test_the_one_request_tag_asks_again_at_once(visitor, shop, bumped):
    page = visitor()
    page.goto(f"{shop.url}/?region=DE")                    # revision 1
    answer(page, "Accept all")
    visitor_id = consent_id(page)
    assert consent_cookie(page)["value"].split(".")[2] == "1"

    page.goto(f"{bumped.url}/?region=DE")                  # revision 2: the old yes does not hold
    expect(banner(page).get_by_role("heading")).to_have_text("Your privacy, your choice")
    page.wait_for_load_state("load")
    assert ran(page) == []
    answer(page, "Reject all")
    [receipt] = bumped.receipts(visitor_id)
    assert receipt["revision"] == 2 and receipt["method"] == "reject_all"   # a new question, answered
    assert consent_cookie(page)["value"].split(".")[2] == "2"

    page.reload(wait_until="load")
    page.wait_for_timeout(300)
    expect(banner(page)).to_have_count(0)
    assert ran(page) == [] and page.evaluate(API_REQUESTS) == []


def test_the_two_request_tag_asks_after_the_load_event_and_remembers(visitor, shop, bumped):
    page = visitor()
    in_region(page, shop, "DE")
    page.goto(serve_page(page, f"{shop.url}/page", head=TAGS))           # revision 1
    answer(page, "Accept all")
    visitor_id = consent_id(page)

    # Same host, so the same cookie; this service is at revision 2. The stored
    # choice applies at once; the background check after load asks again.
    in_region(page, bumped, "DE")
    page.goto(serve_page(page, f"{bumped.url}/page", head=TAGS))
    expect(banner(page).get_by_role("heading")).to_have_text("Your privacy, your choice")
    assert len(ran(page)) == 3

    page.reload()                                          # now known: the old answer is held back
    expect(banner(page)).to_be_visible()
    assert ran(page) == []
    answer(page, "Reject all")
    [receipt] = bumped.receipts(visitor_id)
    assert receipt["revision"] == 2 and receipt["method"] == "reject_all"
    assert consent_cookie(page)["value"].split(".")[2] == "2"

    page.reload()
    page.wait_for_load_state("load")
    page.wait_for_function(
        "performance.getEntriesByType('resource').some(e => e.name.includes('/api/v1/config'))")
    expect(banner(page)).to_have_count(0)
    assert ran(page) == []
