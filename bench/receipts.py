"""Receipts side by side: ours on SQLite and PostgreSQL against c15t's POST /subjects.

    .venv/bin/python -m bench.receipts [--quick] [--engines sqlite,postgresql]
                                       [--servers gunicorn,granian]

Every server runs at once, each on its own fresh database; wrk (1 thread, 10
connections, as the issue measures) visits every target in interleaved rounds:
c15t's trivial route and POST /subjects, and for each of our servers its
trivial endpoint (/livez) and POST /api/v1/consents. Figures are medians of
the rounds; memory is the whole server's resident set (master and workers
summed), the highest seen after a round; "stored" checks that every
acknowledged receipt is in the database. CPU per request is the server's
(and, on PostgreSQL, the database server's) CPU time over the run divided by
its requests: the machine's other load disturbs it far less than requests/s.
"""

from __future__ import annotations

import argparse
import contextlib
import json

from . import load
from .peer import C15tPeer
from .server import BenchServer


def _stored(server: BenchServer) -> int:
    if str(server.database).startswith("postgresql://"):
        import psycopg

        with psycopg.connect(str(server.database)) as conn:
            return conn.execute("SELECT count(*) FROM receipts").fetchone()[0]
    return load._count_receipts(server.database)


def measure(rounds: int = 3, seconds: int = 8, engines=("sqlite", "postgresql"),
            servers=("gunicorn",), **settings) -> dict:
    with contextlib.ExitStack() as stack:
        peer = stack.enter_context(C15tPeer())
        cluster = None
        if "postgresql" in engines:
            from .postgres import bench_cluster

            cluster = stack.enter_context(bench_cluster())
        ours: dict[str, BenchServer] = {}
        for engine in engines:
            for kind in servers:
                database = cluster.new_database() if engine == "postgresql" else None
                ours[f"{engine}/{kind}"] = stack.enter_context(
                    BenchServer(database, server=kind, **settings))
        targets = {"c15t trivial": peer.trivial(), "c15t subjects": peer.subjects()}
        for name, server in ours.items():
            mine = load.our_targets(server.url)
            targets[f"{name} trivial"] = mine["trivial"]
            targets[f"{name} receipt"] = mine["receipt"]
        memory: dict[str, int] = {}

        def server_of(target: str):
            side = target.rsplit(" ", 1)[0]
            return side, peer if side == "c15t" else ours[side]

        def sample(target: str) -> None:
            side, server = server_of(target)
            memory[side] = max(memory.get(side, 0), server.rss_kib())

        def cpu(target: str) -> float:
            side, server = server_of(target)
            # PostgreSQL's own work for our requests counts as ours
            return server.cpu_s() + (cluster.cpu_s() if side.startswith("postgresql") else 0)

        result = load.measure_targets(targets, rounds, seconds, connections=10, threads=1,
                                      between=sample, cpu=cpu)
        result["memory_kib"] = memory
        if cluster:
            result["postgres_rss_kib"] = cluster.rss_kib()
        result["stored"] = {name: _stored(server) for name, server in ours.items()}
        result["stored"]["c15t"] = peer.count_consents()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--servers", default="gunicorn,granian")
    args = parser.parse_args()
    result = measure(rounds=1 if args.quick else 3, seconds=3 if args.quick else 8,
                     engines=args.engines.split(","), servers=args.servers.split(","))
    from .run import render, receipt_rows

    print(json.dumps(result, indent=1))
    print(render(receipt_rows(result)))


if __name__ == "__main__":
    main()
