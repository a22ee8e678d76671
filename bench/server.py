"""A production-mode service under gunicorn on 127.0.0.1 for the benchmarks."""

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


class BenchServer:
    def __init__(self, database: Path | None = None, mode: str = "production", **settings):
        self.dir = Path(tempfile.mkdtemp(prefix="consent-bench-"))
        self.database = database or self.dir / "consent.db"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("CONSENT_")}
        self.env.update({
            "CONSENT_MODE": mode, "CONSENT_SECRET_KEY": SECRET,
            "CONSENT_TOKENS": ",".join(f"{s}:{t}" for s, t in TOKENS.items()),
            "CONSENT_DATABASE": str(self.database), "CONSENT_PROXY_HOPS": "1",
            "CONSENT_ALLOWED_ORIGINS": self.url,
            # the load generator is one client: per-client limits would measure the limiter
            "CONSENT_RATELIMIT_CONFIG": "off", "CONSENT_RATELIMIT_CONSENTS": "off",
            **settings,
        })
        self.process = None

    def __enter__(self) -> "BenchServer":
        log = open(self.dir / "gunicorn.log", "w")
        # gunicorn.conf.py sizes the workers to the machine, as `make serve` does
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py",
             "--bind", f"127.0.0.1:{self.port}", "--access-logfile", "/dev/null", "app:app"],
            cwd=ROOT, env=self.env, stdout=log, stderr=log)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{self.url}/healthz", timeout=1).ok:
                    return self
            except requests.ConnectionError:
                time.sleep(0.2)
        self.__exit__()
        raise RuntimeError(f"bench server did not start; see {self.dir / 'gunicorn.log'}")

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
