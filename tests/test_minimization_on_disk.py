"""A full IP address never reaches the database file: its bytes are searched.

Receipts come in through the trusted proxy hop (X-Forwarded-For) from
distinctive addresses; the database file and its WAL are then read as bytes
and searched for every way the addresses could be written down.
"""

import ipaddress
import socket

from .conftest import SITE
from .visitors import choose

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


def database_bytes(db_path) -> bytes:
    files = sorted(db_path.parent.glob(db_path.name + "*"))
    assert any(f.name.endswith("-wal") and f.stat().st_size for f in files), files
    return b"".join(f.read_bytes() for f in files)


def test_no_full_ip_reaches_the_database_file(app, client):
    for address in FULL_ADDRESSES:
        for _ in range(3):
            choose(client, address=address, page=f"{SITE}/rings{LEAKY_QUERY}",
                   headers={"User-Agent": FULL_AGENT})
    content = database_bytes(app.extensions["consent.settings"].database)

    # the search works: what is meant to be stored is found, in the same bytes
    for prefix in STORED_PREFIXES:
        assert prefix.encode() in content, prefix
    assert b"Chrome/Windows" in content and f"{SITE}/rings".encode() in content

    for address in FULL_ADDRESSES:
        for form in spellings(address):
            assert content.find(form) == -1, f"{address} is in the file as {form!r}"
    for secret in (b"jane.doe", b"GLEAM-4711", b"131.0.6778.86", b"Win64"):
        assert content.find(secret) == -1, secret
