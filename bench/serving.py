"""The serving stack, and our config endpoint against the c15t backend's, side by side.

wrk -t1 -c10, 8 s per run, every target once per round in interleaved rounds
(bench/load.py's ``measure_targets``), medians of the rounds:

- granian as `make serve` runs it (`flask consent serve`, a worker per core)
  against gunicorn as gunicorn.conf.py configures it (2 x cores + 1 gthread
  workers x 4 threads, preloaded): our trivial endpoint, GET /api/v1/config
  and POST /api/v1/consents on each. This chose the production server.
- GET /api/v1/config (on the chosen server) against c15t's GET /api/c15t/init
  (bench/peer.py, npm @c15t/backend 2.2.1 on Node): both for a German visitor.
  c15t reads the country from a geo header only; ours is measured located the
  same way (a trusted CDN header, CONSENT_COUNTRY_HEADER) and by GeoIP
  (the visitor's address, through one trusted proxy hop).

Rate limits are off on ours (c15t has none, and one wrk client would only
measure the limiter). Server CPU per request is sampled from /proc.
"""

from __future__ import annotations

import json

from .load import RECEIPT, Target, lua_request, measure_targets
from .server import BenchServer

GERMAN = {"X-Forwarded-For": "85.214.132.117", "Accept-Language": "de-DE,de;q=0.9"}
COUNTRY_HEADER = "CF-IPCountry"


def _ours(url: str, prefix: str, receipts: bool) -> dict[str, Target]:
    targets = {
        f"{prefix} trivial": Target(url + "/livez", lua_request("GET", GERMAN)),
        f"{prefix} config": Target(url + "/api/v1/config?lang=de", lua_request("GET", GERMAN)),
    }
    if receipts:
        targets[f"{prefix} receipt"] = Target(url + "/api/v1/consents", lua_request(
            "POST", {**GERMAN, "Content-Type": "text/plain"}, json.dumps(RECEIPT)))
    return targets


def measure(rounds: int = 3, seconds: int = 8, peer: bool = True) -> dict:
    try:
        from .peer import C15tPeer
    except ImportError:       # (the peer comes with the scale-out work, bench/peer.py)
        C15tPeer, peer = None, False
    servers = {"granian": BenchServer(CONSENT_COUNTRY_HEADER=COUNTRY_HEADER),
               "gunicorn": BenchServer(server="gunicorn")}
    started = []
    try:
        for server in servers.values():
            started.append(server.__enter__())
        granian, gunicorn = servers["granian"].url, servers["gunicorn"].url
        targets = {**_ours(granian, "granian", True), **_ours(gunicorn, "gunicorn", True),
                   "granian config by header": Target(granian + "/api/v1/config?lang=de", lua_request(
                       "GET", {COUNTRY_HEADER: "DE", "Accept-Language": "de-DE,de;q=0.9"}))}
        cpu = {name: servers[name.split()[0]].cpu_s for name in targets}
        if peer:
            c15t = C15tPeer().__enter__()
            started.append(c15t)
            targets |= {"c15t trivial": c15t.trivial(), "c15t init": c15t.init()}
            cpu |= {"c15t trivial": c15t.cpu_s, "c15t init": c15t.cpu_s}
        result = measure_targets(targets, rounds=rounds, seconds=seconds, connections=10, threads=1,
                                 cpu=lambda name: cpu[name]())
    finally:
        for server in reversed(started):
            server.__exit__(None, None, None)
    result["peer"] = peer
    return result


if __name__ == "__main__":
    print(json.dumps(measure(rounds=1, seconds=3), indent=2))
