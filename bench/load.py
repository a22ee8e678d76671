"""Throughput and latency under wrk, as ratios measured side by side in interleaved rounds.

wrk drives each target in turn (trivial, config, receipt, trivial, ...) so
that noise from the shared machine hits them all. ``measure_targets`` takes
any set of targets on any servers (ours, the c15t peer: bench/peer.py), each
a URL and the Lua script that shapes its requests; ``measure`` is the config
and receipt figures of ``make bench``.
"""

from __future__ import annotations

import json
import re
import statistics
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .server import BenchServer

GERMAN_VISITOR = "85.214.132.117"   # located through the embedded GeoLite2 file
RECEIPT = {"revision": 1, "method": "custom", "gpc": False, "lang": "de",
           "page": "https://www.selenegleam.example/rings",
           "choices": {"analytics": True, "personalization": False, "marketing": False}}


@dataclass(frozen=True)
class Target:
    """One thing wrk hammers: a full URL and the Lua script that shapes each request."""

    url: str
    script: str = ""


def lua_request(method: str = "GET", headers: dict | None = None, body: str | None = None) -> str:
    """A wrk script sending the same request every time."""
    lines = [f'wrk.method = "{method}"']
    lines += [f'wrk.headers["{name}"] = "{value}"' for name, value in (headers or {}).items()]
    if body:
        lines.append(f"wrk.body = [[{body}]]")
    return "\n".join(lines) + "\n"


def _lua(method: str, body: str | None) -> str:
    """Our German visitor through one trusted proxy hop; a body goes as text/plain (widget)."""
    headers = {"X-Forwarded-For": GERMAN_VISITOR, "Accept-Language": "de-DE,de;q=0.9"}
    if body:
        headers["Content-Type"] = "text/plain"
    return lua_request(method, headers, body)


def _duration_ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if not match:
        raise ValueError(f"wrk printed a latency I cannot read: {text!r}")
    value, unit = match.groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def run_wrk(url: str, script: str, seconds: int, connections: int, threads: int = 2) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
    out = subprocess.run(["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency",
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


def measure_targets(targets: dict[str, Target], rounds: int = 3, seconds: int = 8,
                    connections: int = 10, threads: int = 1, between=None, cpu=None) -> dict:
    """Medians over interleaved rounds: every target once per round, in the order given.

    ``between(name)``, if given, runs after each wrk run (e.g. to sample memory);
    ``cpu(name)``, the CPU seconds its server has used so far, adds ``cpu_us``:
    server CPU per request, which the machine's other load disturbs far less
    than requests/s.
    """
    runs: dict[str, list[dict]] = {name: [] for name in targets}
    for target in targets.values():                           # warm every worker
        run_wrk(target.url, target.script, 1, connections, threads)
    for _ in range(rounds):
        for name, target in targets.items():
            before = cpu(name) if cpu else 0.0
            sample = run_wrk(target.url, target.script, seconds, connections, threads)
            if cpu:
                sample["cpu_us"] = (cpu(name) - before) / max(sample["requests"], 1) * 1e6
            runs[name].append(sample)
            if between:
                between(name)
    return {name: {
        "rps": statistics.median(s["rps"] for s in samples),
        "p50_ms": statistics.median(s["p50_ms"] for s in samples),
        "p99_ms": statistics.median(s["p99_ms"] for s in samples),
        "errors": sum(s["errors"] for s in samples),
        "requests": sum(s["requests"] for s in samples),
        "rounds": [round(s["rps"]) for s in samples],
        **({"cpu_us": statistics.median(s["cpu_us"] for s in samples)} if cpu else {}),
    } for name, samples in runs.items()}


def our_targets(url: str) -> dict[str, Target]:
    """Our trivial endpoint, config and receipt requests on the server at ``url``."""
    return {
        "trivial": Target(url + "/livez", _lua("GET", None)),
        "config": Target(url + "/api/v1/config?lang=de", _lua("GET", None)),
        "receipt": Target(url + "/api/v1/consents", _lua("POST", json.dumps(RECEIPT))),
    }


def measure(rounds: int = 3, seconds: int = 6, connections: int = 32) -> dict:
    with BenchServer() as server:
        result = measure_targets(our_targets(server.url), rounds, seconds, connections, threads=2)
        result["receipts_stored"] = _count_receipts(server.database)
    return result


def _count_receipts(database: Path) -> int:
    import sqlite3

    with sqlite3.connect(database) as db:
        return db.execute("SELECT count(*) FROM receipts").fetchone()[0]


if __name__ == "__main__":
    print(json.dumps(measure(rounds=1, seconds=3), indent=2))
