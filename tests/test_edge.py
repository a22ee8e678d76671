"""Errors at the edge (the attacker's finding 9): malformed HTTP answered in the one error shape
where the app sees it, and what the server in front (granian) answers itself, as documented.

README, "Errors at the edge", lists what granian refuses before any Python
runs (an empty body, its own status); these tests keep that list true.
"""

from __future__ import annotations

import socket

import pytest

from consent.web.edge import MAX_HEADERS, MAX_TARGET

from .conftest import LiveServer
from .test_error_shape import assert_error_shape

CONFIG = "/api/v1/config"


# ---- in the app -----------------------------------------------------------------------

def test_a_request_target_over_the_limit_is_414_json(client):
    assert client.get(f"{CONFIG}?x={'a' * (MAX_TARGET - 20)}").status_code == 200
    error = assert_error_shape(client.get(f"{CONFIG}?x={'a' * MAX_TARGET}"), 414)
    assert str(MAX_TARGET) in error["message"]


def test_header_fields_over_the_limit_are_431_json(client):
    assert client.get(CONFIG, headers={"X-Big": "a" * (MAX_HEADERS // 2)}).status_code == 200
    response = client.get(CONFIG, headers={"X-Big": "a" * MAX_HEADERS})
    assert_error_shape(response, 431)


@pytest.mark.parametrize("value", ["a\x00b", "a\x07b", "a\x7fb"])
def test_a_control_character_in_a_header_is_400_json(client, value):
    error = assert_error_shape(client.get(CONFIG, headers={"X-Odd": value}), 400)
    assert "X-Odd" in error["message"]


def test_content_length_and_transfer_encoding_together_are_400_and_close(client):
    response = client.post("/api/v1/consents", data="{}", content_type="application/json",
                           headers={"Transfer-Encoding": "chunked", "Content-Length": "2"})
    assert_error_shape(response, 400)
    assert response.headers["Connection"] == "close"


# ---- at the server ----------------------------------------------------------------------

def raw(port: int, data: bytes) -> tuple[int, dict, bytes]:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(data)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
            if len(answer) > 1_000_000:
                break
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
    return int(lines[0].split()[1]), {k.lower(): v for k, v in headers.items()}, body


def request(line: bytes, *headers: bytes, body: bytes = b"") -> bytes:
    return b"\r\n".join([line, b"Host: x", *headers, b"Connection: close", b"", body])


@pytest.fixture(scope="module")
def granian(tmp_path_factory, geoip_db):
    from .conftest import SECRET_KEY, TOKENS
    env = {"CONSENT_MODE": "production", "CONSENT_SECRET_KEY": SECRET_KEY,
           "CONSENT_DATABASE": str(tmp_path_factory.mktemp("edge") / "consent.db"),
           "CONSENT_GEOIP_DB": str(geoip_db), "CONSENT_ALLOWED_ORIGINS": "https://shop.example",
           "CONSENT_TOKENS": ",".join(f"{s}:{t}" for s, t in TOKENS.items())}
    server = LiveServer(env, workers=1).start()
    yield server
    server.stop()


def json_error(status: int, headers: dict, body: bytes, expected: int) -> None:
    assert status == expected and headers["content-type"] == "application/json", (status, body)
    assert f'"status":{expected}'.encode() in body.replace(b" ", b"")


def test_what_granian_lets_through_gets_the_json_shape(granian):
    json_error(*raw(granian.port, request(
        b"GET " + CONFIG.encode() + b"?x=" + b"a" * 10_000 + b" HTTP/1.1")), 414)
    json_error(*raw(granian.port, request(
        b"GET " + CONFIG.encode() + b" HTTP/1.1", b"X-Big: " + b"a" * 100_000)), 431)
    # a chunk whose size is no number: the body cannot be read, a 400 (never a 500)
    json_error(*raw(granian.port, request(
        b"POST /api/v1/consents HTTP/1.1", b"Content-Type: application/json",
        b"Transfer-Encoding: chunked", body=b"zz\r\n{}\r\n0\r\n\r\n")), 400)


@pytest.mark.parametrize("what, data, expected", [
    ("a NUL in a header", request(b"GET /api/v1/config HTTP/1.1", b"X-A: a\x00b"), 400),
    ("a NUL in the request line", request(b"GET /api/v1/config\x00 HTTP/1.1"), 400),
    ("a folded header line", request(b"GET /api/v1/config HTTP/1.1", b"X-A: a", b" b"), 400),
    ("a space in a header name", request(b"GET /api/v1/config HTTP/1.1", b"X A: b"), 400),
    ("an unknown HTTP version", b"GET / HTTP/9.9\r\nHost: x\r\n\r\n", 400),
    ("two Content-Length headers", request(
        b"POST /api/v1/consents HTTP/1.1", b"Content-Length: 4", b"Content-Length: 5",
        body=b"{}  "), 400),
    ("a request target over ~64 KB", request(
        b"GET /api/v1/config?x=" + b"a" * 100_000 + b" HTTP/1.1"), 414),
    ("more than ~100 header fields", request(
        b"GET /api/v1/config HTTP/1.1", *(b"X-H%d: v" % i for i in range(200))), 431),
])
def test_what_granian_refuses_itself_as_the_readme_says(granian, what, data, expected):
    """Refused before the app: the status is right, the body empty (not HTML, not JSON)."""
    status, headers, body = raw(granian.port, data)
    assert (status, body) == (expected, b""), what
    assert headers.get("content-length") == "0"


def test_granian_frames_a_body_with_both_lengths_as_chunked_so_nothing_is_smuggled(granian):
    """Content-Length and Transfer-Encoding together: chunked wins (RFC 9112), the
    Content-Length is dropped, and what follows the last chunk is no second request."""
    smuggled = request(b"GET /livez HTTP/1.1")
    data = request(b"POST /api/v1/consents HTTP/1.1", b"Content-Type: application/json",
                   b"Content-Length: 4", b"Transfer-Encoding: chunked",
                   body=b"0\r\n\r\n" + smuggled)
    status, _, body = raw(granian.port, data)
    assert status == 400 and body.count(b"HTTP/1.1") == 0      # one answer, the JSON 400
    assert b'"status":400' in body.replace(b" ", b"")


def test_under_gunicorn_a_broken_chunk_is_400_not_500(settings_for):
    server = LiveServer(settings_for(), workers=1, server="gunicorn").start()
    try:
        json_error(*raw(server.port, request(
            b"POST /api/v1/consents HTTP/1.1", b"Content-Type: application/json",
            b"Transfer-Encoding: chunked", body=b"zz\r\n{}\r\n0\r\n\r\n")), 400)
    finally:
        server.stop()
