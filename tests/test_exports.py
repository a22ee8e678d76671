"""GET /api/v1/receipts: streamed JSON Lines and CSV, erased rows, the access log, CSV injection."""

import csv
import io
import json

import pytest

from consent.reports.spreadsheet import safe_cell
from consent.storage import columns
from consent.storage.sqlite.store import SqliteStore as Store

from .reporting import SNAPSHOT, at, bearer, receipt_draft, record, today
from .test_error_shape import assert_error_shape

RANGE = "from=2026-03-01&to=2026-03-02"


def jsonl(response) -> list[dict]:
    return [json.loads(line) for line in response.get_data(as_text=True).splitlines()]


def csv_rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


@pytest.fixture
def store(app) -> Store:
    return app.extensions["consent.store"]


def test_jsonl_holds_every_receipt_of_the_range_in_time_order(client, store):
    record(store, "2026-02-28", 23)                       # the day before: left out
    kept = [record(store, "2026-03-01", 0), record(store, "2026-03-02", 23, method="reject_all")]
    record(store, "2026-03-03", 0)                        # the day after: left out
    response = client.get(f"/api/v1/receipts?{RANGE}", headers=bearer("audit"))
    assert response.status_code == 200 and response.mimetype == "application/x-ndjson"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="consent-receipts-2026-03-01-to-2026-03-02.jsonl"')
    lines = jsonl(response)
    assert [line["receipt_id"] for line in lines] == [r["receipt_id"] for r in kept]
    assert lines[1]["choices"] == {"analytics": False, "marketing": False, "personalization": False}
    assert lines[1]["prev_hash"] == kept[0]["hash"] and lines[1]["erased"] is False


def test_csv_has_the_documented_columns_and_flat_choices(client, store):
    stored = record(store, "2026-03-01", method="custom",
                    choices={"analytics": True, "personalization": False, "marketing": True})
    response = client.get(f"/api/v1/receipts?{RANGE}&format=csv", headers=bearer("audit"))
    assert response.mimetype == "text/csv"
    [row] = csv_rows(response)
    # The documented columns: chain, erasure, payload, one per category of data/categories.json.
    assert tuple(row) == (
        "seq", "receipt_id", "recorded_at", "erased", "erased_at", "consent_id", "site", "region",
        "country", "subdivision", "model", "revision", "config_hash", "method", "gpc", "lang",
        "page", "ip_prefix", "user_agent", "analytics", "personalization", "marketing",
        "other_choices", "payload_hash", "prev_hash", "hash")
    assert row["other_choices"] == ""
    assert (row["analytics"], row["personalization"], row["marketing"]) == ("true", "false", "true")
    assert row["recorded_at"] == stored["recorded_at"] and row["hash"] == stored["hash"]
    assert row["ip_prefix"] == "192.0.2.0/24"


def erase(store, seq: int) -> None:
    """What the visitor-erasure feature does to a row: payload gone, chain and time kept."""
    present = {c[1] for c in store.db.execute("PRAGMA table_info(receipts)").fetchall()}
    if "erased_at" not in present:
        store.db.execute("ALTER TABLE receipts ADD COLUMN erased_at TEXT")
    payload = ", ".join(f"{name} = NULL" for name in columns.PAYLOAD_FIELDS)
    store.db.execute(f"UPDATE receipts SET {payload}, erased_at = '2026-03-05T00:00:00Z'"
                     " WHERE seq = ?", [seq])
    store.db.conn.commit()


def test_erased_receipts_are_exported_as_erased(client, store):
    record(store, "2026-03-01", 9)
    survivor = record(store, "2026-03-01", 10)
    erase(store, 1)
    lines = jsonl(client.get(f"/api/v1/receipts?{RANGE}", headers=bearer("audit")))
    assert lines[0]["erased"] is True and lines[0]["erased_at"] == "2026-03-05T00:00:00Z"
    assert lines[0]["consent_id"] is None and lines[0]["choices"] is None
    assert lines[0]["hash"] and lines[1]["prev_hash"] == lines[0]["hash"]
    assert lines[1]["consent_id"] == survivor["consent_id"] and lines[1]["erased"] is False
    rows = csv_rows(client.get(f"/api/v1/receipts?{RANGE}&format=csv", headers=bearer("audit")))
    assert rows[0]["erased"] == "true" and rows[0]["site"] == "" and rows[0]["analytics"] == ""
    assert rows[1]["erased"] == "false"


def test_keyset_pages_lose_no_receipt_when_many_share_a_timestamp(store):
    moment = at("2026-03-01", 12)
    store.record_receipts([(receipt_draft(), SNAPSHOT, moment) for _ in range(7)])
    store.record_receipt(receipt_draft(), SNAPSHOT, now=at("2026-03-01", 13))
    from datetime import date
    seqs = [r["seq"] for r in store.receipts_between(date(2026, 3, 1), date(2026, 3, 1),
                                                      page_size=3)]
    assert seqs == list(range(1, 9))


def test_each_export_is_logged_with_who_what_when_and_rows(client, store):
    for hour in (9, 10, 11):
        record(store, "2026-03-01", hour)
    client.get(f"/api/v1/receipts?{RANGE}&format=csv", headers=bearer("audit"))
    client.get(f"/api/v1/stats?{RANGE}&group=region", headers=bearer("stats"))
    stats, export = store.access_log()
    assert export["action"] == "receipts" and export["rows"] == 3 and export["finished_at"]
    assert export["params"] == {"from": "2026-03-01", "to": "2026-03-02", "format": "csv"}
    assert export["scope"] == "audit" and export["via"] == "api"
    assert stats["action"] == "stats" and stats["rows"] == 1
    assert stats["params"]["group"] == "region" and stats["scope"] == "stats"
    assert stats["who"] != export["who"]
    assert export["at"].endswith("Z")
    log = client.get("/api/v1/access-log", headers=bearer("audit")).get_json()["entries"]
    assert [e["action"] for e in log] == ["stats", "receipts"]


def test_a_broken_off_export_stays_logged_as_unfinished(client, store):
    store.record_receipts([(receipt_draft(), SNAPSHOT, at("2026-03-01", 12)) for _ in range(600)])
    response = client.get(f"/api/v1/receipts?{RANGE}", headers=bearer("audit"), buffered=False)
    [entry] = store.access_log()               # on file before the export ends
    assert entry["finished_at"] is None and entry["rows"] is None
    response.close()                           # the client hangs up after the first chunk
    [entry] = store.access_log()
    assert entry["finished_at"] is None and 0 < entry["rows"] < 600


@pytest.mark.parametrize("query, field", [
    ("format=csvx", "format"), ("from=2026-03-05&to=2026-03-01", "from"),
    ("from=2026-13-01", "from"), ("limit=5", "limit"),
])
def test_bad_export_queries_are_422(client, query, field):
    error = assert_error_shape(client.get(f"/api/v1/receipts?{query}", headers=bearer("audit")), 422)
    assert field in error["fields"]


@pytest.mark.parametrize("evil", ["=HYPERLINK(\"http://evil.example\",\"x\")", "+1+1", "-2+3",
                                  "@SUM(A1)", "\t=1", "\r=1"])
def test_safe_cell_neutralises_formulas(evil):
    assert safe_cell(evil) == "'" + evil


def test_safe_cell_leaves_plain_text_and_our_numbers_alone():
    assert safe_cell("shop.example") == "shop.example"
    assert safe_cell(-3) == -3 and safe_cell(0.25) == 0.25
    assert safe_cell(None) == "" and safe_cell(True) == "true"


def test_csv_injection_in_receipts_is_neutralised(client, store):
    record(store, "2026-03-01", 9, site="=cmd|' /C calc'!A0", page="+1+2")
    record(store, "2026-03-01", 10, site="@SUM(1)", page="-5+5")
    text = client.get(f"/api/v1/receipts?{RANGE}&format=csv",
                      headers=bearer("audit")).get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(r["site"], r["page"]) for r in rows] == [
        ("'=cmd|' /C calc'!A0", "'+1+2"), ("'@SUM(1)", "'-5+5")]
    assert all(not line.startswith(("=", "+", "-", "@")) for line in text.splitlines())


def test_csv_injection_in_stats_is_neutralised(client, store):
    """Sites are only configured ones now (tests/test_sites.py), but a stored value is still
    never trusted to be a safe cell: one written by an earlier version or by hand."""
    assert client.post("/api/v1/consents", json={
        "revision": 1, "method": "accept_all", "page": "https://=1+2/x",
        "choices": {"analytics": True, "personalization": True, "marketing": True}}
    ).status_code == 422
    record(store, today(), site="=1+2")
    text = client.get("/api/v1/stats?group=site&format=csv",
                      headers=bearer("stats")).get_data(as_text=True)
    [row] = list(csv.DictReader(io.StringIO(text)))
    assert row["site"] == "'=1+2"
