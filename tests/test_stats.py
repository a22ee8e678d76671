"""GET /api/v1/stats: figures per day, region, site and revision, as JSON and CSV."""

import csv
import io
from datetime import date, timedelta

import pytest

from consent.reports.queries import StatsReportSchema

from .engines import sql
from .reporting import NONE, bearer, record, today
from .test_error_shape import assert_error_shape

RANGE = "from=2026-03-01&to=2026-03-03"
ONLY_ANALYTICS = {"analytics": True, "personalization": False, "marketing": False}

@pytest.fixture
def database(any_database):
    """Every test here runs on SQLite and on PostgreSQL."""
    return any_database



@pytest.fixture
def workload(app):
    """Two days of answers whose figures are worked out by hand in the tests below."""
    store = app.extensions["consent.store"]
    v1, v2 = "1" * 32, "2" * 32
    record(store, "2026-03-01", 9, consent_id=v1, method="accept_all")
    record(store, "2026-03-01", 10, consent_id=v2, method="reject_all")
    record(store, "2026-03-01", 11, method="custom", choices=ONLY_ANALYTICS, region="uk",
           site="shop.example.co.uk")
    record(store, "2026-03-01", 12, method="gpc", choices=ONLY_ANALYTICS, region="us-opt-out",
           gpc=True)
    record(store, "2026-03-01", 18, consent_id=v1, method="withdraw", choices=NONE)  # changed mind
    record(store, "2026-03-02", 8, method="notice", region="rest-of-world")
    record(store, "2026-03-02", 9, consent_id=v2, method="accept_all", revision=2)
    return store


def get_stats(client, query, scope="stats"):
    response = client.get(f"/api/v1/stats?{query}", headers=bearer(scope))
    assert response.status_code == 200, response.get_json()
    return response


def test_by_day_counts_each_visitors_latest_answer_and_fills_empty_days(client, workload):
    report = get_stats(client, f"{RANGE}&group=day").get_json()
    assert [row["day"] for row in report["rows"]] == ["2026-03-01", "2026-03-02", "2026-03-03"]
    first, second, empty = report["rows"]
    assert first["answered"] == 4           # visitor 1's withdrawal replaced their acceptance
    assert (first["accept_all"], first["reject_all"], first["custom"], first["gpc"],
            first["withdraw"], first["notice"], first["gpc_signal"]) == (0, 1, 1, 1, 1, 0, 1)
    assert first["granted"] == {"analytics": 2, "personalization": 0, "marketing": 0}
    assert first["opt_in_rate"] == {"analytics": 0.5, "personalization": 0.0, "marketing": 0.0}
    assert (second["answered"], second["accept_all"], second["notice"]) == (2, 1, 1)
    assert second["opt_in_rate"] == {"analytics": 1.0, "personalization": 1.0, "marketing": 1.0}
    assert empty["answered"] == 0
    assert empty["opt_in_rate"] == {"analytics": None, "personalization": None, "marketing": None}
    totals = report["totals"]
    assert totals["answered"] == 6
    assert totals["opt_in_rate"] == {"analytics": 0.6667, "personalization": 0.3333,
                                     "marketing": 0.3333}
    assert (report["from"], report["to"], report["group"]) == ("2026-03-01", "2026-03-03", "day")
    StatsReportSchema().load(report)       # the shape the OpenAPI document promises


def test_by_region(client, workload):
    rows = {row["region"]: row for row in get_stats(client, f"{RANGE}&group=region").get_json()["rows"]}
    assert set(rows) == {"eea", "uk", "us-opt-out", "rest-of-world"}
    assert rows["eea"]["answered"] == 3     # one per visitor and day
    assert rows["eea"]["opt_in_rate"]["marketing"] == 0.3333
    assert rows["uk"]["custom"] == 1 and rows["uk"]["opt_in_rate"]["analytics"] == 1.0
    assert rows["us-opt-out"]["gpc"] == 1 and rows["us-opt-out"]["opt_in_rate"]["marketing"] == 0.0
    assert rows["rest-of-world"]["notice"] == 1


def test_by_site_and_by_revision(client, workload):
    sites = {r["site"]: r["answered"] for r in get_stats(client, f"{RANGE}&group=site").get_json()["rows"]}
    assert sites == {"shop.example": 5, "shop.example.co.uk": 1}
    revisions = {r["revision"]: r["answered"]
                 for r in get_stats(client, f"{RANGE}&group=revision").get_json()["rows"]}
    assert revisions == {1: 5, 2: 1}


@pytest.mark.parametrize("query, answered", [
    ("region=eea", 3), ("site=shop.example.co.uk", 1), ("revision=2", 1),
    ("region=eea&revision=1", 2), ("region=nowhere", 0),
])
def test_filters(client, workload, query, answered):
    report = get_stats(client, f"{RANGE}&{query}").get_json()
    assert report["totals"]["answered"] == answered
    assert len(report["rows"]) == 3          # days stay on the axis


def test_csv_has_a_header_iso_days_and_one_line_per_group(client, workload):
    response = get_stats(client, f"{RANGE}&group=day&format=csv")
    assert response.mimetype == "text/csv"
    assert "charset=utf-8" in response.headers["Content-Type"]
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="consent-stats-2026-03-01-to-2026-03-03-by-day.csv"')
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [r["day"] for r in rows] == ["2026-03-01", "2026-03-02", "2026-03-03"]
    assert rows[0]["answered"] == "4" and rows[0]["withdraw"] == "1"
    assert rows[0]["analytics_granted"] == "2" and rows[0]["analytics_opt_in_rate"] == "0.5"
    assert rows[2]["marketing_opt_in_rate"] == ""     # nobody answered: no rate, not 0 %


@pytest.mark.parametrize("group", ["region", "site", "revision"])
def test_csv_for_every_group(client, workload, group):
    text = get_stats(client, f"{RANGE}&group={group}&format=csv").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows and list(rows[0])[0] == group
    assert sum(int(r["answered"]) for r in rows) == 6


def test_default_range_is_the_last_30_days(client):
    report = get_stats(client, "").get_json()
    assert report["to"] == today()
    assert date.fromisoformat(report["to"]) - date.fromisoformat(report["from"]) == timedelta(days=29)
    assert len(report["rows"]) == 30


def test_a_full_year_is_allowed(client):
    assert get_stats(client, "from=2025-03-01&to=2026-03-01").get_json()["rows"][-1]["day"] == "2026-03-01"


@pytest.mark.parametrize("query, field", [
    ("from=2026-02-30", "from"),
    ("from=01/03/2026", "from"),
    ("to=yesterday", "to"),
    ("from=2026-03-05&to=2026-03-01", "from"),          # reversed
    ("from=2025-01-01&to=2026-03-01", "to"),            # longer than 366 days
    ("group=week", "group"),
    ("format=xml", "format"),
    ("country=DE", "country"),                          # not a filter we have
    ("regoin=eea", "regoin"),                           # a typo must not mean "unfiltered"
    ("region=EEA;DROP", "region"),
    ("revision=0", "revision"),
    ("revision=abc", "revision"),
])
def test_bad_queries_are_422_naming_the_field(client, query, field):
    response = client.get(f"/api/v1/stats?{query}", headers=bearer("stats"))
    error = assert_error_shape(response, 422)
    assert field in error["fields"], error


def test_stats_never_read_receipts(client, workload):
    """Roll-ups are the source: emptying receipts (not roll-ups) leaves the figures unchanged."""
    before = get_stats(client, RANGE).get_json()
    sql(workload, "DELETE FROM receipts")
    assert get_stats(client, RANGE).get_json() == before


def test_the_overview_is_one_request_and_one_access_log_entry(app, client, workload):
    store = app.extensions["consent.store"]
    before = len(store.access_log())
    response = client.get("/api/v1/stats/overview?from=2026-03-01&to=2026-03-03&region=eea"
                          "&site=shop.example", headers=bearer("stats"))
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    overview = response.get_json()
    assert overview["filters"] == {"region": "eea", "site": "shop.example"}
    # the sites come without the site filter (a dashboard offers each while one is chosen)
    assert [row["site"] for row in overview["site"]["rows"]] == ["shop.example"]
    assert overview["region"]["filters"] == {"region": "eea", "site": "shop.example"}
    after_overview = len(store.access_log())
    assert after_overview == before + 1
    for group in ("day", "region", "site"):
        site = "" if group == "site" else "&site=shop.example"
        alone = get_stats(client, f"from=2026-03-01&to=2026-03-03&group={group}&region=eea"
                                  f"{site}").get_json()
        assert overview[group]["rows"] == alone["rows"], group
    entry = store.access_log()[3]                        # latest first: the three, then it
    assert entry["params"]["group"] == "overview" and entry["params"]["filters"] == {
        "region": "eea", "site": "shop.example"}
    assert entry["rows"] == sum(len(overview[g]["rows"]) for g in ("day", "region", "site"))


def test_the_overview_checks_its_query_like_stats(client):
    error = assert_error_shape(client.get("/api/v1/stats/overview?group=day",
                                          headers=bearer("stats")), 422)
    assert "group" in error["fields"]
    assert client.get("/api/v1/stats/overview").status_code == 401
