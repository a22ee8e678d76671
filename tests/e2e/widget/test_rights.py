"""The visitor's rights from the preference dialog: download and delete their consent record.

The record lives on the consent service, which is another origin than the shop
in a real deployment; the download test therefore runs the widget on a page of
https://shop.example (a configured site, served by ``page.route``) against the
real service on 127.0.0.1, so CORS and the saving of a cross-origin answer are
exercised as a shopper's browser would.
"""

import json
import sqlite3
from pathlib import Path

from playwright.sync_api import expect

from ...conftest import SITE
from ...mmdb import ADDRESSES
from .conftest import (
    banner,
    consent_cookie,
    consent_id,
    dialog,
    optional_cookies,
    ran,
    receipt_posted,
    serve_page,
)

GERMAN = {"X-Forwarded-For": ADDRESSES["DE"]}     # through the test server's one trusted proxy hop
DOWNLOAD, DELETE = "Download my consent record", "Delete my consent record"
UNAVAILABLE = ("Your consent record is not available right now. "
               "Nothing has been deleted or changed; please try again later.")
CONSENT_UPDATES = "() => dataLayer.filter(e => e[0] === 'consent' && e[1] === 'update').map(e => e[2])"


def tags(origin):
    """The demo shop's three gated tags, from ``origin``."""
    return "".join(f'<script type="text/plain" data-category="{c}" src="{origin}/static/demo/{c}.js"></script>'
                   for c in ("analytics", "personalization", "marketing"))


def erased_rows(shop, receipt_ids):
    """The stored rows of these receipts, by receipt_id (the consent_id may be gone)."""
    with sqlite3.connect(shop.database) as db:
        db.row_factory = sqlite3.Row
        marks = ",".join("?" * len(receipt_ids))
        return [dict(row) for row in db.execute(
            f"SELECT * FROM receipts WHERE receipt_id IN ({marks}) ORDER BY seq", receipt_ids)]


def accept_all(page):
    with page.expect_response(receipt_posted) as posted:
        banner(page).get_by_role("button", name="Accept all").click()
    assert posted.value.status == 201
    expect(banner(page)).to_have_count(0)


def open_settings(page):
    page.get_by_role("link", name="Cookie settings").click()
    expect(dialog(page)).to_be_visible()


def test_download_from_the_dialog_saves_the_record_cross_origin(visitor, shop):
    page = visitor(extra_http_headers=GERMAN)
    page.goto(serve_page(page, f"{SITE}/rings", widget=shop.url, api=shop.url, head=tags(shop.url)))
    expect(banner(page).get_by_role("heading")).to_have_text("Your privacy, your choice")
    title = banner(page).get_by_role("heading").text_content()
    accept_all(page)
    open_settings(page)

    with page.expect_download() as saved:
        dialog(page).get_by_role("button", name=DOWNLOAD).click()
    download = saved.value
    cid = consent_id(page)
    assert download.suggested_filename == f"consent-record-{cid}.json"
    record = json.loads(Path(download.path()).read_text(encoding="utf-8"))
    assert record["format"] == "consent-record/1" and record["erased"] is False
    assert record["consent_id"] == cid
    [receipt] = record["receipts"]
    assert (receipt["consent_id"], receipt["method"], receipt["site"]) == (cid, "accept_all", "shop.example")
    assert receipt["choices"] == {"analytics": True, "personalization": True, "marketing": True}
    shown = record["configurations"][receipt["config_hash"]]
    assert shown["texts"]["title"] == title and shown["texts"]["accept_all"] == "Accept all"
    assert shown["region"] == receipt["region"] == "eea"

    # Nothing else happened: the page stayed, the choice holds, the dialog is still open.
    assert page.url == f"{SITE}/rings" and consent_id(page) == cid
    expect(dialog(page)).to_be_visible()
    expect(dialog(page).get_by_role("status")).to_have_text("")
    assert page.errors == []


def test_the_controls_appear_only_with_a_stored_choice(visitor, shop):
    page = visitor()
    page.goto(f"{shop.url}/?region=DE")
    banner(page).get_by_role("button", name="Customize").click()
    expect(dialog(page).get_by_role("button", name="Save my choices")).to_be_visible()
    expect(dialog(page).get_by_role("button", name=DOWNLOAD)).to_have_count(0)
    expect(dialog(page).get_by_role("button", name=DELETE)).to_have_count(0)
    page.keyboard.press("Escape")

    accept_all(page)
    open_settings(page)
    buttons = dialog(page).get_by_role("button")
    expect(buttons).to_have_text(["Reject all", "Accept all", "Save my choices", "Close", DOWNLOAD, DELETE])
    # The same weight as every other button in the dialog.
    looks = buttons.evaluate_all("""buttons => buttons.map(b => {
        const s = getComputedStyle(b);
        return [s.backgroundColor, s.color, s.fontSize, s.fontWeight, s.borderStyle, s.padding].join()
    })""")
    assert len(set(looks)) == 1, looks


def test_delete_erases_the_record_and_asks_again(visitor, shop):
    page = visitor()
    page.goto(f"{shop.url}/?region=DE")
    accept_all(page)
    page.wait_for_function("(window.demoRan || []).length === 3")
    assert {"_ga", "_gid", "sg_recent", "_fbp"} <= optional_cookies(page)
    old_id = consent_id(page)
    receipt_ids = [r["receipt_id"] for r in shop.receipts(old_id)]
    assert len(receipt_ids) == 1

    open_settings(page)
    with page.expect_response(lambda r: r.request.method == "DELETE") as erased:
        dialog(page).get_by_role("button", name=DELETE).click()
    assert erased.value.status == 200   # (its body: the widget does not read it, so neither can the test)

    # The widget: as after a withdrawal, and asking again.
    expect(dialog(page)).to_have_count(0)
    expect(banner(page)).to_be_visible()
    expect(banner(page).get_by_role("button")).to_have_text(["Accept all", "Reject all", "Customize"])
    expect(page.get_by_role("status")).to_have_text("Your consent record has been deleted.")
    assert consent_cookie(page) is None
    assert optional_cookies(page) == set(), optional_cookies(page)
    update = page.evaluate(CONSENT_UPDATES)[-1]
    assert {update[t] for t in ("analytics_storage", "personalization_storage", "ad_storage",
                                "ad_user_data", "ad_personalization")} == {"denied"}
    assert page.evaluate("ConsentManager.get()") is None
    assert page.evaluate("ConsentManager.has('analytics')") is False
    expect(page.locator(".cm-placeholder")).to_be_visible()          # the lookbook frame unloaded

    # The service: the payload is gone from the file, the chain rows stay.
    [row] = erased_rows(shop, receipt_ids)
    assert row["consent_id"] is None and row["choices"] is None and row["erased_at"]
    assert shop.receipts(old_id) == []
    later = page.request.get(f"{shop.url}/api/v1/consents/{old_id}")
    assert later.status == 200 and later.json()["erased"] is True and later.json()["receipts"] == []

    # After a reload nothing optional runs, and the next answer starts a new record.
    page.reload()
    expect(banner(page)).to_be_visible()
    assert ran(page) == []
    with page.expect_response(receipt_posted):
        banner(page).get_by_role("button", name="Reject all").click()
    assert consent_id(page) != old_id
    [fresh] = shop.receipts(consent_id(page))
    assert fresh["method"] == "reject_all"
    assert page.errors == []


def test_a_failed_download_or_delete_keeps_everything_and_says_so(visitor, shop):
    page = visitor()
    page.goto(f"{shop.url}/?region=DE")
    accept_all(page)
    page.wait_for_function("(window.demoRan || []).length === 3")
    cid, cookie = consent_id(page), consent_cookie(page)["value"]
    cookies = optional_cookies(page)
    down = {"GET": True, "DELETE": True}

    def service(route):
        if not down[route.request.method]:
            route.continue_()
        elif route.request.method == "DELETE":
            route.fulfill(status=503, content_type="application/json",
                          body='{"error": {"status": 503, "message": "The database cannot write."}}')
        else:
            route.abort("connectionrefused")

    page.route(f"{shop.url}/api/v1/consents/*", service)
    downloads = []
    page.on("download", lambda download: downloads.append(download))
    open_settings(page)
    status = dialog(page).get_by_role("status")
    expect(status).to_have_text("")

    # A download that cannot be had: a message in the dialog, no error page, no file.
    with page.expect_request(lambda r: r.url.endswith(f"/api/v1/consents/{cid}")):
        dialog(page).get_by_role("button", name=DOWNLOAD).click()
    expect(status).to_have_text(UNAVAILABLE)
    expect(status).to_be_visible()
    assert page.url == f"{shop.url}/?region=DE" and downloads == []
    down["GET"] = False
    with page.expect_download():
        dialog(page).get_by_role("button", name=DOWNLOAD).click()
    expect(status).to_have_text("")

    # A delete the service refuses: the choice stays in force, and the visitor is told.
    with page.expect_response(lambda r: r.request.method == "DELETE") as refused:
        dialog(page).get_by_role("button", name=DELETE).click()
    assert refused.value.status == 503
    expect(status).to_have_text(UNAVAILABLE)
    expect(dialog(page)).to_be_visible()
    expect(banner(page)).to_have_count(0)
    assert consent_cookie(page)["value"] == cookie and optional_cookies(page) == cookies
    assert page.evaluate("ConsentManager.get().consent_id") == cid
    assert [r["consent_id"] for r in shop.receipts(cid)] == [cid]
    page.reload()
    page.wait_for_function("(window.demoRan || []).length === 3")
    expect(banner(page)).to_have_count(0)
    assert page.errors == []


def test_a_choice_still_queued_does_not_recreate_the_erased_record(visitor, shop):
    page = visitor()
    page.goto(f"{shop.url}/?region=DE")
    accept_all(page)
    old_id = consent_id(page)
    # The visitor changes their mind while receipts cannot get through: it waits in the queue.
    page.route(f"{shop.url}/api/v1/consents", lambda route: route.abort("connectionrefused"))
    page.evaluate("ConsentManager.rejectAll()")
    page.wait_for_function("(JSON.parse(localStorage.getItem('cm_queue')) || []).length === 1")

    open_settings(page)
    with page.expect_response(lambda r: r.request.method == "DELETE") as erased:
        dialog(page).get_by_role("button", name=DELETE).click()
    assert erased.value.status == 200
    expect(banner(page)).to_be_visible()
    assert page.evaluate("JSON.parse(localStorage.getItem('cm_queue')) || []") == []

    # The service is reachable again and the next page flushes the queue: nothing comes back.
    page.unroute(f"{shop.url}/api/v1/consents")
    page.reload()
    expect(banner(page)).to_be_visible()
    page.wait_for_timeout(500)
    assert shop.receipts(old_id) == []
    assert page.errors == []
