"""Four worker processes (the production server) record, erase and verify at once: one valid chain results."""

import sqlite3
from concurrent.futures import ThreadPoolExecutor

import requests

from consent.ledger import chain
from consent.ledger.keys import KeyRing
from consent.storage.sqlite.store import SqliteStore as Store

from .conftest import SITE, TOKENS
from .mmdb import ADDRESSES

WRITERS = 6
PER_WRITER = 15
AUDIT = {"Authorization": f"Bearer {TOKENS['audit']}"}
BODY = {"revision": 1, "method": "accept_all", "page": f"{SITE}/",
        "choices": {"analytics": True, "personalization": True, "marketing": True}}


def test_chain_verifies_after_concurrent_writes_erasures_and_checks(live_server, tmp_path,
                                                                     settings_for):
    server = live_server(workers=4)
    api = f"{server.url}/api/v1"

    def writer(n: int) -> list[str]:
        """Records choices; erases every third visitor right after, as the widget would."""
        kept = []
        with requests.Session() as session:
            for i in range(PER_WRITER):
                created = session.post(f"{api}/consents", json=BODY, timeout=30, headers={
                    "Origin": SITE, "X-Forwarded-For": ADDRESSES[("DE", "GB", "JP")[i % 3]]})
                assert created.status_code == 201, created.text
                if i % 3 == 0:
                    erased = session.delete(f"{server.url}{created.headers['Location']}",
                                            headers={"Origin": SITE}, timeout=30)
                    assert erased.status_code == 200, erased.text
                else:
                    kept.append(created.json()["receipt_id"])
        return kept

    def auditor(_) -> list[bool]:
        # a reader walking the chain while writers append must see a valid prefix of it
        with requests.Session() as session:
            return [session.get(f"{api}/receipts/verify", headers=AUDIT, timeout=60).json()["ok"]
                    for _ in range(3)]

    with ThreadPoolExecutor(WRITERS + 1) as pool:
        audits = pool.submit(auditor, None)
        kept = [rid for batch in pool.map(writer, range(WRITERS)) for rid in batch]
        assert all(audits.result())

    total = WRITERS * PER_WRITER
    erased = WRITERS * len(range(0, PER_WRITER, 3))
    report = requests.get(f"{api}/receipts/verify", headers=AUDIT, timeout=60).json()
    assert report["ok"] is True, report
    assert (report["receipts"], report["erased"]) == (total, erased)

    # the same verdict from the file itself, outside the service
    store = Store(tmp_path / "consent.db")
    offline = chain.verify(store, KeyRing(settings_for()["CONSENT_SECRET_KEY"]))
    assert offline.ok and (offline.receipts, offline.erased) == (total, erased)
    db = sqlite3.connect(tmp_path / "consent.db")
    stored = {r for (r,) in db.execute("SELECT receipt_id FROM receipts WHERE erased_at IS NULL")}
    assert stored == set(kept)
    # each kept choice counts once; an erasure took its visitor's answer of the day out
    # (tests/test_erasure_counting.py), and nothing else, however concurrent
    assert db.execute("SELECT sum(answers) FROM daily_answers").fetchone()[0] == total - erased
