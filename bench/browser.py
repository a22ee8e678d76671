"""Our widget against vanilla-cookieconsent 3.1 on the same page, in the same Chromium run.

Three variants of the demo shop are served from one server: without any
consent manager (the baseline), with our one script tag, and with
vanilla-cookieconsent (configured like ours: opt-in, four categories, English,
`hideFromBots: false`, or it hides from automated browsers). Rounds rotate the
order so that noise hits every variant alike. Per page load we record:

- banner visible: performance.now() at the first animation frame where the
  banner has a box, is not hidden and not fully transparent;
- main-thread time: Chromium's TaskDuration for the page, minus the baseline's;
- layout shift: the sum of layout-shift entries (CLS);
- requests the consent manager made before the load event.
"""

from __future__ import annotations

import re
import statistics

import requests
from playwright.sync_api import sync_playwright

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS  # the tests' own launch settings

from .server import ROOT, BenchServer

GERMAN_VISITOR = {"X-Forwarded-For": "85.214.132.117"}
VANILLA = ROOT / "node_modules" / "vanilla-cookieconsent" / "dist"
OUR_TAG = re.compile(r'<script src="[^"]*/static/js/consent\.js"[^>]*></script>')

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
    const ours = host && host.shadowRoot && host.shadowRoot.querySelector('section');
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

VANILLA_INIT = """
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


def _pages(server_url: str) -> dict[str, str]:
    shop = requests.get(f"{server_url}/?region=", headers=GERMAN_VISITOR, timeout=10).text
    assert OUR_TAG.search(shop), "the demo page no longer has the documented script tag"
    config = requests.get(f"{server_url}/api/v1/config?lang=en", headers=GERMAN_VISITOR,
                          timeout=10).json()
    import json

    sections = [{"title": c["title"], "description": c["description"], "linkedCategory": c["id"]}
                for c in config["categories"]]
    init = VANILLA_INIT % {"title": json.dumps(config["texts"]["title"]),
                           "description": json.dumps(config["texts"]["description"]),
                           "sections": json.dumps(sections)}
    # As its documentation places it: the stylesheet in the head, the scripts at the end of
    # the body (run() needs document.body).
    vanilla = OUR_TAG.sub('<link rel="stylesheet" href="/bench/vanilla/cookieconsent.css">', shop)
    vanilla = vanilla.replace("</body>", '<script src="/bench/vanilla/cookieconsent.umd.js">'
                              '</script><script src="/bench/vanilla/init.js"></script></body>')
    return {
        "none": OUR_TAG.sub("", shop),
        "ours": shop,
        "vanilla": vanilla,
        "vanilla-init": init,
    }


def _serve(route, pages):
    path = route.request.url.split("/bench/", 1)[1]
    if path == "vanilla/cookieconsent.css":
        route.fulfill(body=(VANILLA / "cookieconsent.css").read_bytes(), content_type="text/css")
    elif path == "vanilla/cookieconsent.umd.js":
        route.fulfill(body=(VANILLA / "cookieconsent.umd.js").read_bytes(),
                      content_type="text/javascript")
    elif path == "vanilla/init.js":
        route.fulfill(body=pages["vanilla-init"], content_type="text/javascript")
    else:
        route.fulfill(body=pages[path], content_type="text/html")


def _load(browser, server_url: str, variant: str, pages: dict) -> dict:
    # The demo sends a strict CSP that forbids the eval Playwright polls with; same for all.
    context = browser.new_context(extra_http_headers=GERMAN_VISITOR, bypass_csp=True)
    try:
        context.route("**/bench/**", lambda route: _serve(route, pages))
        page = context.new_page()
        page.add_init_script(PROBE)
        cdp = context.new_cdp_session(page)
        cdp.send("Performance.enable")
        api_requests = []
        page.on("request", lambda r: "/api/" in r.url and api_requests.append(r.url))
        url = f"{server_url}/" if variant == "ours" else f"{server_url}/bench/{variant}"
        page.goto(url, wait_until="load")
        requests_before_load = len(api_requests)
        if variant != "none":
            page.wait_for_function("window.__bannerVisible !== undefined", timeout=15000)
        page.wait_for_timeout(300)
        metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
        return {"visible_ms": page.evaluate("window.__bannerVisible ?? null"),
                "task_ms": metrics["TaskDuration"] * 1000,
                "script_ms": metrics["ScriptDuration"] * 1000,
                "cls": page.evaluate("window.__cls"),
                "api_requests_before_load": requests_before_load}
    finally:
        context.close()


def _returning_visitor(browser, server_url: str) -> dict:
    """Requests our widget makes before the load event once a choice is stored."""
    # The demo sends a strict CSP that forbids the eval Playwright polls with; same for all.
    context = browser.new_context(extra_http_headers=GERMAN_VISITOR, bypass_csp=True)
    try:
        page = context.new_page()
        page.goto(f"{server_url}/", wait_until="load")
        page.evaluate("window.ConsentManager.acceptAll()")
        page.wait_for_function("document.cookie.includes('cm_consent=')")
        page.wait_for_timeout(500)   # let the receipt go out
        before_load = []
        loaded = {"done": False}
        page.on("load", lambda: loaded.update(done=True))
        page.on("request", lambda r: not loaded["done"] and before_load.append(r.url))
        page.reload(wait_until="load")
        widget_requests = [u for u in before_load if "/api/" in u]
        banner_shown = page.evaluate(
            "(() => { const h = document.querySelector('[data-cm-host]');"
            " const s = h && h.shadowRoot && h.shadowRoot.querySelector('section');"
            " return !!(s && s.getBoundingClientRect().height > 0); })()")
        return {"widget_requests_before_load": len(widget_requests), "banner_shown": banner_shown,
                "all_requests_before_load": len(before_load)}
    finally:
        context.close()


def measure(rounds: int = 12) -> dict:
    with BenchServer(mode="demo") as server, sync_playwright() as playwright:
        pages = _pages(server.url)
        browser = playwright.chromium.launch(executable_path=CHROMIUM,
                                             args=CHROMIUM_ARGS)
        try:
            variants = ["none", "ours", "vanilla"]
            for variant in variants:                       # warm caches and workers
                _load(browser, server.url, variant, pages)
            samples: dict[str, list[dict]] = {v: [] for v in variants}
            for n in range(rounds):
                for variant in variants[n % 3:] + variants[:n % 3]:
                    samples[variant].append(_load(browser, server.url, variant, pages))
            returning = _returning_visitor(browser, server.url)
        finally:
            browser.close()

    def median(variant, key):
        return statistics.median(s[key] for s in samples[variant])

    baseline_task, baseline_script = median("none", "task_ms"), median("none", "script_ms")
    return {
        variant: {
            "banner_visible_ms": median(variant, "visible_ms") if variant != "none" else None,
            "main_thread_ms": median(variant, "task_ms") - baseline_task,
            "script_ms": median(variant, "script_ms") - baseline_script,
            "cls": max(s["cls"] for s in samples[variant]),
            "api_requests_before_load": max(s["api_requests_before_load"]
                                            for s in samples[variant]),
        } for variant in variants
    } | {"returning": returning, "rounds": rounds}


if __name__ == "__main__":
    import json

    print(json.dumps(measure(rounds=4), indent=2))
