"""Benchmark: the chain walk and the retention purge on a real SQLite file.

    .venv/bin/python bench/chain_bench.py [receipts]      (default 100000)

Prints ratios measured side by side in one run, never absolute promises:
- the chain walk against a bare scan of the same rows (the price of hashing);
- its Python memory peak on the full chain against a tenth of it (flat = ~1x);
- the purge's longest write-lock hold per batch against one receipt's write
  (how long a visitor's POST may wait behind a running purge).
"""

from __future__ import annotations

import contextlib
import sqlite3
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.timing import peak, timed  # noqa: E402
from consent.ledger import chain, erasure, receipts  # noqa: E402
from consent.ledger.keys import KeyRing  # noqa: E402
from consent.storage import columns, sealing  # noqa: E402
from consent.storage.sqlite.store import SqliteStore as Store  # noqa: E402

KEY = KeyRing("bench-secret-key-0123456789abcdef0123")
COLUMNS = columns.RECEIPT_FIELDS
SNAPSHOT = {"region": "eea", "lang": "en", "revision": 1, "texts": {}}


def draft(n: int) -> dict:
    return {"receipt_id": receipts.new_consent_id(), "consent_id": receipts.new_consent_id(),
            "site": "shop.example", "region": "eea", "country": "DE", "subdivision": "DE-BE",
            "model": "opt-in", "revision": 1, "config_hash": "c" * 64, "method": "custom",
            "choices": {"analytics": bool(n % 2), "personalization": False, "marketing": True},
            "gpc": False, "lang": "de", "page": "https://shop.example/rings",
            "ip_prefix": "85.214.0.0/24", "user_agent": "Firefox/Linux"}


def build(path: Path, count: int, start: datetime) -> None:
    store = Store(path)
    store.migrate()
    store.close()
    prev, rows = sealing.GENESIS, []
    for n in range(count):
        sealed = sealing.seal(draft(n), prev, start + timedelta(seconds=n))
        encoded = {"choices": sealing.choices_json(sealed["choices"]), "gpc": 0}
        rows.append(tuple(encoded.get(c, sealed.get(c)) for c in COLUMNS))
        prev = sealed["hash"]
    db = sqlite3.connect(path)
    with db:
        db.executemany(f"INSERT INTO receipts ({', '.join(COLUMNS)})"
                       f" VALUES ({', '.join('?' * len(COLUMNS))})", rows)
    db.close()


def main(count: int) -> None:
    start = datetime(2024, 1, 1, tzinfo=timezone.utc)
    with tempfile.TemporaryDirectory() as tmp:
        full, tenth = Path(tmp) / "full.db", Path(tmp) / "tenth.db"
        build(full, count, start)
        build(tenth, count // 10, start)
        store = Store(full)

        def scan():
            with store.chain() as rows:
                return sum(1 for _ in rows)

        scan()      # warm the page cache for both
        scanned, scan_s = timed(scan)
        report, verify_s = timed(lambda: chain.verify(store, KEY))
        assert report.ok and report.receipts == scanned == count
        print(f"chain walk, {count} receipts: {verify_s:.2f} s ({count / verify_s:,.0f}/s); "
              f"bare scan {scan_s:.2f} s; walk/scan = {verify_s / scan_s:.1f}x")

        small = Store(tenth)
        full_peak = peak(lambda: chain.verify(store, KEY))
        tenth_peak = peak(lambda: chain.verify(small, KEY))
        print(f"memory peak: {count} receipts {full_peak / 1024:.0f} KiB, {count // 10} receipts "
              f"{tenth_peak / 1024:.0f} KiB; ratio {full_peak / tenth_peak:.2f}x for 10x the rows")

        one = []
        for n in range(50):
            one.append(timed(lambda: store.record_receipt(draft(n), SNAPSHOT))[1])
        holds = []
        writing = store._writing

        @contextlib.contextmanager
        def timed_writing():
            # from BEGIN IMMEDIATE to COMMIT: how long a receipt may wait behind a batch
            began = time.perf_counter()
            with writing() as conn:
                yield conn
            holds.append(time.perf_counter() - began)

        store._writing = timed_writing
        cutoff = start + timedelta(seconds=count // 2)
        result, purge_s = timed(lambda: erasure.purge(store, KEY, cutoff))
        median_write = sorted(one)[len(one) // 2]
        print(f"purge: {result.receipts} payloads in {purge_s:.2f} s "
              f"({result.receipts / purge_s:,.0f}/s), {len(holds)} write transactions; longest "
              f"{max(holds) * 1000:.0f} ms = {max(holds) / median_write:.0f}x one receipt's "
              f"write ({median_write * 1000:.1f} ms)")
        report, verify_s = timed(lambda: chain.verify(store, KEY))
        assert report.ok and report.erased == result.receipts
        print(f"chain walk after purge: {verify_s:.2f} s, {report.erased} erased rows, seals "
              f"checked")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
