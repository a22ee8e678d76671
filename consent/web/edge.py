"""Requests malformed at the HTTP level, answered in the one error shape where the app sees them.

The server in front (granian) refuses the worst on its own, before any
Python runs, with an empty body: a NUL or other forbidden byte in a header or
the request line, header lines it cannot parse, a request target over ~64 KB,
more than ~100 headers, two Content-Length headers (README, "Errors at the
edge"). What it lets through is limited here, tighter and in JSON: a request
target over ``MAX_TARGET`` bytes (414), header fields over ``MAX_HEADERS``
bytes in all (431), control characters in a header value (400), and a request
that says both Content-Length and Transfer-Encoding (400, and the connection
closed: the two framings are how requests are smuggled past a proxy).
"""

from __future__ import annotations

import re

from flask import Flask, request

from .errors import ApiError

MAX_TARGET = 8192           # bytes of path and query: no endpoint needs more than a few hundred
MAX_HEADERS = 16384         # bytes of all header names and values: browsers send 1-3 KB
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


def check_request() -> None:
    """:raise ApiError: 414, 431 or 400 for a request malformed at the HTTP level."""
    environ = request.environ
    target = len(environ.get("PATH_INFO", "")) + len(environ.get("QUERY_STRING", ""))
    if target > MAX_TARGET:
        raise ApiError(414, f"The request target is longer than {MAX_TARGET} bytes.")
    # Straight from the environ (the config request is the hot path: no header objects made).
    fields = [(key, value) for key, value in environ.items()
              if key.startswith("HTTP_") and isinstance(value, str)]
    if _CONTROL.search("".join(value for _, value in fields)):
        name = next(key for key, value in fields if _CONTROL.search(value))
        raise ApiError(400, f"The {name[5:].replace('_', '-').title()} header holds a "
                            "control character.")
    if sum(len(key) - 5 + len(value) for key, value in fields) > MAX_HEADERS:
        raise ApiError(431, f"The request's header fields are longer than {MAX_HEADERS} bytes.")
    if environ.get("CONTENT_LENGTH") and environ.get("HTTP_TRANSFER_ENCODING"):
        raise ApiError(400, "A request may say Content-Length or Transfer-Encoding, not both.",
                       headers={"Connection": "close"})


def init_app(app: Flask) -> None:
    app.before_request(check_request)
