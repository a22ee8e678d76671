"""`flask consent export | stats | seed | access-log | demo-tokens`."""

import csv
import io
import json
import random
from collections import Counter
from datetime import datetime, timezone

import pytest

from consent import create_app
from consent.ledger.seed import Seeder
from consent.storage import sealing
from consent.web.context import get_book

from .conftest import TOKENS
from .engines import sql
from .reporting import record

@pytest.fixture
def database(any_database):
    """Every test here runs on SQLite and on PostgreSQL."""
    return any_database



@pytest.fixture
def demo_app(settings_for):
    return create_app(settings_for(CONSENT_MODE="demo"), environ={})


def test_export_writes_csv_to_a_file_and_logs_it_as_cli(app, runner, tmp_path):
    store = app.extensions["consent.store"]
    stored = [record(store, "2026-03-01", hour) for hour in (8, 9, 10)]
    out = tmp_path / "audit.csv"
    result = runner.invoke(args=["consent", "export", "--from", "2026-03-01", "--to", "2026-03-01",
                                 "--format", "csv", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Wrote 3 receipts" in result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert [r["receipt_id"] for r in rows] == [r["receipt_id"] for r in stored]
    assert not list(tmp_path.glob(".*.partial"))
    [entry] = store.access_log()
    assert (entry["who"], entry["via"], entry["rows"]) == ("cli", "cli", 3)


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_export_as_json_and_json_lines(app, runner, tmp_path, fmt):
    store = app.extensions["consent.store"]
    stored = [record(store, "2026-03-01", hour) for hour in (8, 9)]
    out = tmp_path / f"audit.{fmt}"
    result = runner.invoke(args=["consent", "export", "--from", "2026-03-01", "--to", "2026-03-02",
                                 "--format", fmt, "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text()
    exported = json.loads(text) if fmt == "json" else [json.loads(l) for l in text.splitlines()]
    assert [r["hash"] for r in exported] == [r["hash"] for r in stored]


def test_export_of_an_empty_range_is_valid_json(runner, tmp_path):
    out = tmp_path / "empty.json"
    result = runner.invoke(args=["consent", "export", "--from", "2020-01-01", "--to", "2020-01-02",
                                 "--format", "json", "--out", str(out)])
    assert result.exit_code == 0 and json.loads(out.read_text()) == []


def test_export_shows_a_progress_bar(app, runner, tmp_path):
    store = app.extensions["consent.store"]
    for hour in range(3):
        record(store, "2026-03-01", hour)
    result = runner.invoke(args=["consent", "export", "--from", "2026-03-01", "--to", "2026-03-01",
                                 "--out", str(tmp_path / "x.csv")])
    assert "Exporting 3 receipts" in result.output


@pytest.mark.parametrize("args, message", [
    (["--from", "2026-03-05", "--to", "2026-03-01"], "--from: from is after to."),
    (["--from", "March"], "--from: Not a valid date."),
])
def test_export_refuses_a_bad_range(runner, tmp_path, args, message):
    result = runner.invoke(args=["consent", "export", *args, "--out", str(tmp_path / "x.csv")])
    assert result.exit_code == 2 and message in result.output
    assert not (tmp_path / "x.csv").exists()


def test_stats_prints_csv_and_json(app, runner):
    store = app.extensions["consent.store"]
    record(store, "2026-03-01", region="uk")
    record(store, "2026-03-01", region="eea", method="reject_all")
    result = runner.invoke(args=["consent", "stats", "--from", "2026-03-01", "--to", "2026-03-01",
                                 "--group", "region"])
    rows = {r["region"]: r for r in csv.DictReader(io.StringIO(result.output))}
    assert rows["uk"]["accept_all"] == "1" and rows["eea"]["reject_all"] == "1"
    result = runner.invoke(args=["consent", "stats", "--from", "2026-03-01", "--to", "2026-03-01",
                                 "--format", "json", "--region", "uk"])
    assert json.loads(result.output)["totals"]["answered"] == 1
    assert [e["action"] for e in store.access_log()] == ["stats", "stats"]


def test_stats_refuses_a_range_over_a_year(runner):
    result = runner.invoke(args=["consent", "stats", "--from", "2024-01-01", "--to", "2026-01-01"])
    assert result.exit_code == 2 and "at most 366 days" in result.output


def test_seed_refuses_production(runner, app):
    result = runner.invoke(args=["consent", "seed", "--visitors", "10"])
    assert result.exit_code == 2 and "demo mode only" in result.output
    assert app.extensions["consent.store"].count_receipts() == 0


def test_seed_fills_the_range_and_if_empty_keeps_it(demo_app):
    runner = demo_app.test_cli_runner()
    result = runner.invoke(args=["consent", "seed", "--days", "10", "--visitors", "500",
                                 "--random-seed", "3"])
    assert result.exit_code == 0, result.output
    store = demo_app.extensions["consent.store"]
    count = store.count_receipts()
    assert 500 <= count <= 600
    days = {r["day"] for r in sql(store, "SELECT substr(recorded_at, 1, 10) AS day FROM receipts")}
    assert len(days) == 10
    again = runner.invoke(args=["consent", "seed", "--visitors", "500", "--if-empty"])
    assert "not seeding" in again.output and store.count_receipts() == count


def test_seeded_receipts_look_like_real_ones(demo_app):
    """Regions, languages and methods as the policies say; changed minds; a verifiable chain."""
    now = datetime(2026, 3, 31, 18, 0, tzinfo=timezone.utc)
    with demo_app.app_context():
        book = get_book()
        seeder = Seeder(book, 30, 4000, random.Random(5), now=now)
        store = demo_app.extensions["consent.store"]
        for day in seeder.days:
            store.record_receipts(seeder.receipts_on(day))
    rows = sql(store, "SELECT * FROM receipts ORDER BY seq")
    methods = Counter((r["model"], r["method"]) for r in rows)
    assert {r["region"] for r in rows} >= {"eea", "uk", "ch", "us-opt-out", "br", "ca-qc",
                                           "rest-of-world", "unknown"}
    assert {r["site"] for r in rows} == {"www.selenegleam.com", "www.selenegleam.de",
                                         "www.selenegleam.co.uk"}
    assert len({r["lang"] for r in rows}) >= 5
    assert methods[("opt-out", "gpc")] > 0 and methods[("notice", "notice")] > 0
    assert methods[("opt-in", "accept_all")] > methods[("opt-in", "custom")] > 0
    assert not methods[("opt-in", "gpc")] and not methods[("opt-in", "notice")]
    assert all(r["gpc"] for r in rows if r["method"] == "gpc")
    per_day = Counter((r["consent_id"], r["recorded_at"][:10]) for r in rows)
    assert any(n > 1 for n in per_day.values()), "nobody changed their mind the same day"
    assert sum(r["method"] == "withdraw" for r in rows) > 0
    assert all(r["recorded_at"] <= "2026-03-31T18" for r in rows)
    assert [r["recorded_at"] for r in rows] == sorted(r["recorded_at"] for r in rows)
    assert {r["ip_prefix"].split(".")[0] for r in rows if "." in r["ip_prefix"]} <= {"192", "198", "203"}
    prev = sealing.GENESIS
    for row in rows:       # sealed and chained exactly like live receipts
        assert row["prev_hash"] == prev
        decoded = {**row, "choices": json.loads(row["choices"]), "gpc": bool(row["gpc"])}
        assert row["payload_hash"] == sealing.payload_hash(decoded)
        prev = row["hash"]
    assert all(r["config_hash"] in book.snapshots for r in rows)


def test_seeded_visitors_follow_the_calendar():
    from consent.ledger.seed import _spread

    assert _spread(10, [1, 1, 1]) in ([4, 3, 3], [3, 4, 3], [3, 3, 4])
    assert sum(_spread(1_000_003, [1.0] * 5 + [1.3] * 2)) == 1_000_003


def test_access_log_command(app, runner):
    app.extensions["consent.store"].log_access("cli", "cli", "cli", "receipts",
                                               {"from": "2026-03-01", "to": "2026-03-02",
                                                "format": "csv"})
    result = runner.invoke(args=["consent", "access-log"])
    assert "receipts" in result.output and "2026-03-01..2026-03-02" in result.output
    assert "broken off" in result.output


def test_demo_tokens_only_in_demo_mode(runner, demo_app):
    assert runner.invoke(args=["consent", "demo-tokens"]).exit_code == 2
    output = demo_app.test_cli_runner().invoke(args=["consent", "demo-tokens"]).output
    assert f"stats: {TOKENS['stats']}" in output and f"audit: {TOKENS['audit']}" in output

