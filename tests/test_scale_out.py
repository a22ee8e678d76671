"""More than one app server on one database, and what a SIGKILL mid-load does to them.

Two gunicorn servers (two ports, two masters) share one database: 20 client
threads post receipts to both; one server is killed with SIGKILL (master and
workers at once) mid-load and started again. Afterwards every receipt that
got a 201 is stored exactly once, the chain verifies (one order, no fork, no
gap) and the roll-ups equal a count from the receipts. On PostgreSQL (the
chain head row orders the servers' batches) and on SQLite (two servers on one
machine, one file), each with the machine's sequencer and with every worker
committing on its own, under gunicorn and under granian.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections import Counter
from datetime import datetime, timezone

import pytest
import requests

from consent.ledger import chain
from consent.ledger.keys import KeyRing
from consent.storage import open_store

from .conftest import SECRET_KEY, SITE

BODY = {"revision": 1, "method": "accept_all", "page": f"{SITE}/",
        "choices": {"analytics": True, "personalization": True, "marketing": True}}
CLIENTS = 20


class Load:
    """``CLIENTS`` threads, each posting to one of the servers in turn, until stopped."""

    def __init__(self, urls: list[str]):
        self.urls = urls
        self.acknowledged: list[str] = []        # a list: a receipt acknowledged twice shows
        self.refused = 0
        self.by_server: Counter = Counter()      # url -> 201s it gave
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._run, args=(n,), daemon=True)
                         for n in range(CLIENTS)]

    def _run(self, n: int):
        while not self._stop.is_set():
            url = self.urls[n % len(self.urls)]
            try:
                response = requests.post(f"{url}/api/v1/consents", json=BODY, timeout=15,
                                         headers={"Origin": SITE})
            except requests.RequestException:   # the killed server: no answer is no receipt
                with self._lock:
                    self.refused += 1
                time.sleep(0.05)
                continue
            with self._lock:
                if response.status_code == 201:
                    self.acknowledged.append(response.json()["receipt_id"])
                    self.by_server[url] += 1
                else:
                    self.refused += 1

    def wait_for(self, count: int, seconds: float = 60):
        deadline = time.monotonic() + seconds
        while len(self.acknowledged) < count:
            assert time.monotonic() < deadline, f"only {len(self.acknowledged)} receipts in time"
            time.sleep(0.05)

    def __enter__(self):
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        for thread in self._threads:
            thread.join(20)


def kill_server(server) -> None:
    """SIGKILL to the master and every worker at once: nothing gets to clean up."""
    for pid in [server.process.pid, *server.worker_pids()]:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    server.process.wait(10)


def assert_one_intact_chain(database, acknowledged: list[str]) -> None:
    store = open_store(database, "process")
    try:
        assert len(acknowledged) == len(set(acknowledged)), "a receipt was acknowledged twice"
        stored = store.count_receipts()
        missing = [rid for rid in acknowledged if store.receipt(rid) is None]
        assert not missing, f"{len(missing)} acknowledged receipts lost"
        report = chain.verify(store, KeyRing(SECRET_KEY))
        assert report.ok, report.as_dict()
        assert report.receipts == stored            # seq 1..n: no gap, no fork
        today = datetime.now(timezone.utc).date()
        answered = sum(n for *_, n in store.answer_counts(today, today, "day", {}))
        # every post is a new visitor: one answer per receipt, nothing half-written
        assert answered == stored, "roll-ups disagree with the receipts"
    finally:
        store.close()


@pytest.fixture
def database(any_database):
    return any_database


@pytest.mark.parametrize("batching, kind", [("machine", "gunicorn"), ("process", "gunicorn"),
                                            ("machine", "granian")])
def test_two_servers_one_chain_through_a_sigkill(live_server, database, batching, kind):
    first = live_server(workers=2, server=kind, CONSENT_BATCHING=batching)
    second = live_server(workers=2, server=kind, CONSENT_BATCHING=batching)
    with Load([first.url, second.url]) as load:
        load.wait_for(150)
        kill_server(first)
        killed_at = len(load.acknowledged)
        load.wait_for(killed_at + 100)          # the other server goes on alone
        restarted = live_server(workers=2, server=kind, CONSENT_BATCHING=batching)
        load.urls[0] = restarted.url            # the balancer sends traffic to it again
        load.wait_for(len(load.acknowledged) + 150)
    acknowledged = list(load.acknowledged)
    # all three took part: the first before its death, the second throughout, the restarted one
    assert all(load.by_server[s.url] > 0 for s in (first, second, restarted)), load.by_server
    assert_one_intact_chain(database, acknowledged)
    # and the servers still append to that same chain
    response = requests.post(f"{restarted.url}/api/v1/consents", json=BODY,
                             headers={"Origin": SITE}, timeout=10)
    assert response.status_code == 201
    assert_one_intact_chain(database, [*acknowledged, response.json()["receipt_id"]])
