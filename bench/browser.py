"""Our widget against vanilla-cookieconsent 3.1 as a real deployment runs, in one Chromium run.

The shop's pages come from its own origin (bench/pages.py: http://www.shop.test,
files gzipped as a CDN serves them, vanilla-cookieconsent self-hosted there);
our one tag loads /widget.js from the consent service on another origin
(http://consent.shop.test, the service as `make serve` runs it, production
mode, its own compression). A German visitor (through the service's one
trusted proxy hop) on a first visit: a fresh browser context per page load, so
cold caches and new connections on both sides.

Network conditions (Chrome DevTools Protocol, Network.emulateNetworkConditions):
none added; a 40 ms round trip; and Lighthouse's mobile profile, 150 ms and
1.6 Mbit/s down, 750 kbit/s up. Pages: the small storefront and a 3,000-card
catalogue. Variants: no consent manager (the baseline), ours, vanilla. Every
(profile, page, variant) load is repeated in interleaved rounds (the variants'
order rotated each round); medians are reported.

Per load:
- banner visible: performance.now() at the first animation frame in which the
  banner has a box, is displayed and not fully transparent;
- script time: Chromium's ScriptDuration for the page once the network is idle
  (our lazily loaded dialog included), minus the baseline page's;
- bytes: what the consent manager's own requests transferred (encoded, as on
  the wire), before the banner and in all.
"""

from __future__ import annotations

import statistics

import requests
from playwright.sync_api import sync_playwright

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS  # the tests' own launch settings

from .pages import PAGES, ShopServer, variants
from .server import BenchServer, free_port

GERMAN_VISITOR = {"X-Forwarded-For": "85.214.132.117"}
SERVICE_HOST = "consent.shop.test"
VARIANTS = ("none", "ours", "vanilla")
MBIT = 1024 * 1024 / 8
PROFILES = {   # latency in ms, throughput in bytes/s (-1: unlimited)
    "no added latency": {"latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    "40 ms round trip": {"latency": 40, "downloadThroughput": -1, "uploadThroughput": -1},
    "150 ms, 1.6 Mbit/s": {"latency": 150, "downloadThroughput": 1.6 * MBIT,
                           "uploadThroughput": 0.75 * MBIT},
}
# Each consent manager's own files: what it costs a page, in bytes.
OWN_FILES = {"ours": ("/widget.js", "/static/js/consent-dialog.js", "/api/"),
             "vanilla": ("/vanilla/cookieconsent",)}

# Runs before any page script: watches for the banner and sums layout shifts.
PROBE = """
(() => {
  const visible = (el) => {
    if (!el) return false;
    const box = el.getBoundingClientRect(), style = getComputedStyle(el);
    return box.width > 0 && box.height > 0 && style.visibility !== 'hidden'
      && style.display !== 'none' && parseFloat(style.opacity) > 0;
  };
  const banner = () => {
    const host = document.querySelector('[data-cm-host]');
    const ours = host && host.shadowRoot && host.shadowRoot.querySelector('[data-cm="banner"]');
    return ours || document.querySelector('#cc-main .cm');
  };
  window.__cls = 0;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if (!e.hadRecentInput) window.__cls += e.value;
  }).observe({type: 'layout-shift', buffered: true});
  const look = () => {
    if (visible(banner())) { window.__bannerVisible = performance.now(); return; }
    requestAnimationFrame(look);
  };
  requestAnimationFrame(look);
})();
"""


def _new_page(browser, conditions: dict):
    context = browser.new_context(extra_http_headers=GERMAN_VISITOR)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", {"offline": False, **conditions})
    cdp.send("Performance.enable")
    return context, page, cdp


def _settle(page, started: dict, done: set, quiet_ms: int = 500, limit_ms: int = 20000) -> None:
    """Wait until no request of the page has been in flight for ``quiet_ms`` (our lazily
    loaded dialog comes after the load event: its cost counts)."""
    quiet = waited = 0
    while quiet < quiet_ms and waited < limit_ms:
        page.wait_for_timeout(50)
        waited += 50
        quiet = quiet + 50 if set(started) <= done else 0


def _load(browser, url: str, variant: str, conditions: dict) -> dict:
    context, page, cdp = _new_page(browser, conditions)
    try:
        page.add_init_script(PROBE)
        urls, sizes, finished_at, done = {}, {}, {}, set()

        def finished(event):
            sizes[event["requestId"]] = event["encodedDataLength"]
            finished_at[event["requestId"]] = event["timestamp"]
            done.add(event["requestId"])

        cdp.on("Network.requestWillBeSent", lambda e: urls.setdefault(e["requestId"], e["request"]["url"]))
        cdp.on("Network.loadingFinished", finished)
        cdp.on("Network.loadingFailed", lambda e: done.add(e["requestId"]))
        page.goto(url, wait_until="load", timeout=60000)
        if variant != "none":
            page.wait_for_function("window.__bannerVisible !== undefined", timeout=30000)
        _settle(page, urls, done)
        metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
        visible = page.evaluate("window.__bannerVisible ?? null")
        # performance.now() counts from the navigation's start, which CDP's metrics give on the
        # monotonic clock of its network events.
        start = metrics["NavigationStart"]
        own = [rid for rid, u in urls.items() if any(part in u for part in OWN_FILES.get(variant, ()))]
        before = [rid for rid in own if visible is not None and rid in finished_at
                  and (finished_at[rid] - start) * 1000 <= visible]
        return {"visible_ms": visible,
                "script_ms": metrics["ScriptDuration"] * 1000,
                "task_ms": metrics["TaskDuration"] * 1000,
                "cls": page.evaluate("window.__cls"),
                "bytes": sum(sizes.get(rid, 0) for rid in own),
                "bytes_before_banner": sum(sizes.get(rid, 0) for rid in before),
                "requests": len(own)}
    finally:
        context.close()


def _returning_visitor(browser, url: str) -> dict:
    """Requests our widget makes before the load event once a choice is stored, and whether a banner shows."""
    context = browser.new_context(extra_http_headers=GERMAN_VISITOR)
    try:
        page = context.new_page()
        page.goto(url, wait_until="load")
        page.wait_for_function("window.ConsentManager !== undefined")
        page.evaluate("window.ConsentManager.acceptAll()")
        page.wait_for_function("document.cookie.includes('cm_consent=')")
        page.wait_for_timeout(500)   # let the receipt go out
        seen, loaded = [], []
        page.on("load", lambda: loaded.append(True))
        page.on("request", lambda r: seen.append((r.url, bool(loaded))))
        page.reload(wait_until="load")
        page.wait_for_timeout(300)
        banner_shown = page.evaluate(
            "(() => { const h = document.querySelector('[data-cm-host]');"
            " const s = h && h.shadowRoot && h.shadowRoot.querySelector('[data-cm=\"banner\"]');"
            " return !!(s && s.getBoundingClientRect().height > 0); })()")
        api = [u for u, after in seen if "/api/" in u]
        return {"widget_requests_before_load": sum(1 for u, after in seen if "/api/" in u and not after),
                "api_requests": len(api), "banner_shown": banner_shown}
    finally:
        context.close()


def measure(rounds: int = 8) -> dict:
    shop_port = free_port()
    shop_origin = f"http://www.shop.test:{shop_port}"
    with BenchServer(CONSENT_ALLOWED_ORIGINS=shop_origin) as service, sync_playwright() as playwright:
        public = f"http://{SERVICE_HOST}:{service.port}"
        config = requests.get(f"{service.url}/api/v1/config?lang=en", headers=GERMAN_VISITOR, timeout=10).json()
        with ShopServer(variants(public, config), port=shop_port) as shop:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                combos = [(profile, name) for profile in PROFILES for name in PAGES]
                for variant in VARIANTS:                      # warm the servers' caches
                    _load(browser, f"{shop.url}/{variant}/small.html", variant, PROFILES["no added latency"])
                samples = {(p, n, v): [] for p, n in combos for v in VARIANTS}
                for r in range(rounds):
                    for profile, name in combos:
                        order = VARIANTS[r % 3:] + VARIANTS[:r % 3]
                        for variant in order:
                            samples[(profile, name, variant)].append(_load(
                                browser, f"{shop.url}/{variant}/{name}.html", variant, PROFILES[profile]))
                returning = _returning_visitor(browser, f"{shop.url}/ours/small.html")
            finally:
                browser.close()
    return {"rounds": rounds, "returning": returning,
            "results": _summarise(samples, combos)}


def _summarise(samples: dict, combos: list) -> list[dict]:
    out = []
    for profile, name in combos:
        def median(variant, key):
            values = [s[key] for s in samples[(profile, name, variant)] if s[key] is not None]
            return statistics.median(values) if values else None

        baseline = median("none", "script_ms")
        row = {"profile": profile, "page": name}
        for variant in ("ours", "vanilla"):
            row[variant] = {
                "banner_visible_ms": median(variant, "visible_ms"),
                "script_ms": median(variant, "script_ms") - baseline,
                "bytes": median(variant, "bytes"),
                "bytes_before_banner": median(variant, "bytes_before_banner"),
                "cls": max(s["cls"] for s in samples[(profile, name, variant)]),
            }
        out.append(row)
    return out


if __name__ == "__main__":
    import json

    print(json.dumps(measure(rounds=2), indent=2))
