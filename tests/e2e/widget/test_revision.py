"""A material change (a revision bump) asks again."""

import json

from playwright.sync_api import expect

from .conftest import Shop, banner, consent_cookie, consent_id, ran, receipt_posted


def test_a_revision_bump_asks_again(visitor, shop, live_server, data_copy, tmp_path):
    regions = data_copy / "regions.json"
    regions.write_text(json.dumps({**json.loads(regions.read_text()), "revision": 2}))
    server = live_server(workers=1, CONSENT_MODE="demo", CONSENT_DATA_DIR=str(data_copy))
    bumped = Shop(server.url, tmp_path / "consent.db", server.port)

    page = visitor()
    page.goto(f"{shop.url}/?region=DE")                    # revision 1
    with page.expect_response(receipt_posted):
        banner(page).get_by_role("button", name="Accept all").click()
    visitor_id = consent_id(page)
    assert consent_cookie(page)["value"].split(".")[2] == "1"

    # Same host, so the same cookie; this service is at revision 2. The stored
    # choice applies at once; the background check after load asks again.
    page.goto(f"{bumped.url}/?region=DE")
    expect(banner(page).get_by_role("heading")).to_have_text("Your privacy, your choice")
    assert len(ran(page)) == 3

    page.reload()                                          # now known: the old answer is held back
    expect(banner(page)).to_be_visible()
    assert ran(page) == []
    with page.expect_response(receipt_posted):
        banner(page).get_by_role("button", name="Reject all").click()
    [receipt] = bumped.receipts(visitor_id)
    assert receipt["revision"] == 2 and receipt["method"] == "reject_all"   # a new question, answered
    assert consent_cookie(page)["value"].split(".")[2] == "2"

    page.reload()
    page.wait_for_load_state("load")
    page.wait_for_function(
        "performance.getEntriesByType('resource').some(e => e.name.includes('/api/v1/config'))")
    expect(banner(page)).to_have_count(0)
    assert ran(page) == []
