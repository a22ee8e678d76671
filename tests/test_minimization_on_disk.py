"""A full IP address never reaches the database's files, and an erasure leaves no trace there.

Receipts come in through the trusted proxy hop (X-Forwarded-For) from
distinctive addresses; the database's files are then read as bytes and
searched for every way the addresses could be written down. On both
engines: SQLite's file and its WAL; every file of the PostgreSQL cluster
(tables, indexes and WAL) after a checkpoint.
"""

import ipaddress
import secrets
import socket
import time
from pathlib import Path

import pytest

from .conftest import SITE
from .visitors import choose

OPERA_ON_LINUX = ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
                  "Chrome/131.0.0.0 Safari/537.36 OPR/116.0.0.0")


@pytest.fixture
def database(any_database):
    return any_database

FULL_ADDRESSES = ("85.214.201.77", "2a01:4f8:c17:b3e4:9d21:7a3c:5e6f:8b19",
                  "::ffff:81.2.69.231")
STORED_PREFIXES = ("85.214.201.0/24", "2a01:4f8:c17::/48", "81.2.69.0/24")
LEAKY_QUERY = "?email=jane.doe%40example.org&coupon=GLEAM-4711"
FULL_AGENT = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
              "Chrome/131.0.6778.86 Safari/537.36")


def spellings(address: str) -> list[bytes]:
    """Text (short and exploded, and the embedded IPv4) and packed forms of an address."""
    ip = ipaddress.ip_address(address)
    forms = {address.encode(), str(ip).encode(), ip.exploded.encode(), ip.packed}
    if ip.version == 6:
        forms.add(socket.inet_pton(socket.AF_INET6, address))
        if ip.ipv4_mapped:
            forms |= {str(ip.ipv4_mapped).encode(), ip.ipv4_mapped.packed}
    else:
        forms.add(socket.inet_pton(socket.AF_INET, address))
    return sorted(forms)


def database_bytes(app, request, wal_expected: bool = True) -> bytes:
    """Every byte the engine keeps on disk for the database."""
    database = app.extensions["consent.settings"].database
    if isinstance(database, Path):
        files = sorted(database.parent.glob(database.name + "*"))
        # (an erasure empties SQLite's WAL: then there may be none)
        assert not wal_expected or any(f.name.endswith("-wal") and f.stat().st_size
                                       for f in files), files
        return b"".join(f.read_bytes() for f in files)
    cluster = request.getfixturevalue("postgres_cluster")
    cluster.admin("CHECKPOINT")          # what is committed is now in the table files too
    files = [f for f in cluster.data.rglob("*") if f.is_file()]
    assert any("pg_wal" in f.parts for f in files)
    return b"".join(f.read_bytes() for f in files)


def test_no_full_ip_reaches_the_database_file(app, client, request):
    for address in FULL_ADDRESSES:
        for _ in range(3):
            choose(client, address=address, page=f"{SITE}/rings{LEAKY_QUERY}",
                   headers={"User-Agent": FULL_AGENT})
    content = database_bytes(app, request)

    # the search works: what is meant to be stored is found, in the same bytes
    for prefix in STORED_PREFIXES:
        assert prefix.encode() in content, prefix
    assert b"Chrome/Windows" in content and f"{SITE}/rings".encode() in content

    for address in FULL_ADDRESSES:
        for form in spellings(address):
            assert content.find(form) == -1, f"{address} is in the file as {form!r}"
    for secret in (b"jane.doe", b"GLEAM-4711", b"131.0.6778.86", b"Win64"):
        assert content.find(secret) == -1, secret


def test_an_erased_visitor_leaves_no_trace_in_the_files(app, client, request):
    """MVCC (PostgreSQL) and the WAL (both) keep old row versions: erasure removes them too."""
    page = f"{SITE}/erasable-{secrets.token_hex(6)}"
    visitor = choose(client, address="85.214.97.13", page=page,
                     headers={"User-Agent": OPERA_ON_LINUX})
    choose(client, consent_id=visitor["consent_id"], method="reject_all", page=page,
           headers={"User-Agent": OPERA_ON_LINUX})
    kept = choose(client, place="GB")
    before = database_bytes(app, request)
    for trace in (visitor["consent_id"], page, "Opera/Linux", kept["consent_id"]):
        assert trace.encode() in before, trace    # the search finds what is there
    assert client.delete(visitor["location"]).status_code == 200
    after = database_bytes(app, request, wal_expected=False)
    for trace in (visitor["consent_id"], page, "Opera/Linux"):
        assert after.find(trace.encode()) == -1, f"{trace} is still in the files"
    assert kept["consent_id"].encode() in after


class Reader:
    """Another connection inside a read transaction: an export or a chain walk in progress."""

    def __init__(self, database):
        if isinstance(database, Path):
            import sqlite3
            self.conn = sqlite3.connect(database, isolation_level=None)
            self.conn.execute("BEGIN")
        else:
            import psycopg
            self.conn = psycopg.connect(str(database), autocommit=True)
            self.conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
        self.conn.execute("SELECT count(*) FROM receipts").fetchone()     # holds its snapshot

    def done(self):
        self.conn.execute("COMMIT")
        self.conn.close()


def test_an_erasure_with_a_reader_open_leaves_no_trace_once_the_reader_is_done(app, client,
                                                                               request):
    """The old row versions a reader still sees must go as soon as it lets go of them."""
    page = f"{SITE}/erasable-{secrets.token_hex(6)}"
    visitor = choose(client, address="85.214.97.13", page=page,
                     headers={"User-Agent": OPERA_ON_LINUX})
    database = app.extensions["consent.settings"].database
    reader = Reader(database)
    try:
        assert client.delete(visitor["location"]).status_code == 200
        for _ in range(3):                       # the service goes on meanwhile
            choose(client, place="GB")
    finally:
        reader.done()
    for _ in range(5):                           # ... and after the reader
        choose(client, place="GB")
    deadline = time.monotonic() + 15
    while True:
        after = database_bytes(app, request, wal_expected=False)
        left = [t for t in (visitor["consent_id"], page) if after.find(t.encode()) != -1]
        if not left:
            break
        assert time.monotonic() < deadline, f"{left} still in the files after the reader ended"
        time.sleep(0.3)
