"""A production-mode service on 127.0.0.1 for the benchmarks: granian as `make serve` runs it
(`flask consent serve`), or gunicorn as gunicorn.conf.py configures it, on a SQLite file or a
postgresql:// URL."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
SECRET = "bench-secret-key-0123456789abcdef0123456789"
TOKENS = {"stats": "bench-stats-token-0123456789", "audit": "bench-audit-token-0123456789"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


SHOP = "https://www.selenegleam.example"


class BenchServer:
    def __init__(self, database: Path | str | None = None, mode: str = "production",
                 server: str = "granian", workers: int | None = None, threads: int | None = None,
                 **settings):
        self.dir = Path(tempfile.mkdtemp(prefix="consent-bench-"))
        self.database = database or self.dir / "consent.db"
        self.server, self.workers, self.threads = server, workers, threads
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("CONSENT_")}
        self.env.update({
            "CONSENT_MODE": mode, "CONSENT_SECRET_KEY": SECRET,
            "CONSENT_TOKENS": ",".join(f"{s}:{t}" for s, t in TOKENS.items()),
            "CONSENT_DATABASE": str(self.database), "CONSENT_PROXY_HOPS": "1",
            # its own origin, and the shop the load's receipts name as their page (bench/load.py)
            "CONSENT_ALLOWED_ORIGINS": f"{self.url},{SHOP}",
            # the load generator is one client: per-client limits would measure the limiter
            "CONSENT_RATELIMIT_CONFIG": "off", "CONSENT_RATELIMIT_CONSENTS": "off",
            **settings,
        })
        self.process = None

    def __enter__(self) -> "BenchServer":
        log = open(self.dir / "server.log", "w")
        self.process = subprocess.Popen(self.command(), cwd=ROOT, env=self.env, stdout=log,
                                        stderr=log)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{self.url}/healthz", timeout=1).ok:
                    return self
            except requests.ConnectionError:
                time.sleep(0.2)
        self.__exit__()
        raise RuntimeError(f"bench server did not start; see {self.dir / 'server.log'}")

    def command(self) -> list[str]:
        if self.server == "gunicorn":
            # gunicorn.conf.py sizes the workers to the machine, as `make serve` does
            sizing = ([f"--workers={self.workers}"] if self.workers else []) + (
                [f"--threads={self.threads}"] if self.threads else [])
            return [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", *sizing,
                    "--bind", f"127.0.0.1:{self.port}", "--access-logfile", "/dev/null", "app:app"]
        if self.server == "granian":
            # The production command, `make serve`'s (consent/cli/serve.py): a worker per core.
            sizing = ([f"--workers={self.workers}"] if self.workers else []) + (
                [f"--threads={self.threads}"] if self.threads else [])
            return [sys.executable, "-m", "flask", "--app", "app", "consent", "serve", *sizing,
                    "--bind", f"127.0.0.1:{self.port}", "--no-access-log"]
        raise ValueError(f"unknown server {self.server!r}")

    def rss_kib(self) -> int:
        """Resident memory of the whole server: the master and every worker, summed."""
        return process_tree_rss_kib(self.process.pid)

    def cpu_s(self) -> float:
        return process_tree_cpu_s(self.process.pid)

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()


def process_tree(root: int) -> set[int]:
    """``root`` and all its descendants."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parents[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
    tree, frontier = {root}, [root]
    while frontier:
        children = [pid for pid, parent in parents.items() if parent in frontier]
        tree.update(children)
        frontier = children
    return tree


def process_tree_cpu_s(root: int) -> float:
    """CPU time (user + system) used so far by ``root`` and its living descendants."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in process_tree(root):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / ticks


def process_tree_rss_kib(root: int) -> int:
    """VmRSS summed over ``root`` and all its descendants (KiB)."""
    total = 0
    for pid in process_tree(root):
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total
