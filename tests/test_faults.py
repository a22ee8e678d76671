"""Faults under load: killed processes, a full disk, a read-only database.

Every receipt acknowledged with 201 must be in the database afterwards, the
chain must link up, and nothing may be half-written (each receipt here is a
new visitor, so the day's answered count equals the number of receipts).
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import threading
import time
import uuid
from pathlib import Path

import pytest
import requests

from consent.ledger import chain
from consent.ledger.keys import KeyRing
from consent.storage.sqlite.store import SqliteStore as Store

from .conftest import SECRET_KEY, SITE

BODY = {"revision": 1, "method": "accept_all", "page": f"{SITE}/",
        "choices": {"analytics": True, "personalization": True, "marketing": True}}


class WriteLoad:
    """Client threads posting receipts until stopped; remembers every 201."""

    def __init__(self, url: str, threads: int = 6):
        self.url = url
        self.acknowledged: set[str] = set()
        self.failures = 0
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._run, daemon=True) for _ in range(threads)]

    def _run(self):
        while not self._stop.is_set():
            try:
                response = requests.post(f"{self.url}/api/v1/consents", json=BODY, timeout=10,
                                         headers={"Origin": SITE})
            except requests.RequestException:
                with self._lock:
                    self.failures += 1
                continue
            with self._lock:
                if response.status_code == 201:
                    self.acknowledged.add(response.json()["receipt_id"])
                else:
                    self.failures += 1

    def __enter__(self):
        for thread in self._threads:
            thread.start()
        return self

    def wait_for(self, count: int, seconds: float = 20):
        deadline = time.monotonic() + seconds
        while len(self.acknowledged) < count:
            assert time.monotonic() < deadline, f"only {len(self.acknowledged)} receipts in time"
            time.sleep(0.05)

    def __exit__(self, *exc):
        self._stop.set()
        for thread in self._threads:
            thread.join(15)


def assert_intact(database: Path, acknowledged: set[str]):
    db = sqlite3.connect(database)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    stored = {row[0] for row in db.execute("SELECT receipt_id FROM receipts")}
    missing = acknowledged - stored
    assert not missing, f"{len(missing)} acknowledged receipts lost"
    answered = db.execute("SELECT coalesce(sum(answers), 0) FROM daily_answers").fetchone()[0]
    assert answered == len(stored), "roll-ups disagree with receipts: a half-written receipt"
    db.close()
    report = chain.verify(Store(database), KeyRing(SECRET_KEY))
    assert report.ok, report.as_dict()
    assert report.receipts == len(stored)


def test_killed_worker_loses_no_acknowledged_receipt(live_server, tmp_path):
    server = live_server(workers=3)
    with WriteLoad(server.url) as load:
        load.wait_for(50)
        victim = server.worker_pids()[0]
        os.kill(victim, signal.SIGKILL)
        before = len(load.acknowledged)
        load.wait_for(before + 100)      # the master replaced the worker; writes go on
    assert victim not in server.worker_pids()
    assert_intact(tmp_path / "consent.db", load.acknowledged)


def test_killed_master_and_workers_lose_nothing_after_restart(live_server, tmp_path):
    server = live_server(workers=3)
    with WriteLoad(server.url) as load:
        load.wait_for(100)
        pids = [server.process.pid, *server.worker_pids()]
        for pid in pids:                  # the whole service dies at once, mid-write
            os.kill(pid, signal.SIGKILL)
        server.process.wait(10)
        time.sleep(0.3)
    acknowledged = set(load.acknowledged)
    restarted = live_server(workers=2)   # same database file
    assert_intact(tmp_path / "consent.db", acknowledged)
    response = requests.post(f"{restarted.url}/api/v1/consents", json=BODY,
                             headers={"Origin": SITE}, timeout=10)
    assert response.status_code == 201
    assert_intact(tmp_path / "consent.db", acknowledged | {response.json()["receipt_id"]})


@pytest.fixture
def small_disk(tmp_path):
    """A real tmpfs of a few hundred KB for the database; needs root (CI and here run as root)."""
    mountpoint = tmp_path / f"disk-{uuid.uuid4().hex[:6]}"
    mountpoint.mkdir()
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=400k", "tmpfs", str(mountpoint)],
                            capture_output=True, text=True)
    if result.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {result.stderr.strip()}")
    yield mountpoint
    subprocess.run(["umount", "-l", str(mountpoint)], check=False)


def remount(mountpoint: Path, options: str):
    subprocess.run(["mount", "-o", f"remount,{options}", str(mountpoint)], check=True)


def test_full_disk_answers_503_and_keeps_what_was_acknowledged(live_server, small_disk):
    database = small_disk / "consent.db"
    server = live_server(workers=2, CONSENT_DATABASE=str(database))
    acknowledged, statuses = set(), []
    for _ in range(3000):
        response = requests.post(f"{server.url}/api/v1/consents", json=BODY,
                                 headers={"Origin": SITE}, timeout=10)
        statuses.append(response.status_code)
        if response.status_code == 201:
            acknowledged.add(response.json()["receipt_id"])
        elif response.status_code == 503:
            break
    assert statuses[-1] == 503, f"the disk never filled: {len(acknowledged)} receipts"
    error = response.json()["error"]
    assert error["status"] == 503 and "Traceback" not in response.text
    assert requests.get(f"{server.url}/api/v1/config", timeout=5).status_code == 200
    health = requests.get(f"{server.url}/healthz", timeout=5)
    assert (health.status_code, health.json()["database"]) == (503, "full")
    remount(small_disk, "size=4m")        # space again: writes resume
    assert requests.get(f"{server.url}/healthz", timeout=5).json()["database"] == "ok"
    retry = requests.post(f"{server.url}/api/v1/consents", json=BODY, headers={"Origin": SITE},
                          timeout=10)
    assert retry.status_code == 201
    server.stop()
    assert_intact(database, acknowledged | {retry.json()["receipt_id"]})


def chattr(flag: str, path: Path):
    result = subprocess.run(["chattr", flag, str(path)], capture_output=True, text=True)
    if result.returncode != 0:
        pytest.skip(f"cannot change file attributes here: {result.stderr.strip()}")


def test_read_only_database_file_answers_503_and_recovers(live_server, tmp_path):
    """An immutable file is read-only even for root, who ignores permission bits."""
    database = tmp_path / "consent.db"
    server = live_server(workers=2)
    first = requests.post(f"{server.url}/api/v1/consents", json=BODY, headers={"Origin": SITE},
                          timeout=10)
    assert first.status_code == 201
    server.stop()
    chattr("+i", database)
    try:
        server.start()                       # starts and serves banners on a read-only file
        refused = requests.post(f"{server.url}/api/v1/consents", json=BODY,
                                headers={"Origin": SITE}, timeout=10)
        assert refused.status_code == 503 and refused.json()["error"]["status"] == 503
        assert requests.get(f"{server.url}/api/v1/config", timeout=5).status_code == 200
        health = requests.get(f"{server.url}/healthz", timeout=5)
        assert (health.status_code, health.json()["database"]) == (503, "read-only")
    finally:
        chattr("-i", database)
    again = requests.post(f"{server.url}/api/v1/consents", json=BODY, headers={"Origin": SITE},
                          timeout=10)
    assert again.status_code == 201, again.text
    server.stop()
    assert_intact(database, {first.json()["receipt_id"], again.json()["receipt_id"]})
