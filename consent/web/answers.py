"""The widget's hottest answers, each built once: body, ETag and compressed encodings.

GET /api/v1/config and GET /widget.js have few distinct bodies: one per
(region, language, GPC) at this revision, never one per visitor. Each is
serialised, hashed, and compressed with brotli and gzip the first time it is
asked for, then kept (bounded), so that a request only locates the visitor,
picks the body and the encoding its browser accepts, and checks its ETag.
flask-compress leaves an answer alone once it carries a Content-Encoding.

/widget.js is the template static/js/consent-embed.js (scripts/build-widget.mjs)
with the visitor's configuration written in place of its one identifier
``__CONFIG__``: JSON is a JavaScript expression.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
from dataclasses import dataclass
from pathlib import Path

import brotli
from flask import Response, current_app, request

from ..config.settings import ConfigurationError
from ..policy.book import PolicyBook

PLACEHOLDER = "__CONFIG__"
# Preferred first: brotli is smaller, gzip is understood everywhere.
CODINGS = ("br", "gzip")


@dataclass(frozen=True)
class Prebuilt:
    """One answer: its bytes as served, its ETag, and its compressed encodings."""

    body: bytes
    mimetype: str
    etag: str                       # of the identity body; each encoding adds its name
    encoded: dict[str, bytes]

    @classmethod
    def of(cls, body: bytes, mimetype: str) -> "Prebuilt":
        return cls(body, mimetype, hashlib.sha1(body).hexdigest(), {
            "br": brotli.compress(body, quality=11, mode=brotli.MODE_TEXT),
            "gzip": gzip.compress(body, 9, mtime=0),
        })

    def respond(self) -> Response:
        """This answer in the best encoding the request accepts (identity if none), or 304
        when the request names its ETag (If-None-Match) — the caller adds its cache headers."""
        accepted = request.accept_encodings
        coding = next((c for c in CODINGS if accepted[c]), None)
        # A strong ETag names one representation: each encoding has its own.
        etag = f"{self.etag}-{coding}" if coding else self.etag
        if request.if_none_match.contains(etag):
            response = current_app.response_class(status=304, mimetype=self.mimetype)
        else:
            response = current_app.response_class(self.encoded[coding] if coding else self.body,
                                                  mimetype=self.mimetype)
            if coding:
                response.headers["Content-Encoding"] = coding
        response.set_etag(etag)
        response.vary.add("Accept-Encoding")
        return response


class Answers:
    """The config and widget answers of one app (built by ``create_app``)."""

    def __init__(self, book: PolicyBook, template: Path):
        self.book = book
        try:
            text = template.read_text(encoding="utf-8")
        except OSError as error:
            raise ConfigurationError(f"the widget's first layer is missing ({error}): "
                                     "run `make widget`") from None
        if text.count(PLACEHOLDER) != 1:
            raise ConfigurationError(f"{template} does not name {PLACEHOLDER} once: run `make widget`")
        head, tail = text.split(PLACEHOLDER)
        self._head, self._tail = head.encode(), tail.encode()
        # Bounded, though regions x languages x 2 is small; each process fills its own.
        self.config = functools.lru_cache(maxsize=512)(self._config)
        self.script = functools.lru_cache(maxsize=512)(self._script)

    def _config(self, region_code: str, lang: str, gpc: bool) -> Prebuilt:
        region = self.book.catalog.regions[region_code]
        return Prebuilt.of(self.book.visitor_config_json(region, lang, gpc), "application/json")

    def _script(self, region_code: str, lang: str, gpc: bool) -> Prebuilt:
        region = self.book.catalog.regions[region_code]
        config = self.book.visitor_config_json(region, lang, gpc)
        return Prebuilt.of(self._head + config + self._tail, "text/javascript")


def get_answers() -> Answers:
    return current_app.extensions["consent.answers"]
