"""Inputs that used to be 500s (the attacker's finding 2): each is a clean 4xx in the one shape.

A consent_id with a trailing newline passed the check (the regex's ``$``), was
stored, and made every later GET of the record a 500; a lone surrogate in
``page`` could not be stored; a huge revision overflowed SQLite's integer; a
day past 9999-12-30 broke a streamed export after its 200 had been sent.
"""

from __future__ import annotations

import json
import sqlite3
import time
from datetime import date

import pytest
import requests

from consent.reports import exports
from consent.reports.trail import CLI

from .conftest import SITE, LiveServer
from .reporting import bearer
from .test_error_shape import assert_error_shape

HEX = "ab" * 16
BODY = {"revision": 1, "method": "reject_all",
        "choices": {"analytics": False, "personalization": False, "marketing": False}}


def post_raw(client, text: str, content_type="application/json"):
    return client.post("/api/v1/consents", data=text, content_type=content_type,
                       headers={"Origin": SITE})


def receipts_stored(app) -> int:
    return app.extensions["consent.store"].count_receipts()


@pytest.mark.parametrize("field, raw_value", [
    ("consent_id", json.dumps(HEX + "\n")),
    ("consent_id", json.dumps(HEX + "\r")),
    ("page", r'"https://shop.example/\ud800"'),            # a lone surrogate: JSON, not Unicode
    ("page", r'"https://shop.example/a\u0000b"'),           # NUL
    ("page", r'"https://shop.example/\u0085x"'),            # a C1 control character
    ("revision", "99999999999999999999999"),
    ("config_hash", json.dumps("c" * 64 + "\n")),
])
@pytest.mark.parametrize("content_type", ["application/json", "text/plain"])
def test_hostile_receipt_fields_are_422_and_store_nothing(app, client, field, raw_value,
                                                          content_type):
    text = json.dumps(BODY)[:-1] + f', "{field}": {raw_value}}}'
    error = assert_error_shape(post_raw(client, text, content_type), 422)
    assert field in error["fields"]
    assert receipts_stored(app) == 0


@pytest.mark.parametrize("path", [f"{HEX}%0A", f"{HEX}%0D%0A", "%ED%A0%80", f"{HEX}%00"])
@pytest.mark.parametrize("method", ["GET", "DELETE"])
def test_a_malformed_consent_id_in_the_path_is_422(client, path, method):
    response = client.open(f"/api/v1/consents/{path}", method=method, headers={"Origin": SITE})
    error = assert_error_shape(response, 422)
    assert "consent_id" in error["fields"]


def test_a_receipt_id_or_signature_with_a_newline_is_422(client):
    url = f"/api/v1/receipts/{HEX}%0A/verify-signature"
    assert_error_shape(client.post(url, json={"signature": "a" * 64}), 422)
    url = f"/api/v1/receipts/{HEX}/verify-signature"
    assert_error_shape(client.post(url, json={"signature": "a" * 64 + "\n"}), 422)


@pytest.mark.parametrize("query, field", [
    ("revision=99999999999999999999999", "revision"),
    ("revision=0", "revision"),
    ("to=9999-12-31", "to"),
    ("from=0001-01-01&to=0001-01-02", "from"),
    ("site=%ED%A0%80", "site"),
    ("region=eea%0A", "region"),
])
def test_hostile_stats_queries_are_422(client, query, field):
    error = assert_error_shape(client.get(f"/api/v1/stats?{query}", headers=bearer("stats")), 422)
    assert field in error["fields"]


def test_an_export_to_the_end_of_time_is_422_and_logs_no_export(app, client):
    error = assert_error_shape(
        client.get("/api/v1/receipts?from=9999-12-01&to=9999-12-31&format=csv",
                   headers=bearer("audit")), 422)
    assert set(error["fields"]) == {"from", "to"}
    assert app.extensions["consent.store"].access_log() == []


def test_an_export_that_fails_before_its_first_byte_fails_before_the_answer(app):
    """A failure in the first page of rows is raised by the call, not by a started stream."""
    store = app.extensions["consent.store"]
    with pytest.raises(OverflowError):     # the day after date.max: what the schema now refuses
        exports.receipt_export(store, CLI, date(9999, 12, 1), date(9999, 12, 31), "csv",
                               ("analytics",))
    [entry] = store.access_log()
    assert entry["rows"] == 0 and entry["finished_at"] is None   # closed as broken off


def test_the_cli_refuses_the_same_days(runner, tmp_path):
    result = runner.invoke(args=["consent", "export", "--to", "9999-12-31",
                                 "--out", str(tmp_path / "x.csv")])
    assert result.exit_code == 2 and "--to: A day from 1970-01-01 to 9998-12-31." in result.output


def test_a_stored_record_stays_downloadable_whatever_was_sent(app, client):
    """The original symptom: an id stored with a newline made every GET of it a 500."""
    created = client.post("/api/v1/consents", json={**BODY, "consent_id": HEX},
                          headers={"Origin": SITE})
    assert created.status_code == 201
    response = client.get(f"/api/v1/consents/{HEX}")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == \
        f'attachment; filename="consent-record-{HEX}.json"'
    with sqlite3.connect(app.extensions["consent.settings"].database) as db:
        assert db.execute("SELECT consent_id FROM receipts").fetchall() == [(HEX,)]


@pytest.mark.parametrize("server_name", ["granian", "gunicorn"])
def test_under_the_server_every_one_is_a_json_4xx_and_logged_as_finished(settings_for,
                                                                          server_name):
    server = LiveServer(settings_for(), workers=1, server=server_name).start()
    try:
        check_answers_and_log(server)
    finally:
        server.stop()


def check_answers_and_log(server):
    audit = bearer("audit")
    answers = [
        requests.post(f"{server.url}/api/v1/consents", timeout=10, headers={
            "Content-Type": "text/plain", "Origin": SITE},
            data=json.dumps(BODY)[:-1] + r', "page": "https://shop.example/\ud800"}'),
        requests.post(f"{server.url}/api/v1/consents", timeout=10, headers={"Origin": SITE},
                      json={**BODY, "consent_id": HEX + "\n"}),
        requests.get(f"{server.url}/api/v1/consents/{HEX}%0A", timeout=10),
        requests.get(f"{server.url}/api/v1/stats?revision=99999999999999999999999",
                     headers=bearer("stats"), timeout=10),
        requests.get(f"{server.url}/api/v1/receipts?to=9999-12-31&format=csv", headers=audit,
                     timeout=10),
    ]
    for answer in answers:
        assert answer.status_code == 422, answer.text
        assert answer.headers["Content-Type"] == "application/json"
        assert answer.json()["error"]["status"] == 422
    # the server wrote a complete access-log line for each (status known), one line each
    deadline = time.monotonic() + 5
    while server.output().count('" 422 ') < len(answers) and time.monotonic() < deadline:
        time.sleep(0.1)
    log = server.output()
    assert "Traceback" not in log and "unhandled error" not in log
    assert log.count('" 422 ') == len(answers), log[-3000:]
    assert all(line.startswith(("[", "Serving on", "admin")) for line in log.splitlines()
               if line), "a request wrote a line of its own into the log (a newline in a path)"
