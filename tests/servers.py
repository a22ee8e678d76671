"""Real servers for the tests: a throwaway PostgreSQL 15 cluster and a throwaway redis-server.

A pytest plugin (registered by tests/conftest.py). Each server starts the first
time a test asks for it, once per session, in a temporary directory on a free
port, and is stopped and removed after the session, failed tests or not.

- ``postgres_url``: a fresh, empty database on the session's cluster for one
  test (dropped after it), as a ``postgresql://`` URL.
- ``redis_url``: the session's redis-server, emptied before the test.

PostgreSQL refuses to run as root, so as root the cluster belongs to the
``postgres`` user (Debian's package creates it). Missing binaries fail the
test with the reason and the command that installs them: `make test` installs
them (Debian's ``postgresql`` and ``redis-server``), so a skip would only hide
a broken set-up.

The cluster runs with fsync off: the tests kill app servers, never this
PostgreSQL, so what fsync protects against cannot happen here, and every
test's CREATE DATABASE costs a third as much. The benchmarks run their own
cluster with the durable defaults (bench/postgres.py).
"""

from __future__ import annotations

import atexit
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import pytest

PG_VERSION = "15"
INSTALL_HINT = "run `make test` (it installs them) or `apt-get install -y postgresql redis-server`"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def postgres_bin() -> Path:
    """Where PostgreSQL 15's initdb and pg_ctl are; CONSENT_TEST_PG_BIN overrides."""
    candidates = [os.environ.get("CONSENT_TEST_PG_BIN"), f"/usr/lib/postgresql/{PG_VERSION}/bin"]
    for candidate in filter(None, candidates):
        if (Path(candidate) / "initdb").is_file() and (Path(candidate) / "pg_ctl").is_file():
            return Path(candidate)
    raise FileNotFoundError(f"PostgreSQL {PG_VERSION} (initdb, pg_ctl) not found in "
                            f"{' or '.join(filter(None, candidates))}: {INSTALL_HINT}")


class PostgresCluster:
    """One PostgreSQL cluster in a directory of its own, listening on 127.0.0.1 only."""

    SETTINGS = {
        "listen_addresses": "'127.0.0.1'",
        "max_connections": "300",           # every test app keeps a small pool open
        "fsync": "off", "full_page_writes": "off",
        "shared_buffers": "32MB",
        "log_min_messages": "warning",
        # as the README asks of a production server: WAL segments that held erased
        # payloads are deleted at a checkpoint, not renamed for reuse with the bytes in them
        "wal_recycle": "off",
    }

    def __init__(self, settings: dict | None = None):
        self.bin = postgres_bin()
        self.root = Path(tempfile.mkdtemp(prefix="consent-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "postgres.log"
        self.settings = {**self.SETTINGS, **(settings or {})}
        self.port = 0
        # PostgreSQL will not run as root: then the cluster is the postgres user's.
        self.user = "postgres" if os.geteuid() == 0 else None
        if self.user:
            entry = pwd.getpwnam(self.user)
            os.chown(self.root, entry.pw_uid, entry.pw_gid)
        self.owner = self.user or pwd.getpwuid(os.geteuid()).pw_name

    def _run(self, *command: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(command, user=self.user, cwd=self.root, check=check,
                              capture_output=True, text=True, timeout=120)

    def start(self) -> "PostgresCluster":
        try:
            self._run(str(self.bin / "initdb"), "-D", str(self.data), "--auth=trust",
                      "--encoding=UTF8", "--locale=C", "-U", self.owner)
        except subprocess.CalledProcessError as error:
            raise RuntimeError(f"initdb failed: {error.stderr or error.stdout}") from error
        for attempt in range(3):         # the free port may be taken before the server binds it
            self.port = free_port()
            conf = {**self.settings, "port": str(self.port),
                    "unix_socket_directories": f"'{self.root}'"}
            with open(self.data / "postgresql.auto.conf", "a") as f:
                f.writelines(f"{name} = {value}\n" for name, value in conf.items())
            started = self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-l",
                                str(self.log), "-w", "-t", "60", "start", check=False)
            if started.returncode == 0:
                return self
        raise RuntimeError(f"PostgreSQL did not start: {self.log.read_text(errors='replace')}")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{self.owner}@127.0.0.1:{self.port}/{database}"

    def admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(sql)

    def create_database(self) -> str:
        name = f"t_{uuid.uuid4().hex[:16]}"
        self.admin(f"CREATE DATABASE {name} TEMPLATE template0 STRATEGY FILE_COPY")
        return name

    def drop_database(self, name: str) -> None:
        # FORCE: a test's app may still hold pooled connections.
        self.admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def stop(self) -> None:
        if self.data.exists() and (self.data / "postmaster.pid").exists():
            stopped = self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-w", "-t", "30",
                                "-m", "fast", "stop", check=False)
            if stopped.returncode != 0:
                self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate",
                          "stop", check=False)
        shutil.rmtree(self.root, ignore_errors=True)


class RedisServer:
    """One redis-server on a free port of 127.0.0.1, nothing written to disk."""

    def __init__(self):
        binary = shutil.which("redis-server")
        if not binary:
            raise FileNotFoundError(f"redis-server not found on PATH: {INSTALL_HINT}")
        self.binary = binary
        self.root = Path(tempfile.mkdtemp(prefix="consent-redis-"))
        self.port = 0
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> "RedisServer":
        for attempt in range(3):
            self.port = free_port()
            self.process = subprocess.Popen(
                [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                 "--appendonly", "no", "--dir", str(self.root), "--protected-mode", "yes",
                 "--logfile", str(self.root / "redis.log")],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and self.process.poll() is None:
                if self.ping():
                    return self
                time.sleep(0.05)
            self.stop(remove=False)
        raise RuntimeError(f"redis-server did not start: {self._log()}")

    def ping(self) -> bool:
        return self.command(b"PING") == b"+PONG\r\n"

    def command(self, *parts: bytes) -> bytes:
        """One command in RESP, the answer's first line; no client library needed to check."""
        request = b"*%d\r\n" % len(parts) + b"".join(b"$%d\r\n%s\r\n" % (len(p), p) for p in parts)
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                s.sendall(request)
                return s.recv(4096)
        except OSError:
            return b""

    def _log(self) -> str:
        log = self.root / "redis.log"
        return log.read_text(errors="replace")[-2000:] if log.exists() else "(no log)"

    def stop(self, remove: bool = True) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if remove:
            shutil.rmtree(self.root, ignore_errors=True)


def _session_server(factory, what: str):
    try:
        server = factory().start()
    except (FileNotFoundError, RuntimeError) as error:
        pytest.fail(f"{what} for the tests: {error}", pytrace=False)
    # The fixture's teardown stops it; atexit as well, should pytest leave some other way.
    atexit.register(server.stop)
    return server


@pytest.fixture(scope="session")
def postgres_cluster():
    cluster = _session_server(PostgresCluster, "PostgreSQL")
    yield cluster
    cluster.stop()


@pytest.fixture
def postgres_url(postgres_cluster) -> str:
    """A fresh, empty database of its own for this test."""
    name = postgres_cluster.create_database()
    yield postgres_cluster.url(name)
    postgres_cluster.drop_database(name)


@pytest.fixture(scope="session")
def redis_server():
    server = _session_server(RedisServer, "redis-server")
    yield server
    server.stop()


@pytest.fixture
def redis_url(redis_server) -> str:
    """The session's redis-server, emptied for this test."""
    if redis_server.command(b"FLUSHALL") != b"+OK\r\n":
        pytest.fail("redis-server did not empty itself for the test", pytrace=False)
    return redis_server.url
