"""The shop's side of the browser benchmark: its pages, and a server that answers as a CDN would.

A real deployment has two origins: the shop (its pages, its own assets, and
vanilla-cookieconsent if that is its consent manager, self-hosted) and the
consent service (our /widget.js and /static/js/consent-dialog.js). This module
is the shop: a threaded HTTP server on its own port that serves every file
compressed once, ahead of time (gzip -9; Chromium asks plain HTTP for gzip and
deflate only), with a CDN's caching headers.

Pages, each with no consent manager (the baseline), our one tag, or
vanilla-cookieconsent 3.1.0 set up as its documentation's "HTML" section says
(its stylesheet in the head, `<script type="module" src="cookieconsent-config.js">`
at the end of the body, the config importing cookieconsent.umd.js; configured
like our banner: opt-in, four categories, English, `hideFromBots: false`):
- small: the demo shop's storefront (4 products, a gated frame, gated tags);
- catalogue: the same with 3,000 product cards.
"""

from __future__ import annotations

import gzip
import json
import threading
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from .server import ROOT, free_port

VANILLA_DIST = ROOT / "node_modules" / "vanilla-cookieconsent" / "dist"
DEMO = ROOT / "static" / "demo"
PAGES = {"small": 4, "catalogue": 3000}
PRODUCTS = (("Moonlit Pearl Pendant", "Freshwater pearl, 925 silver", "€189"),
            ("Selene Crescent Ring", "18k gold vermeil, moonstone", "€249"),
            ("Aurora Drop Earrings", "Labradorite, sterling silver", "€159"),
            ("Tidal Link Bracelet", "Recycled 14k gold", "€329"))
TYPES = {".html": "text/html; charset=utf-8", ".css": "text/css", ".js": "text/javascript"}

PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>SeleneGleam · Fine jewelry</title>
  <link rel="stylesheet" href="/static/demo/shop.css">
  {head}
  <script type="text/plain" data-category="analytics" src="/static/demo/analytics.js"></script>
  <script type="text/plain" data-category="personalization" src="/static/demo/personalization.js"></script>
  <script type="text/plain" data-category="marketing" src="/static/demo/marketing.js"></script>
</head>
<body>
  <header class="masthead"><a class="brand" href="/">SeleneGleam</a>
    <nav aria-label="Shop"><a href="#collection">Collection</a> <a href="#story">Our story</a></nav></header>
  <main>
    <section class="hero"><h1>Jewelry that catches the moon</h1>
      <p>Hand-finished pieces in recycled gold and silver, shipped worldwide.</p></section>
    <section id="collection" aria-labelledby="collection-title">
      <h2 id="collection-title">The collection</h2>
      <ul class="products">
{products}
      </ul>
    </section>
    <section class="lookbook-frame" aria-labelledby="lookbook-title">
      <h2 id="lookbook-title">Your lookbook</h2>
      <iframe title="Personal lookbook" data-category="personalization"
              data-src="/static/demo/lookbook.html" width="640" height="160"></iframe>
    </section>
  </main>
  <footer class="footer"><p>© SeleneGleam · <a href="#" data-cm-open>Cookie settings</a></p></footer>
  {body}
</body>
</html>
"""
CARD = """        <li class="product"><div class="swatch" aria-hidden="true"></div><h3>{name} No. {n}</h3>
          <p class="material">{material}</p><p class="price">{price}</p>
          <button type="button">Add to bag</button></li>"""

VANILLA_CONFIG = """import './cookieconsent.umd.js';

CookieConsent.run({
  hideFromBots: false,
  mode: 'opt-in',
  guiOptions: {consentModal: {layout: 'box', position: 'bottom right'}},
  categories: {necessary: {enabled: true, readOnly: true}, analytics: {},
               personalization: {}, marketing: {}},
  language: {default: 'en', translations: {en: {
    consentModal: {title: %(title)s, description: %(description)s,
                   acceptAllBtn: 'Accept all', acceptNecessaryBtn: 'Reject all',
                   showPreferencesBtn: 'Customize'},
    preferencesModal: {title: 'Cookie settings', acceptAllBtn: 'Accept all',
                       acceptNecessaryBtn: 'Reject all', savePreferencesBtn: 'Save my choices',
                       closeIconLabel: 'Close', sections: %(sections)s}}}}
});
"""


def page(products: int, head: str = "", body: str = "") -> str:
    cards = "\n".join(CARD.format(name=name, material=material, price=price, n=n + 1)
                      for n in range(products)
                      for name, material, price in [PRODUCTS[n % len(PRODUCTS)]])
    return PAGE.format(head=head, body=body, products=cards)


def variants(service: str, config: dict) -> dict[str, str]:
    """The files of every page in every variant, by path; ``config`` is our English banner's."""
    sections = [{"title": c["title"], "description": c["description"], "linkedCategory": c["id"]}
                for c in config["categories"]]
    files = {
        "/vanilla/cookieconsent.css": (VANILLA_DIST / "cookieconsent.css").read_text(),
        "/vanilla/cookieconsent.umd.js": (VANILLA_DIST / "cookieconsent.umd.js").read_text(),
        "/vanilla/cookieconsent-config.js": VANILLA_CONFIG % {
            "title": json.dumps(config["texts"]["title"]),
            "description": json.dumps(config["texts"]["description"]),
            "sections": json.dumps(sections)},
    }
    for name in ("shop.css", "analytics.js", "personalization.js", "marketing.js", "lookbook.html",
                 "lookbook.js"):
        files[f"/static/demo/{name}"] = (DEMO / name).read_text()
    ours = f'<script src="{service}/widget.js?lang=en"></script>'
    for name, products in PAGES.items():
        files[f"/none/{name}.html"] = page(products)
        files[f"/ours/{name}.html"] = page(products, head=ours)
        files[f"/vanilla/{name}.html"] = page(
            products, head='<link rel="stylesheet" href="/vanilla/cookieconsent.css">',
            body='<script type="module" src="/vanilla/cookieconsent-config.js"></script>')
    return files


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"     # keep-alive, as a CDN

    def __init__(self, files, *args, **kwargs):
        self.files = files
        super().__init__(*args, **kwargs)

    def do_GET(self):  # noqa: N802 (http.server's name)
        path = self.path.split("?", 1)[0]
        found = self.files.get(path)
        if found is None:
            self.send_error(404)
            return
        plain, packed, kind = found
        body = packed if "gzip" in self.headers.get("Accept-Encoding", "") else plain
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        if body is packed:
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Vary", "Accept-Encoding")
        self.send_header("Cache-Control", "no-cache" if kind.startswith("text/html")
                         else "public, max-age=31536000, immutable")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class ShopServer:
    """The shop's origin: ``url`` serves ``files`` (path -> text), each gzipped once."""

    def __init__(self, files: dict[str, str], host: str = "www.shop.test", port: int | None = None):
        self.port = port or free_port()
        self.url = f"http://{host}:{self.port}"
        prepared = {}
        for path, text in files.items():
            data = text.encode()
            prepared[path] = (data, gzip.compress(data, 9, mtime=0), TYPES[Path(path).suffix])
        self.httpd = ThreadingHTTPServer(("127.0.0.1", self.port), partial(_Handler, prepared))
        self.httpd.daemon_threads = True

    def __enter__(self) -> "ShopServer":
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
