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
import statistics
import sys
import tempfile
import time
import tracemalloc
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from consent import create_app, exports  # noqa: E402
from consent.policies import get_book  # noqa: E402
from consent.seed import Seeder  # noqa: E402
from consent.stats import consent_stats  # noqa: E402

DAYS = 90
# The same answers as daily_answers holds, counted from scratch: each visitor's latest
# receipt per day. Only here, to show what the roll-ups save.
FROM_RECEIPTS = """
    SELECT day, method, count(*) FROM (
        SELECT substr(recorded_at, 1, 10) AS day, method, row_number() OVER (
            PARTITION BY consent_id, substr(recorded_at, 1, 10) ORDER BY seq DESC) AS latest
        FROM receipts WHERE recorded_at >= ? AND recorded_at < ?)
    WHERE latest = 1 GROUP BY day, method"""


def timed(fn):
    began = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - began


def median_ms(fn, runs: int = 15) -> float:
    return statistics.median(timed(fn)[1] for _ in range(runs)) * 1000


def peak(fn) -> int:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def main(visitors: int) -> None:
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
            bulk_rate, single_rate = stored / seed_s, len(sample) / single_s
            print(f"seeding: {stored:,} receipts from {visitors:,} visitors over {DAYS} days in "
                  f"{seed_s:.0f} s ({bulk_rate:,.0f}/s, a day per transaction); one receipt per "
                  f"transaction {single_rate:,.0f}/s; bulk/single = {bulk_rate / single_rate:.0f}x")

            end = seeder.days[-1]
            start = end - timedelta(days=DAYS - 1)
            rollup_rows = store.db.execute("SELECT count(*) FROM daily_answers").fetchone()[0]
            by_group = {group: median_ms(lambda g=group: consent_stats(store, start, end, g))
                        for group in ("day", "region", "site", "revision")}
            bounds = (start.isoformat(), (end + timedelta(days=1)).isoformat())
            scratch = median_ms(lambda: store.db.execute(FROM_RECEIPTS, bounds).fetchall(), 3)
            print(f"stats over {DAYS} days ({stored:,} receipts, {rollup_rows:,} roll-up rows), "
                  f"median ms: " + ", ".join(f"{g} {ms:.1f}" for g, ms in by_group.items()))
            print(f"  answers counted from the receipts instead: {scratch:.0f} ms; "
                  f"receipts/roll-ups = {scratch / by_group['day']:.0f}x")

            def export(first):
                for _ in exports.receipt_export(store, exports.CLI, first, end, "csv"):
                    pass

            (_, export_s) = timed(lambda: export(start))
            full, tenth = peak(lambda: export(start)), peak(lambda: export(end - timedelta(days=9)))
            print(f"export: {stored:,} receipts as CSV in {export_s:.1f} s "
                  f"({stored / export_s:,.0f}/s); memory peak {full / 2**20:.1f} MiB for {DAYS} "
                  f"days, {tenth / 2**20:.1f} MiB for 10 days; ratio {full / tenth:.2f}x")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 940_000)
