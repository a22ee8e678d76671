"""What the browser downloads: our widget against vanilla-cookieconsent 3.1, gzip -9 and brotli."""

from __future__ import annotations

import gzip

import brotli

from .server import ROOT

OURS = [ROOT / "static" / "js" / "consent.js"]     # the CSS is inlined into the bundle
VANILLA_DIR = ROOT / "node_modules" / "vanilla-cookieconsent" / "dist"
VANILLA = [VANILLA_DIR / "cookieconsent.umd.js", VANILLA_DIR / "cookieconsent.css"]
BUDGET = 6144


def _sizes(paths) -> dict:
    data = [p.read_bytes() for p in paths]
    return {"raw": sum(len(d) for d in data),
            "gzip": sum(len(gzip.compress(d, 9, mtime=0)) for d in data),
            "brotli": sum(len(brotli.compress(d, quality=11)) for d in data)}


def measure() -> dict:
    return {"ours": _sizes(OURS), "vanilla": _sizes(VANILLA), "budget_gzip": BUDGET}


if __name__ == "__main__":
    print(measure())
