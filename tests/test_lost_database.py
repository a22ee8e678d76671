"""A database lost, emptied or replaced is noticed (the attacker's finding 1).

Deleted while the service ran, warm workers kept answering 201 (into a file
nobody would open again) and /healthz said ok; after a restart every receipt
was gone and the new empty chain verified "ok". Now the workers notice the
file is not the one they opened (503, /healthz "gone"), and the chain's head
is kept outside the database (``CONSENT_ANCHOR_FILE``): a database whose
chain does not reach it takes no receipt, `verify` says why, and only
`flask consent init --new-chain` starts from it on purpose.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest
import requests

from consent import create_app

from .conftest import SITE, LiveServer
from .test_error_shape import assert_error_shape

BODY = {"revision": 1, "method": "reject_all",
        "choices": {"analytics": False, "personalization": False, "marketing": False}}


def post(url: str) -> requests.Response:
    return requests.post(f"{url}/api/v1/consents", json=BODY, headers={"Origin": SITE},
                         timeout=10)


def health(url: str) -> tuple[int, str]:
    response = requests.get(f"{url}/healthz", timeout=10)
    return response.status_code, response.json()["database"]


def remove_database(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def backup(source: Path, target: Path) -> None:
    """SQLite's online backup: the file with what its WAL holds."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()


def cli(settings: dict, *args):
    app = create_app(settings, environ={})
    try:
        return app.test_cli_runner().invoke(args=["consent", *args])
    finally:
        app.extensions["consent.store"].close()


def test_a_database_deleted_while_running_is_503_and_not_a_new_empty_chain(settings_for, tmp_path):
    settings = settings_for()
    database = Path(settings["CONSENT_DATABASE"])
    server = LiveServer(settings, workers=2).start()
    try:
        for _ in range(4):                       # warm both workers' connections
            assert post(server.url).status_code == 201
        assert health(server.url) == (200, "ok")
        remove_database(database)

        for _ in range(4):
            refused = post(server.url)
            assert refused.status_code == 503 and refused.json()["error"]["status"] == 503
        assert health(server.url) == (503, "gone")
        assert not database.exists(), "a worker created an empty database in its place"
        assert requests.get(f"{server.url}/api/v1/config", timeout=5).status_code == 200

        server.stop()                            # a restart: the schema is created again, empty
        server.start()
        assert health(server.url) == (503, "another-chain")
        assert post(server.url).status_code == 503
        assert "receipts are refused: the database holds no receipts" in server.output()
    finally:
        server.stop()

    verified = cli(settings, "verify")
    assert verified.exit_code == 1 and "Chain BROKEN" in verified.output
    assert "truncated" in verified.output and "--new-chain" in verified.output
    refused = cli(settings, "init")
    assert refused.exit_code == 1 and "the database holds no receipts" in refused.output

    started = cli(settings, "init", "--new-chain")
    assert started.exit_code == 0, started.output
    assert "The earlier anchor is kept as" in started.output
    assert list(tmp_path.glob("consent.db.anchor.replaced-*"))
    server = LiveServer(settings, workers=1).start()
    try:
        assert health(server.url) == (200, "ok")
        assert post(server.url).status_code == 201
    finally:
        server.stop()
    assert cli(settings, "verify").exit_code == 0


def test_a_database_restored_from_an_older_copy_is_noticed(settings_for, tmp_path):
    app = create_app(settings_for(), environ={})
    client = app.test_client()
    database = app.extensions["consent.settings"].database
    assert client.post("/api/v1/consents", json=BODY, headers={"Origin": SITE}).status_code == 201
    store = app.extensions["consent.store"]
    backup(database, tmp_path / "backup.db")      # an operator's copy of one receipt
    time.sleep(1.1)                              # the anchor is written at most once a second
    for _ in range(2):
        assert client.post("/api/v1/consents", json=BODY,
                           headers={"Origin": SITE}).status_code == 201
    store.close()
    remove_database(database)
    backup(tmp_path / "backup.db", database)     # ... put back, two receipts later

    restored = create_app(settings_for(), environ={})
    client = restored.test_client()
    assert_error_shape(client.post("/api/v1/consents", json=BODY, headers={"Origin": SITE}), 503)
    body = client.get("/healthz").get_json()
    assert body["database"] == "another-chain"
    report = client.get("/api/v1/receipts/verify",
                        headers={"Authorization": "Bearer audit-token-0123456789abcdef"}
                        ).get_json()
    assert report["ok"] is False and report["broken"]["reason"] == "truncated"
    assert report["anchor"]["seq"] >= 2 and report["anchor"]["source"].endswith(".anchor")
    assert report["receipts"] == 1
    restored.extensions["consent.store"].close()


def test_another_chain_in_the_databases_place_is_refused(settings_for, tmp_path):
    """Longer, but not the chain the anchor remembers: a write looks at the anchored receipt."""
    other = tmp_path / "other"
    other.mkdir()
    elsewhere = create_app(settings_for(CONSENT_DATABASE=str(other / "consent.db")), environ={})
    for _ in range(3):
        elsewhere.test_client().post("/api/v1/consents", json=BODY, headers={"Origin": SITE})
    elsewhere.extensions["consent.store"].close()

    app = create_app(settings_for(), environ={})
    database = app.extensions["consent.settings"].database
    app.test_client().post("/api/v1/consents", json=BODY, headers={"Origin": SITE})
    app.extensions["consent.store"].close()
    remove_database(database)
    backup(other / "consent.db", database)

    swapped = create_app(settings_for(), environ={})
    client = swapped.test_client()
    assert_error_shape(client.post("/api/v1/consents", json=BODY, headers={"Origin": SITE}), 503)
    assert client.get("/healthz").get_json()["database"] == "another-chain"
    swapped.extensions["consent.store"].close()


def test_no_anchor_file_when_switched_off(settings_for, tmp_path):
    app = create_app(settings_for(CONSENT_ANCHOR_FILE="off"), environ={})
    app.test_client().post("/api/v1/consents", json=BODY, headers={"Origin": SITE})
    app.extensions["consent.store"].close()
    assert not list(tmp_path.glob("*.anchor"))


@pytest.mark.parametrize("engine", ["postgresql"])
def test_on_postgresql_an_emptied_database_is_refused_with_an_anchor_file(
        settings_for, tmp_path, postgres_url, engine):
    anchor = tmp_path / "chain.anchor"
    settings = settings_for(CONSENT_DATABASE=postgres_url, CONSENT_ANCHOR_FILE=str(anchor))
    app = create_app(settings, environ={})
    assert app.test_client().post("/api/v1/consents", json=BODY,
                                  headers={"Origin": SITE}).status_code == 201
    store = app.extensions["consent.store"]
    with store.connection() as conn:            # a server restored empty, as an operator might
        conn.execute("TRUNCATE receipts, daily_answers, daily_grants, config_snapshots")
        conn.execute("UPDATE chain_head SET seq = 0, hash = repeat('0', 64)")
    store.close()
    assert anchor.exists()
    emptied = create_app(settings, environ={})
    client = emptied.test_client()
    assert_error_shape(client.post("/api/v1/consents", json=BODY, headers={"Origin": SITE}), 503)
    assert client.get("/healthz").get_json()["database"] == "another-chain"
    emptied.extensions["consent.store"].close()
