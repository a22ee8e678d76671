"""`make bench`: every figure of docs/performance.md, measured side by side in one run.

    .venv/bin/python -m bench.run [--quick]

Prints one table (figure, ours, comparison, ratio, target, met?) and writes the
raw numbers to bench/results.json. --quick uses fewer rounds and 100k instead
of 1M seeded receipts, to check the harness, not to quote; --only sizes browser ... runs some
parts (sizes, geo, browser, serving, load, receipts, stats).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

from . import browser, geo, load, receipts, serving, sizes, stats_bench

RESULTS = Path(__file__).resolve().parent / "results.json"


def row(figure, ours, other, ratio, target, met) -> list[str]:
    """One table row; ``met`` is None for a figure without a target."""
    return [figure, ours, other, ratio, target, "-" if met is None else "yes" if met else "NO"]


# Issue 11's targets for the browser figures: (page, profile) -> ratio to vanilla, at most.
BANNER_TARGETS = {("small", "no added latency"): 1.0, ("small", "40 ms round trip"): 1.0,
                  ("small", "150 ms, 1.6 Mbit/s"): 0.8, ("catalogue", None): 0.5}
SCRIPT_TARGETS = {"small": 1.0, "catalogue": 0.6}


def _ratio(ours: float, other: float) -> str:
    return f"{ours / other:.2f}x" if other else "-"


def size_rows(s: dict) -> list[list[str]]:
    ours, vanilla = s["ours"], s["vanilla"]["gzip"]
    first, one, two = ours["first layer"]["gzip"], ours["one-request"]["gzip"], ours["two-request"]["gzip"]
    return [
        row("widget before the first banner (first layer), gzip -9", f"{first} B",
            f"vanilla-cookieconsent 3.1 JS+CSS: {vanilla} B", _ratio(first, vanilla),
            f"<= {s['budget_first_layer']} B", first <= s["budget_first_layer"]),
        row("everything the one-request tag can load, gzip -9", f"{one} B", f"{vanilla} B",
            _ratio(one, vanilla), f"<= {s['budget_total']} B", one <= s["budget_total"]),
        row("everything the two-request tag (consent.js) can load, gzip -9", f"{two} B",
            f"{vanilla} B", _ratio(two, vanilla), f"<= {s['budget_total']} B", two <= s["budget_total"]),
        row("one-request tag, brotli 11", f"{ours['one-request']['brotli']} B",
            f"{s['vanilla']['brotli']} B", _ratio(ours["one-request"]["brotli"], s["vanilla"]["brotli"]),
            "-", None),
    ]


def receipt_rows(r: dict) -> list[list[str]]:
    """Receipts against the c15t backend's POST /subjects, per engine and server, same run."""
    peer, peer_memory = r["c15t subjects"], r["memory_kib"]["c15t"]
    rows = []
    for side, rss in r["memory_kib"].items():
        if side == "c15t":
            continue
        receipt, trivial = r[f"{side} receipt"], r[f"{side} trivial"]
        rows += [
            row(f"receipts/s, {side} (wrk -t1 -c10)", f"{receipt['rps']:.0f}",
                f"c15t POST /subjects: {peer['rps']:.0f}", f"{receipt['rps'] / peer['rps']:.2f}x",
                ">= 5x", receipt["rps"] >= 5 * peer["rps"]),
            row(f"receipt p99, {side}", f"{receipt['p99_ms']:.1f} ms",
                f"c15t: {peer['p99_ms']:.1f} ms", f"{receipt['p99_ms'] / peer['p99_ms']:.2f}x",
                "<= c15t", receipt["p99_ms"] <= peer["p99_ms"]),
            row(f"receipts/s against own trivial, {side}", f"{receipt['rps']:.0f}",
                f"/livez: {trivial['rps']:.0f}", f"{receipt['rps'] / trivial['rps']:.2f}x", "-",
                None),
            row(f"server CPU per receipt, {side}", f"{receipt['cpu_us']:.0f} us",
                f"c15t: {peer['cpu_us']:.0f} us", f"{receipt['cpu_us'] / peer['cpu_us']:.2f}x",
                "-", None),
            row(f"server memory (RSS, all processes), {side}", f"{rss / 1024:.0f} MiB",
                f"c15t: {peer_memory / 1024:.0f} MiB", f"{rss / peer_memory:.2f}x", "-", None),
            row(f"acknowledged receipts stored, {side}", str(r["stored"][side]),
                f"{receipt['requests'] - receipt['errors']} acknowledged in the rounds", "-",
                ">= acknowledged, 0 errors",
                r["stored"][side] >= receipt["requests"] - receipt["errors"]
                and receipt["errors"] == 0),
        ]
    return rows


def browser_rows(b: dict) -> list[list[str]]:
    rows = []
    for result in b["results"]:
        page, profile, ours, theirs = result["page"], result["profile"], result["ours"], result["vanilla"]
        where = f"{page} page, {profile}"
        banner = BANNER_TARGETS.get((page, profile), BANNER_TARGETS.get((page, None)))
        visible, other = ours["banner_visible_ms"], theirs["banner_visible_ms"]
        rows.append(row(f"banner visible, {where}", f"{visible:.0f} ms", f"vanilla: {other:.0f} ms",
                        _ratio(visible, other), f"<= {banner}x", visible <= banner * other))
        script, other_script = ours["script_ms"], theirs["script_ms"]
        target = SCRIPT_TARGETS[page]
        rows.append(row(f"script time (page minus bare page), {where}", f"{script:.1f} ms",
                        f"vanilla: {other_script:.1f} ms", _ratio(script, max(other_script, 0.1)),
                        f"<= {target}x", script <= target * other_script))
        rows.append(row(f"bytes on the wire before the banner / in all, {where}",
                        f"{ours['bytes_before_banner']:.0f} / {ours['bytes']:.0f} B",
                        f"vanilla: {theirs['bytes_before_banner']:.0f} / {theirs['bytes']:.0f} B",
                        _ratio(ours["bytes"], theirs["bytes"]), "-", None))
    cls = max(max(r["ours"]["cls"] for r in b["results"]), 0)
    returning = b["returning"]
    rows += [
        row("layout shift (CLS, worst load)", f"{cls:.3f}", "-", "-", "0", cls == 0),
        row("returning visitor: API requests before load / banner", str(returning["widget_requests_before_load"]),
            f"banner shown: {returning['banner_shown']}", "-", "0, no banner",
            returning["widget_requests_before_load"] == 0 and not returning["banner_shown"]),
    ]
    return rows


def serving_rows(v: dict) -> list[list[str]]:
    rows = []
    for kind in ("trivial", "config", "receipt"):
        g, u = v[f"granian {kind}"], v[f"gunicorn {kind}"]
        rows.append(row(f"{kind} requests/s, granian vs gunicorn (wrk -t1 -c10)",
                        f"{g['rps']:.0f} (p99 {g['p99_ms']:.1f} ms, {g['cpu_us']:.0f} us CPU)",
                        f"gunicorn: {u['rps']:.0f} (p99 {u['p99_ms']:.1f} ms, {u['cpu_us']:.0f} us CPU)",
                        _ratio(g["rps"], u["rps"]), "choose by measurement", None))
    if v.get("peer"):
        init = v["c15t init"]
        for name, label in (("granian config by header", "located by a CDN header, as c15t"),
                            ("granian config", "located by GeoIP")):
            ours = v[name]
            met = ours["rps"] >= 1.5 * init["rps"] and ours["p99_ms"] <= init["p99_ms"] and ours["errors"] == 0
            rows.append(row(f"GET /api/v1/config vs c15t GET /api/c15t/init, {label}",
                            f"{ours['rps']:.0f}/s, p99 {ours['p99_ms']:.1f} ms, {ours['errors']} errors",
                            f"c15t: {init['rps']:.0f}/s, p99 {init['p99_ms']:.1f} ms",
                            _ratio(ours["rps"], init["rps"]),
                            ">= 1.5x, p99 <=, 0 errors" if "header" in name else "-",
                            met if "header" in name else None))
    else:
        rows.append(row("GET /api/v1/config vs c15t /init", "not measured: the c15t peer (bench/peer.py) "
                        "is not on this branch", "-", "-", ">= 1.5x", None))
    return rows


def table(r: dict) -> list[list[str]]:
    rows = []
    if "sizes" in r:
        rows += size_rows(r["sizes"])
    if "browser" in r:
        rows += browser_rows(r["browser"])
    if "serving" in r:
        rows += serving_rows(r["serving"])
    if "load" in r:
        w = r["load"]
        trivial, config, receipt = w["trivial"], w["config"], w["receipt"]
        errors = trivial["errors"] + config["errors"] + receipt["errors"]
        rows += [
            row("config requests/s (wrk -c32, granian)", f"{config['rps']:.0f}",
                f"trivial JSON: {trivial['rps']:.0f}", f"{config['rps'] / trivial['rps']:.2f}x",
                ">= 0.8x", config["rps"] / trivial["rps"] >= 0.8),
            row("config p50 / p99", f"{config['p50_ms']:.1f} / {config['p99_ms']:.1f} ms",
                f"{trivial['p50_ms']:.1f} / {trivial['p99_ms']:.1f} ms", "-", "-", None),
            row("receipt requests/s (wrk -c32, granian)", f"{receipt['rps']:.0f}",
                f"trivial JSON: {trivial['rps']:.0f}", f"{receipt['rps'] / trivial['rps']:.2f}x",
                ">= 0.5x", receipt["rps"] / trivial["rps"] >= 0.5),
            row("receipt p50 / p99", f"{receipt['p50_ms']:.1f} / {receipt['p99_ms']:.1f} ms",
                f"{trivial['p50_ms']:.1f} / {trivial['p99_ms']:.1f} ms", "-", "-", None),
            row("errors under load (socket + non-2xx)", str(errors),
                f"{trivial['requests'] + config['requests'] + receipt['requests']} requests", "-",
                "0", errors == 0),
        ]
    if "stats" in r:
        st = r["stats"]
        stats_ms = max(st["stats_ms"].values())
        rows += [
            row(f"stats query, 90 days over {st['receipts']:,} receipts (slowest group)",
                f"{stats_ms:.1f} ms", f"counted from receipts: {st['from_receipts_ms']:.0f} ms",
                f"{st['from_receipts_ms'] / stats_ms:.0f}x faster", "< 100 ms", stats_ms < 100),
            row("stats over HTTP (group=day, with access log)", f"{st['stats_http_ms']:.1f} ms", "-",
                "-", "< 100 ms", st["stats_http_ms"] < 100),
        ]
    if "receipts" in r:
        rows += receipt_rows(r["receipts"])
    if "geo" in r:
        g = r["geo"]
        rows.append(row("GeoIP lookups/s (GeoLite2 City)", f"{g['lookups_per_s']:,.0f}",
                        f"raw maxminddb reader: {g['raw_reader_per_s']:,.0f}",
                        f"{g['lookups_per_s'] / g['raw_reader_per_s']:.2f}x", "-", None))
    return rows


def render(rows: list[list[str]]) -> str:
    header = ["figure", "ours", "compared with", "ratio", "target", "met"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


PARTS = {
    "sizes": lambda quick: sizes.measure(),
    "geo": lambda quick: geo.measure(count=30_000 if quick else 100_000),
    "browser": lambda quick: browser.measure(rounds=2 if quick else 8),
    "serving": lambda quick: serving.measure(rounds=1 if quick else 3, seconds=3 if quick else 8),
    "load": lambda quick: load.measure(rounds=1 if quick else 3, seconds=3 if quick else 8),
    "receipts": lambda quick: receipts.measure(rounds=1 if quick else 3, seconds=3 if quick else 8,
                                               servers=("gunicorn", "granian")),
    "stats": lambda quick: stats_bench.measure(100_000 if quick else 940_000, with_export=False),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", nargs="+", choices=list(PARTS), help="measure these parts only")
    args = parser.parse_args()
    began = time.monotonic()
    results = {"machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                           "load_before": os.getloadavg()}}
    for name, measure in PARTS.items():
        if not args.only or name in args.only:
            results[name] = measure(args.quick)
    results["machine"]["load_after"] = os.getloadavg()
    results["seconds"] = time.monotonic() - began
    RESULTS.write_text(json.dumps(results, indent=2))
    print(render(table(results)))
    print(f"\n{results['machine']['cpus']} CPUs, load {results['machine']['load_before'][0]:.1f} "
          f"before and {results['machine']['load_after'][0]:.1f} after; "
          f"{results['seconds']:.0f} s; raw figures in {RESULTS.relative_to(Path.cwd())}")


if __name__ == "__main__":
    main()
