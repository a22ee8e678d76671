"""Shared fixtures: a real tiny GeoIP database, a fresh SQLite file per test, the app."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import requests

from consent import create_app

from . import mmdb

# Real PostgreSQL and redis-server, started on first use (tests/servers.py).
pytest_plugins = ["tests.servers"]

ROOT = Path(__file__).resolve().parent.parent
SITE = "https://shop.example"
SECRET_KEY = "test-secret-key-that-is-long-enough-0123"
TOKENS = {"stats": "stats-token-0123456789abcdef", "audit": "audit-token-0123456789abcdef"}


@pytest.fixture(scope="session")
def geoip_db(tmp_path_factory) -> Path:
    return mmdb.build(tmp_path_factory.mktemp("geoip") / "test-city.mmdb")


@pytest.fixture(scope="session")
def geoip_country_db(tmp_path_factory) -> Path:
    return mmdb.build(tmp_path_factory.mktemp("geoip") / "test-country.mmdb", kind="Country")


@pytest.fixture
def database(tmp_path):
    """The test app's database: a SQLite file. A module overrides this with ``any_database``
    to run its tests on both engines."""
    return tmp_path / "consent.db"


@pytest.fixture(params=["sqlite", "postgresql"])
def any_database(request, tmp_path):
    """Each engine in turn: a SQLite file, then a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return tmp_path / "consent.db"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def settings_for(tmp_path, geoip_db, database):
    """CONSENT_* settings for a test app on its own database; pass overrides."""

    def make(**overrides) -> dict:
        config = {
            "CONSENT_MODE": "production",
            "CONSENT_SECRET_KEY": SECRET_KEY,
            "CONSENT_DATABASE": str(database),
            "CONSENT_GEOIP_DB": str(geoip_db),
            "CONSENT_TOKENS": ",".join(f"{scope}:{token}" for scope, token in TOKENS.items()),
            "CONSENT_ALLOWED_ORIGINS": SITE,
            "CONSENT_PROXY_HOPS": "1",
            # tests post many receipts from few addresses; tests/test_limits.py turns them on
            "CONSENT_RATELIMIT_CONFIG": "off",
            "CONSENT_RATELIMIT_CONSENTS": "off",
            "CONSENT_RATELIMIT_RIGHTS": "off",
            "CONSENT_RATELIMIT_WRONG_TOKENS": "off",
        }
        config.update(overrides)
        return config

    return make


@pytest.fixture
def app(settings_for):
    # environ={} keeps the developer's own CONSENT_* variables out of the tests.
    app = create_app(settings_for(), environ={})
    yield app
    # the store may run this process's sequencer thread and hold a pool: let them go
    app.extensions["consent.store"].close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def data_copy(tmp_path) -> Path:
    """A writable copy of the shipped data/ for tests that break it."""
    target = tmp_path / "data"
    shutil.copytree(ROOT / "data", target, ignore=shutil.ignore_patterns("*.db*", "demo-secrets*"))
    return target


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


class LiveServer:
    """The real service on 127.0.0.1 (or ``host``) as production runs it: `flask consent serve`
    (granian), or gunicorn as gunicorn.conf.py configures it (``server="gunicorn"``)."""

    def __init__(self, env: dict, workers: int = 2, server: str = "granian",
                 host: str = "127.0.0.1"):
        self.server = server
        self.host = host
        self.port = free_port(host)
        self.url = f"http://{host}:{self.port}"
        self.env = env
        self.workers = workers
        self.process = None
        # a file, not a pipe: a pipe nobody reads would block the server once full
        self.log = tempfile.NamedTemporaryFile(prefix="server-", suffix=".log", delete=False)

    def start(self) -> "LiveServer":
        env = {k: v for k, v in os.environ.items() if not k.startswith("CONSENT_")}
        env.update(self.env)
        if self.server == "gunicorn":
            # gunicorn.conf.py (production settings) applies; these flags override it.
            command = [sys.executable, "-m", "gunicorn", "--workers", str(self.workers),
                       "--bind", f"{self.host}:{self.port}", "--graceful-timeout", "5", "app:app"]
        else:
            # The production command (consent/cli/serve.py); it becomes granian's master (exec).
            command = [sys.executable, "-m", "flask", "--app", "app", "consent", "serve",
                       "--bind", f"{self.host}:{self.port}", "--workers", str(self.workers)]
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=self.log,
                                        stderr=self.log)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.output()[-2000:]}")
            try:
                if requests.get(f"{self.url}/livez", timeout=1).ok:
                    return self
            except (requests.ConnectionError, requests.Timeout):  # not up yet, or a loaded machine
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("server did not answer within 30 s")

    def output(self) -> str:
        return Path(self.log.name).read_text(errors="replace")

    def worker_pids(self) -> list[int]:
        """The workers: children of the master process."""
        children = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            if int(fields[1]) == self.process.pid:
                children.append(int(stat.parent.name))
        return children

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture
def live_server(settings_for):
    servers = []

    def start(workers: int = 2, server: str = "granian", **overrides) -> LiveServer:
        server = LiveServer(settings_for(**overrides), workers=workers, server=server).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()
