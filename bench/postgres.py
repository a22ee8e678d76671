"""A throwaway PostgreSQL 15 cluster for the benchmarks, with the durable defaults.

The tests' cluster (tests/servers.py) runs with fsync off; this one keeps
PostgreSQL's defaults (fsync, full_page_writes, synchronous_commit on), so a
receipt acknowledged here is as durable as on a production server.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from tests.servers import PostgresCluster

DURABLE = {"fsync": "on", "full_page_writes": "on", "synchronous_commit": "on",
           "wal_recycle": "off",
           "max_connections": "200", "shared_buffers": "128MB"}


class BenchCluster(PostgresCluster):
    def new_database(self) -> str:
        return self.url(self.create_database())

    @property
    def pid(self) -> int:
        """The postmaster's pid: every backend is its child."""
        return int((self.data / "postmaster.pid").read_text().split()[0])

    def cpu_s(self) -> float:
        from .server import process_tree_cpu_s

        return process_tree_cpu_s(self.pid)

    def rss_kib(self) -> int:
        from .server import process_tree_rss_kib

        return process_tree_rss_kib(self.pid)


@contextlib.contextmanager
def bench_cluster() -> Iterator[BenchCluster]:
    cluster = BenchCluster(DURABLE).start()
    try:
        yield cluster
    finally:
        cluster.stop()
