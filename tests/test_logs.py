"""No full IP address and no consent_id in any log (the attacker's finding 3).

The consent_id (the visitor's key to their record) was in the access log of
every GET/DELETE and stayed after erasure; a refused sign-in logged the full
client address; so did the server's "Invalid request from ip=" warnings.
Checked on the real servers: gunicorn (`make serve`) and the development
server (`make run`).
"""

from __future__ import annotations

import ipaddress
import logging
import os
import re
import socket
import subprocess
import sys
import time

import pytest
import requests

from consent.web.redaction import redact

from .conftest import ROOT, SITE, LiveServer, free_port

VISITOR = "85.214.0.77"         # a visitor behind the trusted proxy (X-Forwarded-For)
ADMIN = "81.2.69.160"           # someone trying a token at /admin
HEX32 = re.compile(r"(?<![0-9a-f])[0-9a-f]{32}(?![0-9a-f])")
BODY = {"revision": 1, "method": "reject_all",
        "choices": {"analytics": False, "personalization": False, "marketing": False}}


@pytest.mark.parametrize("line, redacted", [
    ('"GET /api/v1/consents/' + "ab" * 16 + '" 200', '"GET /api/v1/consents/<id>" 200'),
    ('"DELETE /api/v1/consents/' + "AB" * 16 + '%0A" 422', '"DELETE /api/v1/consents/<id>%0A" 422'),
    ("Invalid request from ip=85.214.0.77: Invalid HTTP Version",
     "Invalid request from ip=85.214.0.0/24: Invalid HTTP Version"),
    ("ip=2a01:4f8:10a:1::77 left", "ip=2a01:4f8:10a::/48 left"),
    ("[2a01:4f8::1]:443 and ::ffff:85.214.0.1", "[2a01:4f8::/48]:443 and 85.214.0.0/24"),
    ("already 85.214.0.0/24", "already 85.214.0.0/24"),
    # a decoded %0A in a path: no request may write a log line of its own
    ('"GET /x\n[2026-01-01] forged HTTP/1.1" 404', '"GET /x\\n[2026-01-01] forged HTTP/1.1" 404'),
    # not addresses, not ids: left as they are
    ("[29/Nov/2026:23:45:01 +0000] took 12:34:56.789", "[29/Nov/2026:23:45:01 +0000] took 12:34:56.789"),
    ("config " + "c" * 64 + " token id 0123456789ab", "config " + "c" * 64 + " token id 0123456789ab"),
    ("version 1.2.3.4.5", "version 1.2.3.4.5"),
    # the machine itself is no visitor
    ("Booting at http://127.0.0.1:8000 (7) and [::1]:8000, 0.0.0.0",
     "Booting at http://127.0.0.1:8000 (7) and [::1]:8000, 0.0.0.0"),
    ("Listening at: http://192.0.2.2:8000 (7)", "Listening at: http://192.0.2.2:8000 (7)"),
])
def test_redaction_rules(line, redacted):
    assert redact(line) == redacted


def test_every_logger_and_traceback_is_redacted_once_the_app_exists(app, caplog):
    consent_id = "cd" * 16
    with caplog.at_level(logging.INFO):
        # gunicorn's access log: a format string and a dict of atoms
        logging.getLogger("gunicorn.access").info('%(h)s "%(r)s" %(s)s', {
            "h": VISITOR, "r": f"GET /api/v1/consents/{consent_id} HTTP/1.1", "s": "200"})
        try:
            raise ValueError(f"Header values must not contain newline: {consent_id} {VISITOR}")
        except ValueError:
            logging.getLogger("consent.web.errors").exception("unhandled error")
    text = caplog.text
    assert consent_id not in text and VISITOR not in text
    assert "<id>" in text and "85.214.0.0/24" in text and "ValueError" in text


def outward_address() -> str | None:
    """This machine's own non-loopback address (where the kernel would send from), if any."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))       # no packet is sent for a UDP connect
        except OSError:
            return None
        address = probe.getsockname()[0]
    return None if ipaddress.ip_address(address).is_loopback else address


def raw_request(host: str, port: int, data: bytes) -> bytes:
    with socket.create_connection((host, port), timeout=5) as connection:
        connection.sendall(data)
        chunks = []
        try:
            while chunk := connection.recv(65536):
                chunks.append(chunk)
        except (TimeoutError, ConnectionResetError):
            pass
    return b"".join(chunks)


def visit_and_sign_in(url: str) -> str:
    """A visitor records, downloads and erases; someone tries a wrong token. The consent_id."""
    created = requests.post(f"{url}/api/v1/consents", json=BODY, timeout=10,
                            headers={"Origin": SITE, "X-Forwarded-For": VISITOR})
    assert created.status_code == 201, created.text
    consent_id = created.json()["consent_id"]
    record = f"{url}/api/v1/consents/{consent_id}"
    assert requests.get(record, headers={"X-Forwarded-For": VISITOR}, timeout=10).ok
    assert requests.delete(record, headers={"X-Forwarded-For": VISITOR}, timeout=10).ok
    assert requests.get(record, headers={"X-Forwarded-For": VISITOR}, timeout=10).ok
    admin = requests.Session()
    form = admin.get(f"{url}/admin", headers={"X-Forwarded-For": ADMIN}, timeout=10).text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    refused = admin.post(f"{url}/admin/sign-in", timeout=10, headers={"X-Forwarded-For": ADMIN},
                         data={"token": "a-wrong-token-0123456789", "csrf_token": csrf})
    assert refused.status_code == 401
    return consent_id


def assert_clean(log: str, consent_id: str, *addresses: str) -> None:
    assert consent_id not in log, "a consent_id reached the log"
    assert not HEX32.search(log), HEX32.search(log).group(0)
    for address in addresses:
        assert address not in log, f"the full address {address} reached the log"


@pytest.mark.parametrize("server_name", ["granian", "gunicorn"])
def test_the_servers_log_no_consent_id_and_no_full_address(settings_for, server_name):
    """granian (`flask consent serve`, production) and gunicorn (gunicorn.conf.py)."""
    server = LiveServer(settings_for(), workers=1, server=server_name).start()
    try:
        consent_id = visit_and_sign_in(server.url)
        # an invalid request: gunicorn's own warning names the client (granian says nothing)
        raw_request("127.0.0.1", server.port, b"GET / HTTP/9.9\r\nHost: x\r\n\r\n")
        time.sleep(0.5)
        log = server.output()
    finally:
        server.stop()
    assert_clean(log, consent_id, VISITOR, ADMIN)
    assert log.count("/api/v1/consents/<id>") >= 3            # the access-log lines are there
    assert "admin sign-in refused from 81.2.69.0/24" in log
    if server_name == "gunicorn":
        assert "Invalid request from ip=127.0.0.1" in log     # loopback: the machine itself


@pytest.mark.skipif(outward_address() is None, reason="this machine has no non-loopback address")
def test_gunicorns_invalid_request_warning_gives_only_the_network(settings_for):
    address = outward_address()
    server = LiveServer(settings_for(), workers=1, host=address, server="gunicorn").start()
    try:
        raw_request(address, server.port, b"GET / HTTP/9.9\r\nHost: x\r\n\r\n")
        raw_request(address, server.port, b"GET /api/v1/consents/" + b"ef" * 16
                    + b" HTTP/1.1\r\nHost: x\r\nBad\x00Header: 1\r\n\r\n")
        time.sleep(0.5)
        log = server.output()
    finally:
        server.stop()
    network = str(ipaddress.ip_network(f"{address}/24", strict=False))
    assert f"Invalid request from ip={network}" in log, log[-2000:]
    assert f"Listening at: http://{address}:{server.port}" in log      # its own, unharmed
    assert address not in log.replace(f"http://{address}:", "") and "ef" * 16 not in log


@pytest.mark.skipif(outward_address() is None, reason="this machine has no non-loopback address")
def test_granian_from_another_address_logs_none_of_it(settings_for):
    address = outward_address()
    server = LiveServer(settings_for(), workers=1, host=address).start()
    try:
        consent_id = visit_and_sign_in(server.url)
        raw_request(address, server.port, b"GET / HTTP/9.9\r\nHost: x\r\n\r\n")
        time.sleep(0.5)
        log = server.output()
    finally:
        server.stop()
    # the server's own address where it says where it listens, and nowhere else
    said = [line for line in log.splitlines() if address in line]
    assert all("Serving on" in line or "Listening at" in line for line in said), said
    assert_clean(log.replace(f"http://{address}:", "http://<server>:"), consent_id, VISITOR,
                 ADMIN, address)
    assert "/api/v1/consents/<id>" in log


def test_the_development_server_logs_no_consent_id_and_no_full_address(settings_for):
    address = outward_address() or "127.0.0.1"
    port = free_port(address)
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONSENT_")}
    env.update(settings_for())
    server = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "app", "run", "--host", address, "--port",
         str(port)], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://{address}:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                requests.get(f"{url}/livez", timeout=1)
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline and server.poll() is None, "flask run failed"
                time.sleep(0.2)
        consent_id = visit_and_sign_in(url)
    finally:
        server.terminate()
        log = server.communicate(timeout=10)[0].decode(errors="replace")
    assert_clean(log, consent_id, VISITOR, ADMIN, *([address] if address != "127.0.0.1" else []))
    assert "/api/v1/consents/<id>" in log and "admin sign-in refused from 81.2.69.0/24" in log
