"""The /admin dashboard in real Chromium against the real server, on seeded data."""

import csv
import io
import random

import pytest
import requests

from consent import create_app
from consent.ledger.seed import Seeder
from consent.web.context import get_book

from ..conftest import ROOT, TOKENS

ARTIFACTS = ROOT / "test-results"
# Collects Content-Security-Policy violations: the page must need no inline script or style.
CSP_WATCH = ("window.__cspViolations = [];"
             "document.addEventListener('securitypolicyviolation',"
             " (e) => window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));")
AXE = ROOT / "node_modules/axe-core/axe.min.js"
AXE_RUN = """() => axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21aa', 'wcag22aa']})
    .then((result) => result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target)}`))"""
CHART_POINTS = """() => Object.fromEntries(Object.entries(window.ConsentAdmin.charts).map(
    ([name, chart]) => [name, chart.data.datasets.reduce(
        (n, set) => n + set.data.filter((v) => v !== null && v !== undefined).length, 0)]))"""
PAINTED_PIXELS = """(id) => {
    const canvas = document.getElementById(id);
    const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let painted = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i] > 0) painted += 1;
    return painted;
}"""


@pytest.fixture
def seeded_server(settings_for, live_server):
    """A demo server whose database holds 30 days of seeded receipts."""
    app = create_app(settings_for(CONSENT_MODE="demo"), environ={})
    with app.app_context():
        seeder = Seeder(get_book(), 30, 3000, random.Random(11))
        store = app.extensions["consent.store"]
        for day in seeder.days:
            store.record_receipts(seeder.receipts_on(day))
    return live_server(workers=1, CONSENT_MODE="demo")


def api_stats(server, query):
    response = requests.get(f"{server.url}/api/v1/stats?{query}", timeout=10,
                            headers={"Authorization": f"Bearer {TOKENS['stats']}"})
    response.raise_for_status()
    return response.json()


def access_log(server) -> list[dict]:
    response = requests.get(f"{server.url}/api/v1/access-log?limit=1000", timeout=10,
                            headers={"Authorization": f"Bearer {TOKENS['audit']}"})
    response.raise_for_status()
    return response.json()["entries"]


def accessibility_violations(page) -> list[str]:
    """axe-core's WCAG 2.2 AA rules; evaluated through the driver, so the strict CSP allows it."""
    page.evaluate(AXE.read_text())
    return page.evaluate(AXE_RUN)


@pytest.fixture
def open_dashboard(browser):
    """open_dashboard(server, scope, **context_options) -> (context, page), signed in.

    Every context is closed after the test, passed or failed, so none outlives it.
    """
    contexts = []

    def sign_in(server, scope, **context_options):
        context = browser.new_context(reduced_motion="reduce", **context_options)
        contexts.append(context)
        context.add_init_script(CSP_WATCH)
        page = context.new_page()
        page.goto(f"{server.url}/admin")
        page.get_by_label("Token").fill(TOKENS[scope])
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_selector("html[data-state=ready]", state="attached")
        return context, page

    yield sign_in
    for context in contexts:
        context.close()


def test_marketing_signs_in_sees_charts_and_downloads_csv(open_dashboard, seeded_server):
    ARTIFACTS.mkdir(exist_ok=True)
    context, page = open_dashboard(seeded_server, "stats",
                                   viewport={"width": 1366, "height": 900})
    expected = api_stats(seeded_server, "group=day")

    points = page.evaluate(CHART_POINTS)
    assert points["trend"] >= 3 * 28           # three categories over (nearly) every day
    assert points["regions"] >= 3 * 6 and points["mix"] == 6
    for canvas in ("chart-trend", "chart-regions", "chart-mix"):
        assert page.evaluate(PAINTED_PIXELS, canvas) > 2000, f"{canvas} is blank"
    answered = page.locator("[data-total=answered]").inner_text()
    assert answered.replace(",", "") == str(expected["totals"]["answered"])
    assert page.locator("#region-table tbody tr").count() >= 6
    assert page.locator("#download-receipts-csv").count() == 0      # stats scope: aggregates only
    page.screenshot(path=ARTIFACTS / "admin-dashboard.png", full_page=True)

    with page.expect_download() as download:
        page.locator("#download-stats-csv").click()
    assert download.value.suggested_filename == (
        f"consent-stats-{expected['from']}-to-{expected['to']}-by-day.csv")
    rows = list(csv.DictReader(io.StringIO(open(download.value.path(), encoding="utf-8").read())))
    assert [r["day"] for r in rows] == [r["day"] for r in expected["rows"]]
    assert sum(int(r["answered"]) for r in rows) == expected["totals"]["answered"]

    page.locator("#download-group").select_option("region")
    with page.expect_download() as download:
        page.locator("#download-stats-csv").click()
    regions = {r["region"] for r in csv.DictReader(open(download.value.path(), encoding="utf-8"))}
    assert {"eea", "uk", "us-opt-out", "rest-of-world"} <= regions

    logged = len(access_log(seeded_server))
    page.get_by_role("button", name="7 days").click()      # the click starts a load at once
    page.wait_for_selector("html[data-state=ready]", state="attached")
    # a refresh is one request and one access-log entry, not one per chart
    [entry, *_] = access_log(seeded_server)
    assert len(access_log(seeded_server)) == logged + 1
    assert entry["params"]["group"] == "overview" and entry["via"] == "admin"
    assert page.evaluate("() => window.ConsentAdmin.charts.trend.data.labels.length") == 7
    page.locator("select[name=region]").select_option("eea")
    page.get_by_role("button", name="Show").click()
    page.wait_for_selector("html[data-state=ready]", state="attached")
    assert page.evaluate("() => window.ConsentAdmin.charts.regions.data.labels") == ["eea"]

    assert page.evaluate("() => window.__cspViolations") == []
    assert accessibility_violations(page) == []
    page.get_by_role("button", name="Sign out").click()
    assert accessibility_violations(page) == []          # the sign-in form
    assert page.get_by_label("Token").is_visible()
    assert context.request.get(f"{seeded_server.url}/api/v1/stats").status == 401


def test_privacy_officer_downloads_receipts_and_sees_the_access_log(open_dashboard, seeded_server):
    context, page = open_dashboard(seeded_server, "audit")
    with page.expect_download() as download:
        page.locator("#download-receipts-csv").click()
    text = open(download.value.path(), encoding="utf-8").read()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows and rows[0]["receipt_id"] and rows[0]["hash"]
    assert {r["method"] for r in rows} >= {"accept_all", "reject_all", "custom", "gpc", "notice"}
    page.reload()
    page.wait_for_selector("html[data-state=ready]", state="attached")
    log = page.locator("#access-log tbody").inner_text()
    assert "receipts (csv)" in log and f"{len(rows):,}" in log
    assert page.evaluate("() => window.__cspViolations") == []

    # The receipt download follows the region chosen for the figures.
    page.locator("select[name=region]").select_option("uk")
    page.get_by_role("button", name="Show").click()
    page.wait_for_selector("html[data-state=ready]", state="attached")
    with page.expect_download() as download:
        page.locator("#download-receipts-csv").click()
    uk = list(csv.DictReader(open(download.value.path(), encoding="utf-8")))
    assert uk and {r["region"] for r in uk} == {"uk"} and len(uk) < len(rows)


def test_the_dashboard_fits_a_phone_in_dark_mode(open_dashboard, seeded_server):
    ARTIFACTS.mkdir(exist_ok=True)
    context, page = open_dashboard(seeded_server, "stats",
                                   viewport={"width": 390, "height": 844}, is_mobile=True,
                                   has_touch=True, device_scale_factor=2, color_scheme="dark")
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], "the page scrolls sideways on a phone"
    assert accessibility_violations(page) == []
    assert page.evaluate(PAINTED_PIXELS, "chart-trend") > 2000
    page.screenshot(path=ARTIFACTS / "admin-dashboard-phone.png", full_page=True)


def test_a_wrong_token_shows_an_error_and_no_dashboard(page, seeded_server):
    page.goto(f"{seeded_server.url}/admin")
    page.get_by_label("Token").fill("not-the-right-token-at-all")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("alert").inner_text().startswith("That token is not valid")
    assert page.locator("#dashboard").count() == 0
