"""Browser tests: Debian's Chromium driven by pytest-playwright against the real server."""

from __future__ import annotations

import shutil

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Without these, Chromium keeps dialing Google's services, which this network refuses.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync",
                 "--disable-quic",
                 # Real host names for cookie-domain tests (www.shop.test, blog.shop.test)
                 # that reach the test server on 127.0.0.1.
                 "--host-resolver-rules=MAP *.shop.test 127.0.0.1, MAP shop.test 127.0.0.1",
                 # Test pages that page.route serves count as "public"; let them reach the
                 # test server on loopback as a real site's pages would reach a real service.
                 "--disable-features=LocalNetworkAccessChecks"]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture
def demo_server(live_server):
    """The demo shop served as production runs it (flask consent serve) on 127.0.0.1, its own origin allowed."""
    return live_server(workers=2, CONSENT_MODE="demo")
