"""The committed widget bundles: fresh, within their size budgets, texts from data/.

static/js/ holds three built files (scripts/build-widget.mjs):
- consent-embed.js: the one-request tag's first layer, which the service's
  /widget.js answers with the visitor's configuration in place of __CONFIG__;
- consent-dialog.js: its lazily loaded part, the preference dialog;
- consent.js: the two-request tag, one self-contained static file.
They are committed so that neither the service nor a site needs node at run
time; these tests fail when one is stale or too big.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BUILT = ROOT / "static" / "js"
FILES = ("consent.js", "consent-embed.js", "consent-dialog.js")
# What a first banner needs, gzip -9: the widget's own code and styles (the CSS is inside
# the JS), the visitor's configuration not counted (it is not in the template).
FIRST_LAYER_BUDGET = 4608
# Everything the widget can ever load, by either tag.
TOTAL_BUDGET = 7168
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


def build(into: Path) -> dict[str, bytes]:
    node = shutil.which("node")
    assert node, "node is needed to build the widget: `make node` (npm ci) installs the build tools"
    subprocess.run([node, str(ROOT / "scripts" / "build-widget.mjs"), str(into)], cwd=ROOT, check=True,
                   capture_output=True, timeout=120)
    return {name: (into / name).read_bytes() for name in FILES}


@pytest.fixture(scope="module")
def fresh_build(tmp_path_factory) -> dict[str, bytes]:
    return build(tmp_path_factory.mktemp("widget"))


@pytest.mark.parametrize("name", FILES)
def test_committed_bundle_is_a_fresh_build(fresh_build, name):
    assert (BUILT / name).read_bytes() == fresh_build[name], (
        f"static/js/{name} is stale: run `npm run build:widget` (or `make widget`) and commit it")


def test_build_is_deterministic(fresh_build, tmp_path):
    assert build(tmp_path) == fresh_build


def test_size_budgets(capsys):
    size = {name: gzipped(BUILT / name) for name in FILES}
    one_request = size["consent-embed.js"] + size["consent-dialog.js"]
    with capsys.disabled():
        line = (f"\nwidget, gzip -9: one-request tag first layer {size['consent-embed.js']} B (budget "
                f"{FIRST_LAYER_BUDGET}), + dialog {size['consent-dialog.js']} B = {one_request} B; "
                f"consent.js {size['consent.js']} B (budget {TOTAL_BUDGET} for each tag)")
        vanilla = [VANILLA / "cookieconsent.umd.js", VANILLA / "cookieconsent.css"]
        if all(path.exists() for path in vanilla):
            line += f"; vanilla-cookieconsent 3.1.0 JS + CSS {sum(gzipped(p) for p in vanilla)} B"
        print(line)
    assert size["consent-embed.js"] <= FIRST_LAYER_BUDGET, "the first layer is over its budget"
    assert one_request <= TOTAL_BUDGET, "the one-request tag's first layer and dialog are over budget"
    assert size["consent.js"] <= TOTAL_BUDGET, "consent.js is over budget"


def test_the_first_layer_has_no_dialog_and_no_built_in_texts():
    """What moved out of the first layer stays out: the dialog and the fallback configuration."""
    template = (BUILT / "consent-embed.js").read_text()
    en = json.loads((ROOT / "data" / "locales" / "en.json").read_text())
    assert "showModal" not in template
    for text in (en["banner"]["opt-in"]["title"], en["dialog"]["title"], en["buttons"]["save"]):
        assert text not in template, text
    assert "showModal" in (BUILT / "consent-dialog.js").read_text()


def test_the_template_takes_the_configuration_in_one_place():
    assert (BUILT / "consent-embed.js").read_text().count("__CONFIG__") == 1


def test_the_first_layer_asks_for_this_build_of_the_dialog():
    """The lazy part's URL carries its content hash (the immutable ?v= of consent/assets.py)."""
    dialog = BUILT / "consent-dialog.js"
    version = hashlib.sha256(dialog.read_bytes()).hexdigest()[:12]
    assert f"/static/js/consent-dialog.js?v={version}" in (BUILT / "consent-embed.js").read_text()
    # ...and the id the lazy part hands itself over with is the one the first layer accepts.
    [registered] = re.findall(r'\?\.\("([0-9a-f]{12})"', dialog.read_text())
    assert f'"{registered}"' in (BUILT / "consent-embed.js").read_text()


def test_fallback_texts_come_from_the_english_locale():
    bundle = (BUILT / "consent.js").read_text()
    en = json.loads((ROOT / "data" / "locales" / "en.json").read_text())
    needed = [en["banner"]["opt-in"]["title"], en["banner"]["opt-in"]["description"],
              *(en["buttons"][key] for key in ("accept_all", "reject_all", "customize", "save")),
              *(en["categories"][key]["title"] for key in en["categories"])]
    for text in needed:
        assert json.dumps(text)[1:-1] in bundle or text in bundle, text


@pytest.mark.parametrize("name", FILES)
def test_internal_names_are_minified(name):
    bundle = (BUILT / name).read_text()
    for internal in ("_choices", "_record", "_config", "_method", "_hand", "_open"):
        assert not re.search(rf"(?<![\w$]){internal}\b", bundle), internal


@pytest.mark.parametrize("name", ["consent.js", "consent-embed.js"])
def test_the_public_api_keeps_its_names(name):
    bundle = (BUILT / name).read_text()
    for public in ("ConsentManager", "acceptAll", "rejectAll", "withdraw", "cm:change",
                   "cm_consent_update", "adoptedStyleSheets", "data-cm-host", "data-cm-action"):
        assert public in bundle, public
