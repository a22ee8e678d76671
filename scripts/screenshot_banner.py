"""Screenshots of the real banner and dialog for the README: docs/widget-*.png.

Runs the demo shop under gunicorn on 127.0.0.1 (demo mode, its own temporary
database, the embedded GeoLite2 file with the demo's ?region= switch) and
photographs it in Debian's Chromium, as the browser tests do.

    .venv/bin/python scripts/screenshot_banner.py      (or: make screenshots)
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.conftest import LiveServer  # noqa: E402  (the tests' own gunicorn runner)
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

SHOTS = {"widget-banner.png": "banner", "widget-dialog.png": "dialog"}


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        server = LiveServer({"CONSENT_MODE": "demo", "CONSENT_DATABASE": f"{tmp}/consent.db",
                             "CONSENT_SECRET_KEY": "screenshot-secret-key-0123456789abcdef"}, workers=1)
        server.start()
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 1100, "height": 640}, reduced_motion="reduce")
                page.goto(f"{server.url}/?region=DE")
                page.locator("[data-cm-host] section").wait_for()
                page.screenshot(path=ROOT / "docs" / "widget-banner.png")
                page.set_viewport_size({"width": 1100, "height": 900})
                page.get_by_role("button", name="Customize").click()
                page.get_by_role("dialog").wait_for()
                page.screenshot(path=ROOT / "docs" / "widget-dialog.png")
                browser.close()
        finally:
            server.stop()
    for name in SHOTS:
        print(f"wrote docs/{name}")


if __name__ == "__main__":
    main()
