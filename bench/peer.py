"""The c15t backend as a benchmark peer: started, measured beside us, stopped.

npm `@c15t/backend` 2.2.1 (Hono on Node, Kysely + better-sqlite3, one SQLite
file), run standalone by bench/peers/c15t/server.mjs, with a trivial route
beside it so that each side can be compared with its own ceiling. Install it
once with `make bench-peer` (npm ci into the git-ignored node_modules/ there;
better-sqlite3 compiles for about 2 minutes); `make bench` does.

    with C15tPeer() as peer:
        targets = {"c15t subjects": peer.subjects(), "c15t trivial": peer.trivial()}
        load.measure_targets(targets)

``peer.target(path, method, headers, body)`` builds any other request; the
Lua script may also be a file of bench/peers/c15t/ (``peer.script("post.lua")``).
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import tempfile
import time
from pathlib import Path

import requests

from .load import Target, lua_request
from .server import free_port, process_tree_cpu_s, process_tree_rss_kib

PEER_DIR = Path(__file__).resolve().parent / "peers" / "c15t"
# What a German visitor's browser sends to c15t: its geo header and languages.
GERMAN_VISITOR = {"X-C15T-Country": "DE", "Accept-Language": "de-DE,de;q=0.9"}


class C15tPeer:
    def __init__(self, node: str = "node"):
        self.node = node
        self.dir = Path(tempfile.mkdtemp(prefix="c15t-bench-"))
        self.database = self.dir / "c15t.db"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "C15tPeer":
        if not (PEER_DIR / "node_modules" / "@c15t" / "backend").is_dir():
            raise RuntimeError("the c15t peer is not installed: run `make bench-peer`")
        env = {**os.environ, "PORT": str(self.port), "DB_FILE": str(self.database),
               "NODE_ENV": "production"}
        log = open(self.dir / "c15t.log", "w")
        self.process = subprocess.Popen([self.node, "server.mjs"], cwd=PEER_DIR, env=env,
                                        stdout=log, stderr=log)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                if requests.get(f"{self.url}/ok", timeout=1).ok:
                    return self
            except requests.ConnectionError:
                time.sleep(0.2)
        self.__exit__()
        raise RuntimeError(f"c15t did not start; see {self.dir / 'c15t.log'}")

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()

    # ---- what to measure ----------------------------------------------------

    def target(self, path: str, method: str = "GET", headers: dict | None = None,
               body: str | None = None, script: str | None = None) -> Target:
        """Any request to the peer; ``script`` (Lua text) replaces method/headers/body."""
        return Target(self.url + path, script or lua_request(method, headers, body))

    @staticmethod
    def script(name: str) -> str:
        return (PEER_DIR / name).read_text()

    def trivial(self) -> Target:
        return self.target("/ok")

    def init(self) -> Target:
        """The banner configuration for a German visitor (c15t's counterpart of GET /config)."""
        return self.target("/api/c15t/init", headers=GERMAN_VISITOR)

    def subjects(self) -> Target:
        """Record a consent for a fresh subject each request (post.lua)."""
        return self.target("/api/c15t/subjects", script=self.script("post.lua"))

    # ---- what it cost -------------------------------------------------------

    def rss_kib(self) -> int:
        return process_tree_rss_kib(self.process.pid)

    def cpu_s(self) -> float:
        return process_tree_cpu_s(self.process.pid)

    def count_consents(self) -> int:
        """Consent records c15t stored (its table is named ``consent``)."""
        with sqlite3.connect(self.database) as db:
            return db.execute("SELECT count(*) FROM consent").fetchone()[0]
