"""Throughput and latency of config and receipt requests, as ratios to a trivial endpoint.

wrk drives the same gunicorn server in interleaved rounds (trivial, config,
receipt, trivial, ...) so that noise from the shared machine hits all three.
"""

from __future__ import annotations

import json
import re
import statistics
import subprocess
import tempfile
from pathlib import Path

from .server import BenchServer

GERMAN_VISITOR = "85.214.132.117"   # located through the embedded GeoLite2 file
RECEIPT = {"revision": 1, "method": "custom", "gpc": False, "lang": "de",
           "page": "https://www.selenegleam.example/rings",
           "choices": {"analytics": True, "personalization": False, "marketing": False}}


def _lua(method: str, body: str | None) -> str:
    lines = [f'wrk.method = "{method}"',
             f'wrk.headers["X-Forwarded-For"] = "{GERMAN_VISITOR}"',
             'wrk.headers["Accept-Language"] = "de-DE,de;q=0.9"']
    if body:
        lines += ['wrk.headers["Content-Type"] = "text/plain"',
                  f"wrk.body = [[{body}]]"]
    return "\n".join(lines) + "\n"


def _duration_ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if not match:
        raise ValueError(f"wrk printed a latency I cannot read: {text!r}")
    value, unit = match.groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def run_wrk(url: str, script: str, seconds: int, connections: int) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency",
                          "-s", f.name, url], capture_output=True, text=True, check=True).stdout
    Path(f.name).unlink()
    if "Requests/sec" not in out or "50%" not in out:
        raise RuntimeError(f"wrk gave no result for {url}:\n{out}")
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50_ms": _duration_ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1)),
        "p99_ms": _duration_ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1)),
        "errors": errors + (int(non_2xx.group(1)) if non_2xx else 0),
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
    }


def measure(rounds: int = 3, seconds: int = 6, connections: int = 32) -> dict:
    targets = {
        "trivial": ("/livez", _lua("GET", None)),
        "config": ("/api/v1/config?lang=de", _lua("GET", None)),
        "receipt": ("/api/v1/consents", _lua("POST", json.dumps(RECEIPT))),
    }
    runs: dict[str, list[dict]] = {name: [] for name in targets}
    with BenchServer() as server:
        for name, (path, script) in targets.items():          # warm every worker
            run_wrk(server.url + path, script, 1, connections)
        for _ in range(rounds):
            for name, (path, script) in targets.items():
                runs[name].append(run_wrk(server.url + path, script, seconds, connections))
        stored = _count_receipts(server.database)
    result = {}
    for name, samples in runs.items():
        result[name] = {
            "rps": statistics.median(s["rps"] for s in samples),
            "p50_ms": statistics.median(s["p50_ms"] for s in samples),
            "p99_ms": statistics.median(s["p99_ms"] for s in samples),
            "errors": sum(s["errors"] for s in samples),
            "requests": sum(s["requests"] for s in samples),
        }
    result["receipts_stored"] = stored
    return result


def _count_receipts(database: Path) -> int:
    import sqlite3

    with sqlite3.connect(database) as db:
        return db.execute("SELECT count(*) FROM receipts").fetchone()[0]


if __name__ == "__main__":
    print(json.dumps(measure(rounds=1, seconds=3), indent=2))
