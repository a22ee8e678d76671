"""`make bench`: every figure of docs/performance.md, measured side by side in one run.

    .venv/bin/python -m bench.run [--quick]

Prints one table (figure, ours, comparison, ratio, target, met?) and writes the
raw numbers to bench/results.json. --quick uses fewer rounds and 100k instead
of 1M seeded receipts, to check the harness, not to quote.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

from . import browser, geo, load, receipts, sizes, stats_bench

RESULTS = Path(__file__).resolve().parent / "results.json"


def row(figure, ours, other, ratio, target, met) -> list[str]:
    """One table row; ``met`` is None for a figure without a target."""
    return [figure, ours, other, ratio, target, "-" if met is None else "yes" if met else "NO"]


def table(r: dict) -> list[list[str]]:
    s, b, w, st, g = r["sizes"], r["browser"], r["load"], r["stats"], r["geo"]
    ours_gz, vanilla_gz = s["ours"]["gzip"], s["vanilla"]["gzip"]
    ours_b, vanilla_b = b["ours"], b["vanilla"]
    trivial, config, receipt = w["trivial"], w["config"], w["receipt"]
    errors = trivial["errors"] + config["errors"] + receipt["errors"]
    stats_ms = max(st["stats_ms"].values())
    return [
        row("widget JS+CSS, gzip -9", f"{ours_gz} B", f"vanilla-cookieconsent 3.1: {vanilla_gz} B",
            f"{ours_gz / vanilla_gz:.2f}x", "<= 6144 B", ours_gz <= 6144),
        row("widget JS+CSS, brotli 11", f"{s['ours']['brotli']} B",
            f"{s['vanilla']['brotli']} B", f"{s['ours']['brotli'] / s['vanilla']['brotli']:.2f}x",
            "-", None),
        row("navigation to banner visible (median)", f"{ours_b['banner_visible_ms']:.0f} ms",
            f"{vanilla_b['banner_visible_ms']:.0f} ms",
            f"{ours_b['banner_visible_ms'] / vanilla_b['banner_visible_ms']:.2f}x",
            "<= vanilla", ours_b["banner_visible_ms"] <= vanilla_b["banner_visible_ms"]),
        row("widget main-thread time (page minus bare page)", f"{ours_b['main_thread_ms']:.1f} ms",
            f"{vanilla_b['main_thread_ms']:.1f} ms",
            f"{ours_b['main_thread_ms'] / max(vanilla_b['main_thread_ms'], 0.1):.2f}x", "-", None),
        row("widget script time (page minus bare page)", f"{ours_b['script_ms']:.1f} ms",
            f"{vanilla_b['script_ms']:.1f} ms",
            f"{ours_b['script_ms'] / max(vanilla_b['script_ms'], 0.1):.2f}x", "-", None),
        row("layout shift (CLS, worst load)", f"{ours_b['cls']:.3f}", f"{vanilla_b['cls']:.3f}",
            "-", "0", ours_b["cls"] == 0),
        row("returning visitor: widget requests before load",
            str(b["returning"]["widget_requests_before_load"]), "-", "-", "0",
            b["returning"]["widget_requests_before_load"] == 0
            and not b["returning"]["banner_shown"]),
        row("config requests/s (wrk, gunicorn)", f"{config['rps']:.0f}",
            f"trivial JSON: {trivial['rps']:.0f}", f"{config['rps'] / trivial['rps']:.2f}x",
            ">= 0.8x", config["rps"] / trivial["rps"] >= 0.8),
        row("config p50 / p99", f"{config['p50_ms']:.1f} / {config['p99_ms']:.1f} ms",
            f"{trivial['p50_ms']:.1f} / {trivial['p99_ms']:.1f} ms", "-", "-", None),
        row("receipt requests/s (wrk, gunicorn)", f"{receipt['rps']:.0f}",
            f"trivial JSON: {trivial['rps']:.0f}", f"{receipt['rps'] / trivial['rps']:.2f}x",
            ">= 0.5x", receipt["rps"] / trivial["rps"] >= 0.5),
        row("receipt p50 / p99", f"{receipt['p50_ms']:.1f} / {receipt['p99_ms']:.1f} ms",
            f"{trivial['p50_ms']:.1f} / {trivial['p99_ms']:.1f} ms", "-", "-", None),
        row("errors under load (socket + non-2xx)", str(errors),
            f"{trivial['requests'] + config['requests'] + receipt['requests']} requests", "-",
            "0", errors == 0),
        row(f"stats query, 90 days over {st['receipts']:,} receipts (slowest group)",
            f"{stats_ms:.1f} ms", f"counted from receipts: {st['from_receipts_ms']:.0f} ms",
            f"{st['from_receipts_ms'] / stats_ms:.0f}x faster", "< 100 ms", stats_ms < 100),
        row("stats over HTTP (group=day, with access log)", f"{st['stats_http_ms']:.1f} ms", "-",
            "-", "< 100 ms", st["stats_http_ms"] < 100),
        row("GeoIP lookups/s (GeoLite2 City)", f"{g['lookups_per_s']:,.0f}",
            f"raw maxminddb reader: {g['raw_reader_per_s']:,.0f}",
            f"{g['lookups_per_s'] / g['raw_reader_per_s']:.2f}x", "-", None),
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


def render(rows: list[list[str]]) -> str:
    header = ["figure", "ours", "compared with", "ratio", "target", "met"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    began = time.monotonic()
    results = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "load_before": os.getloadavg()},
        "sizes": sizes.measure(),
        "geo": geo.measure(count=30_000 if args.quick else 100_000),
        "browser": browser.measure(rounds=3 if args.quick else 12),
        "load": load.measure(rounds=1 if args.quick else 3, seconds=3 if args.quick else 8),
        "receipts": receipts.measure(rounds=1 if args.quick else 3, seconds=3 if args.quick else 8,
                                     servers=("gunicorn", "granian")),
        "stats": stats_bench.measure(100_000 if args.quick else 940_000, with_export=False),
    }
    results["machine"]["load_after"] = os.getloadavg()
    results["seconds"] = time.monotonic() - began
    RESULTS.write_text(json.dumps(results, indent=2))
    print(render(table(results) + receipt_rows(results["receipts"])))
    print(f"\n{results['machine']['cpus']} CPUs, load {results['machine']['load_before'][0]:.1f} "
          f"before and {results['machine']['load_after'][0]:.1f} after; "
          f"{results['seconds']:.0f} s; raw figures in {RESULTS.relative_to(Path.cwd())}")


if __name__ == "__main__":
    main()
