"""Receipt exports filtered by region and site (API, CLI, dashboard links), on both engines."""

from __future__ import annotations

import csv
import io
import json

import pytest

from .reporting import bearer, receipt_draft, record
from .test_error_shape import assert_error_shape

RANGE = "from=2026-03-01&to=2026-03-02"


@pytest.fixture
def database(any_database):
    return any_database


@pytest.fixture
def store(app):
    store = app.extensions["consent.store"]
    record(store, "2026-03-01", 9, region="eea", site="shop.example")
    record(store, "2026-03-01", 10, region="uk", site="shop.example")
    record(store, "2026-03-01", 11, region="eea", site="other.example")
    record(store, "2026-03-02", 12, region="eea", site="shop.example", method="reject_all")
    return store


def exported(client, query: str) -> list[dict]:
    response = client.get(f"/api/v1/receipts?{RANGE}&{query}", headers=bearer("audit"))
    assert response.status_code == 200, response.get_data(as_text=True)
    return [json.loads(line) for line in response.get_data(as_text=True).splitlines()]


@pytest.mark.parametrize("query, expected", [
    ("region=eea", [("eea", "shop.example"), ("eea", "other.example"), ("eea", "shop.example")]),
    ("site=shop.example", [("eea", "shop.example"), ("uk", "shop.example"),
                           ("eea", "shop.example")]),
    ("region=eea&site=shop.example", [("eea", "shop.example"), ("eea", "shop.example")]),
    ("region=ch", []),
])
def test_exports_keep_only_the_region_and_site_asked_for(client, store, query, expected):
    assert [(r["region"], r["site"]) for r in exported(client, query)] == expected


def test_the_filter_is_on_the_access_log_and_the_csv(client, store):
    text = client.get(f"/api/v1/receipts?{RANGE}&format=csv&region=uk",
                      headers=bearer("audit")).get_data(as_text=True)
    assert [row["region"] for row in csv.DictReader(io.StringIO(text))] == ["uk"]
    entry = store.access_log()[0]
    assert entry["params"] == {"from": "2026-03-01", "to": "2026-03-02", "format": "csv",
                               "region": "uk"} and entry["rows"] == 1


def test_a_filtered_export_leaves_erased_receipts_out(client, store):
    consent_id = receipt_draft()["consent_id"]
    record(store, "2026-03-01", 13, consent_id=consent_id, region="eea")
    assert client.delete(f"/api/v1/consents/{consent_id}",
                         headers={"Origin": "https://shop.example"}).status_code == 200
    assert len(exported(client, "region=eea")) == 3
    everything = exported(client, "format=jsonl")
    assert len(everything) == 5 and sum(r["erased"] for r in everything) == 1


@pytest.mark.parametrize("query, field", [("region=EEA", "region"), ("site=a%20b", "site"),
                                          ("revision=1", "revision")])
def test_bad_filters_are_422(client, query, field):
    error = assert_error_shape(client.get(f"/api/v1/receipts?{RANGE}&{query}",
                                          headers=bearer("audit")), 422)
    assert field in error["fields"]


def test_the_cli_exports_one_region(runner, store, tmp_path):
    out = tmp_path / "eea.csv"
    result = runner.invoke(args=["consent", "export", "--from", "2026-03-01", "--to",
                                 "2026-03-02", "--region", "eea", "--site", "shop.example",
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(open(out, encoding="utf-8")))
    assert [(r["region"], r["site"], r["method"]) for r in rows] == [
        ("eea", "shop.example", "accept_all"), ("eea", "shop.example", "reject_all")]
    assert "Wrote 2 receipts" in result.output
