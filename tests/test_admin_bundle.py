"""static/js/admin.js is the committed esbuild bundle of static/js/admin-src/ with chart.js inside."""

import shutil
import subprocess

from .conftest import ROOT


def test_committed_bundle_matches_a_fresh_build():
    node = shutil.which("node")
    assert node, "node is needed to check the admin bundle (make test installs node_modules)"
    result = subprocess.run([node, "scripts/build-admin.mjs", "--check"], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr or result.stdout


def test_bundle_carries_chart_js_and_its_licence_and_loads_nothing_remote():
    bundle = (ROOT / "static/js/admin.js").read_text()
    assert "Chart.js v4.6.1" in bundle and "Released under the MIT License" in bundle
    assert "https://cdn" not in bundle and "//unpkg" not in bundle


def test_dashboard_page_loads_only_local_assets(client):
    from .test_admin import sign_in

    sign_in(client)
    page = client.get("/admin").get_data(as_text=True)
    # versioned URLs (cached for a year, a new build gets a new URL)
    assert 'src="/static/js/admin.js?v=' in page and 'href="/static/css/admin.css?v=' in page
    assert "http://" not in page and "https://" not in page
