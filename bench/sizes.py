"""What the browser downloads: our widget's files against vanilla-cookieconsent 3.1, gzip -9 and brotli.

- the one-request tag's first layer (static/js/consent-embed.js: what /widget.js
  sends besides the visitor's configuration), and its lazily loaded dialog;
- the two-request tag, static/js/consent.js, one self-contained file;
- vanilla-cookieconsent 3.1.0's cookieconsent.umd.js + cookieconsent.css.
"""

from __future__ import annotations

import brotli

from tests.test_widget_bundle import gzipped   # as the budget test measures: `gzip -9c`

from .server import ROOT

BUILT = ROOT / "static" / "js"
FILES = {"first layer": [BUILT / "consent-embed.js"], "dialog": [BUILT / "consent-dialog.js"],
         "two-request": [BUILT / "consent.js"]}
VANILLA_DIR = ROOT / "node_modules" / "vanilla-cookieconsent" / "dist"
VANILLA = [VANILLA_DIR / "cookieconsent.umd.js", VANILLA_DIR / "cookieconsent.css"]
FIRST_LAYER_BUDGET = 4608    # tests/test_widget_bundle.py
TOTAL_BUDGET = 7168


def _sizes(paths) -> dict:
    data = [p.read_bytes() for p in paths]
    return {"raw": sum(len(d) for d in data),
            "gzip": sum(gzipped(p) for p in paths),
            "brotli": sum(len(brotli.compress(d, quality=11)) for d in data)}


def measure() -> dict:
    ours = {name: _sizes(paths) for name, paths in FILES.items()}
    ours["one-request"] = {k: ours["first layer"][k] + ours["dialog"][k] for k in ours["dialog"]}
    return {"ours": ours, "vanilla": _sizes(VANILLA),
            "budget_first_layer": FIRST_LAYER_BUDGET, "budget_total": TOTAL_BUDGET}


if __name__ == "__main__":
    print(measure())
