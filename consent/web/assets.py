"""Static files: versioned URLs with immutable caching, short caching for stable URLs.

`asset_url("demo/shop.css")` gives `/static/demo/shop.css?v=<content hash>`;
a request carrying the current hash may be cached for a year. The widget's
documented URL (`/static/js/consent.js`, no version) is cached briefly and
revalidated with its ETag, so a new release reaches every site within minutes.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Flask, current_app, request, url_for

IMMUTABLE = "public, max-age=31536000, immutable"
STABLE = "public, max-age=600, stale-while-revalidate=86400"


class AssetVersions:
    """Content hashes of static files, recomputed when a file changes."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self._known: dict[str, tuple[int, str]] = {}

    def version(self, filename: str) -> str | None:
        path = (self.root / filename).resolve()
        if self.root.resolve() not in path.parents:
            return None
        try:
            mtime = path.stat().st_mtime_ns
        except OSError:
            return None
        known = self._known.get(filename)
        if known and known[0] == mtime:
            return known[1]
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
        self._known[filename] = (mtime, digest)
        return digest


def asset_url(filename: str) -> str:
    version = current_app.extensions["consent.assets"].version(filename)
    return url_for("static", filename=filename, v=version) if version else \
        url_for("static", filename=filename)


def cache_static(response):
    if request.endpoint != "static" or response.status_code not in (200, 304):
        return response
    filename = (request.view_args or {}).get("filename", "")
    wanted = request.args.get("v")
    current = current_app.extensions["consent.assets"].version(filename)
    response.headers["Cache-Control"] = IMMUTABLE if wanted and wanted == current else STABLE
    return response


def init_app(app: Flask) -> None:
    app.extensions["consent.assets"] = AssetVersions(Path(app.static_folder))
    app.jinja_env.globals["asset_url"] = asset_url
    app.after_request(cache_static)
