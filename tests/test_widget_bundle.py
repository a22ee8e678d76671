"""The committed widget bundle: fresh, within its size budget, texts from data/.

static/js/consent.js is committed so that neither the service nor a site needs
node at run time; these tests fail when it is stale or too big.
"""

from __future__ import annotations

import gzip
import io
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BUNDLE = ROOT / "static" / "js" / "consent.js"
# JS and CSS together, gzip -9, what a browser downloads (the CSS is inside the JS).
BUDGET = 6144
# For scale: vanilla-cookieconsent 3.1.0's JS + CSS, gzip -9.
VANILLA = ROOT / "node_modules" / "vanilla-cookieconsent" / "dist"


def gzipped(path: Path) -> int:
    """Bytes of `gzip -9c <path>` (as the budget hook measures; its header holds the file name)."""
    if shutil.which("gzip"):
        return len(subprocess.run(["gzip", "-9c", str(path)], capture_output=True, check=True).stdout)
    buffer = io.BytesIO()
    with gzip.GzipFile(filename=path.name, mode="wb", compresslevel=9, mtime=0, fileobj=buffer) as out:
        out.write(path.read_bytes())
    return len(buffer.getvalue())


@pytest.fixture(scope="module")
def fresh_build(tmp_path_factory) -> bytes:
    node = shutil.which("node")
    assert node, "node is needed to build the widget: `make node` (npm ci) installs the build tools"
    out = tmp_path_factory.mktemp("widget") / "consent.js"
    subprocess.run([node, str(ROOT / "scripts" / "build-widget.mjs"), str(out)], cwd=ROOT, check=True,
                   capture_output=True, timeout=60)
    return out.read_bytes()


def test_committed_bundle_is_a_fresh_build(fresh_build):
    assert BUNDLE.read_bytes() == fresh_build, (
        "static/js/consent.js is stale: run `npm run build:widget` (or `make widget`) and commit it")


def test_build_is_deterministic(fresh_build, tmp_path):
    again = tmp_path / "again.js"
    subprocess.run(["node", str(ROOT / "scripts" / "build-widget.mjs"), str(again)], cwd=ROOT,
                   check=True, capture_output=True, timeout=60)
    assert again.read_bytes() == fresh_build


def test_size_budget(capsys):
    size = gzipped(BUNDLE)
    vanilla = [VANILLA / "cookieconsent.umd.js", VANILLA / "cookieconsent.css"]
    with capsys.disabled():
        line = f"\nwidget: consent.js (JS + inlined CSS) {size} bytes gzip -9, budget {BUDGET}"
        if all(path.exists() for path in vanilla):
            theirs = sum(gzipped(path) for path in vanilla)
            line += f"; vanilla-cookieconsent 3.1.0 JS + CSS {theirs} bytes ({theirs / size:.1f}x)"
        print(line)
    assert size <= BUDGET, f"consent.js is {size} bytes gzipped, over the {BUDGET} byte budget"


def test_fallback_texts_come_from_the_english_locale():
    bundle = BUNDLE.read_text()
    en = json.loads((ROOT / "data" / "locales" / "en.json").read_text())
    needed = [en["banner"]["opt-in"]["title"], en["banner"]["opt-in"]["description"],
              *(en["buttons"][key] for key in ("accept_all", "reject_all", "customize", "save")),
              *(en["categories"][key]["title"] for key in en["categories"])]
    for text in needed:
        assert json.dumps(text)[1:-1] in bundle or text in bundle, text


def test_internal_names_are_minified():
    bundle = BUNDLE.read_text()
    for internal in ("_choices", "_record", "_config", "_method"):
        assert not re.search(rf"(?<![\w$]){internal}\b", bundle), internal
    for public in ("ConsentManager", "acceptAll", "rejectAll", "withdraw", "cm:change",
                   "cm_consent_update", "adoptedStyleSheets"):
        assert public in bundle
