"""Benchmark: seeding, stats from the roll-ups, and the streamed export, on a real SQLite file.

    .venv/bin/python bench/stats_bench.py [visitors]      (default 940000: about 1M receipts)

Prints ratios measured side by side in one run, never absolute promises:
- bulk seeding (a day per transaction) against one receipt per transaction;
- a 90-day stats query from the roll-ups against the same figures counted
  from the receipts themselves (what the roll-ups save);
- the export's Python memory peak over 90 days against 10 days (flat = ~1x).
"""

from __future__ import annotations

import random
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.timing import median_ms, peak, timed  # noqa: E402
from consent import create_app  # noqa: E402
from consent.ledger.seed import Seeder  # noqa: E402
from consent.reports import exports  # noqa: E402
from consent.reports.stats import consent_stats  # noqa: E402
from consent.reports.trail import CLI  # noqa: E402
from consent.web.context import get_book  # noqa: E402

DAYS = 90
# The same answers as daily_answers holds, counted from scratch: each visitor's latest
# receipt per day. Only here, to show what the roll-ups save.
FROM_RECEIPTS = """
    SELECT day, method, count(*) FROM (
        SELECT substr(recorded_at, 1, 10) AS day, method, row_number() OVER (
            PARTITION BY consent_id, substr(recorded_at, 1, 10) ORDER BY seq DESC) AS latest
        FROM receipts WHERE recorded_at >= ? AND recorded_at < ?)
    WHERE latest = 1 GROUP BY day, method"""


def measure(visitors: int, with_export: bool = True) -> dict:
    """Seed about 1.06 x ``visitors`` receipts, then time stats (and the export) over them."""
    result: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"CONSENT_MODE": "demo", "CONSENT_DATABASE": f"{tmp}/bench.db"},
                         environ={})
        with app.app_context():
            store = app.extensions["consent.store"]
            seeder = Seeder(get_book(), DAYS, visitors, random.Random(1))

            def seed():
                return sum(store.record_receipts(seeder.receipts_on(day)) for day in seeder.days)

            stored, seed_s = timed(seed)
            sample = Seeder(get_book(), 1, 400, random.Random(2)).receipts_on(seeder.days[-1])
            _, single_s = timed(lambda: [store.record_receipt(d, s, now) for d, s, now in sample])
            result.update(receipts=stored, visitors=visitors, seed_s=seed_s,
                          bulk_rate=stored / seed_s, single_rate=len(sample) / single_s)

            end = seeder.days[-1]
            categories = get_book().catalog.optional_categories
            start = end - timedelta(days=DAYS - 1)
            result["rollup_rows"] = store.db.execute(
                "SELECT count(*) FROM daily_answers").fetchone()[0]
            result["stats_ms"] = {group: median_ms(lambda g=group: consent_stats(
                store, categories, start, end, g)) for group in ("day", "region", "site", "revision")}
            client = app.test_client()
            token = app.extensions["consent.settings"].tokens["stats"][0]
            query = f"/api/v1/stats?from={start}&to={end}&group=day"
            result["stats_http_ms"] = median_ms(lambda: client.get(
                query, headers={"Authorization": f"Bearer {token}"}).status_code)
            bounds = (start.isoformat(), (end + timedelta(days=1)).isoformat())
            result["from_receipts_ms"] = median_ms(
                lambda: store.db.execute(FROM_RECEIPTS, bounds).fetchall(), 3)
            if with_export:
                def export(first):
                    for _ in exports.receipt_export(store, CLI, first, end, "csv", categories):
                        pass

                result["export_s"] = timed(lambda: export(start))[1]
                result["export_peak"] = peak(lambda: export(start))
                result["export_peak_10d"] = peak(lambda: export(end - timedelta(days=9)))
    return result


def main(visitors: int) -> None:
    r = measure(visitors)
    print(f"seeding: {r['receipts']:,} receipts from {visitors:,} visitors over {DAYS} days in "
          f"{r['seed_s']:.0f} s ({r['bulk_rate']:,.0f}/s, a day per transaction); one receipt per "
          f"transaction {r['single_rate']:,.0f}/s; bulk/single = "
          f"{r['bulk_rate'] / r['single_rate']:.0f}x")
    print(f"stats over {DAYS} days ({r['receipts']:,} receipts, {r['rollup_rows']:,} roll-up "
          f"rows), median ms: " + ", ".join(f"{g} {ms:.1f}" for g, ms in r["stats_ms"].items())
          + f"; over HTTP (group=day) {r['stats_http_ms']:.1f}")
    print(f"  answers counted from the receipts instead: {r['from_receipts_ms']:.0f} ms; "
          f"receipts/roll-ups = {r['from_receipts_ms'] / r['stats_ms']['day']:.0f}x")
    print(f"export: {r['receipts']:,} receipts as CSV in {r['export_s']:.1f} s "
          f"({r['receipts'] / r['export_s']:,.0f}/s); memory peak {r['export_peak'] / 2**20:.1f} "
          f"MiB for {DAYS} days, {r['export_peak_10d'] / 2**20:.1f} MiB for 10 days; ratio "
          f"{r['export_peak'] / r['export_peak_10d']:.2f}x")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 940_000)
