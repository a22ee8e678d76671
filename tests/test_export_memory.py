"""A streamed export of 200k receipts keeps memory flat (measured in this process)."""

import tracemalloc
from datetime import timedelta

from .reporting import SNAPSHOT, at, bearer, receipt_draft

RECEIPTS = 200_000
BATCH = 20_000
# Holding the export in memory would take well over 100 MB (it is ~95 MB of CSV text alone);
# streaming page by page needs a few MB whatever the row count.
PEAK_BOUND = 16 * 1024 * 1024


def seed(store):
    start = at("2026-01-01", 0)
    for first in range(0, RECEIPTS, BATCH):
        store.record_receipts(
            (receipt_draft(site="shop.example", page="https://shop.example/rings/selene"),
             SNAPSHOT, start + timedelta(seconds=12 * i))
            for i in range(first, first + BATCH))


def test_streaming_200k_receipts_stays_under_a_memory_bound(app, client):
    store = app.extensions["consent.store"]
    seed(store)
    assert store.count_receipts() == RECEIPTS

    tracemalloc.start()
    try:
        response = client.get("/api/v1/receipts?from=2026-01-01&to=2026-02-28&format=csv",
                              headers=bearer("audit"), buffered=False)
        assert response.status_code == 200
        lines = size = 0
        for chunk in response.response:
            lines += chunk.count(b"\n")
            size += len(chunk)
        response.close()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert lines == RECEIPTS + 1                  # the header and every receipt
    assert size > 5 * PEAK_BOUND                  # the bound is far below what was sent
    assert peak < PEAK_BOUND, f"peak {peak / 2**20:.1f} MB while streaming {size / 2**20:.0f} MB"
    assert store.access_log()[0]["rows"] == RECEIPTS
