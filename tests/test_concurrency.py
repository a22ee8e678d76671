"""Several worker processes (the production server) and many client threads: every 201 is in the database."""

import sqlite3
from concurrent.futures import ThreadPoolExecutor

import requests

from consent.storage import sealing

from .conftest import SITE
from .mmdb import ADDRESSES

THREADS = 16
PER_THREAD = 25


def test_concurrent_writers_lose_nothing(live_server, tmp_path):
    server = live_server(workers=4)
    body = {"revision": 1, "method": "accept_all", "page": f"{SITE}/",
            "choices": {"analytics": True, "personalization": True, "marketing": True}}

    def worker(n):
        acknowledged = []
        with requests.Session() as session:
            for i in range(PER_THREAD):
                place = ("DE", "US-CA", "GB", "JP")[(n + i) % 4]
                response = session.post(f"{server.url}/api/v1/consents", json=body, timeout=30,
                                        headers={"Origin": SITE,
                                                 "X-Forwarded-For": ADDRESSES[place]})
                assert response.status_code == 201, response.text
                acknowledged.append(response.json()["receipt_id"])
        return acknowledged

    with ThreadPoolExecutor(THREADS) as pool:
        acknowledged = [rid for batch in pool.map(worker, range(THREADS)) for rid in batch]

    db = sqlite3.connect(tmp_path / "consent.db")
    stored = {row[0] for row in db.execute("SELECT receipt_id FROM receipts")}
    assert len(acknowledged) == THREADS * PER_THREAD
    assert set(acknowledged) <= stored
    # one unbroken chain, even with four processes appending at once
    rows = db.execute("SELECT prev_hash, hash FROM receipts ORDER BY seq").fetchall()
    assert rows[0][0] == sealing.GENESIS
    assert all(prev[1] == row[0] for prev, row in zip(rows, rows[1:]))
    answered = db.execute("SELECT sum(answers) FROM daily_answers").fetchone()[0]
    assert answered == len(acknowledged)
