"""Tiny MaxMind-format databases for tests, written with mmdb-writer.

The networks are real public ranges, mapped to the places the tests need; the
real GeoLite2 file is never consulted by the test suite.
"""

from __future__ import annotations

from pathlib import Path

from mmdb_writer import MMDBWriter
from netaddr import IPSet

# network -> (country, first-level subdivision or None)
PLACES = {
    "85.214.0.0/16": ("DE", "BE"),       # Berlin
    "2a01:4f8::/32": ("DE", None),
    "81.2.69.0/24": ("GB", "ENG"),
    "12.0.0.0/16": ("US", "CA"),         # California: opt-out
    "13.0.0.0/16": ("US", "NY"),         # a state without an opt-out law: notice
    "24.48.0.0/16": ("CA", "QC"),        # Quebec
    "177.0.0.0/16": ("BR", "SP"),
    "133.0.0.0/16": ("JP", "13"),
    "195.186.0.0/16": ("CH", "ZH"),
}
ADDRESSES = {  # one address per place, for readable tests
    "DE": "85.214.0.1", "DE6": "2a01:4f8::1", "GB": "81.2.69.160", "US-CA": "12.0.0.1",
    "US-NY": "13.0.0.1", "CA-QC": "24.48.0.1", "BR": "177.0.0.1", "JP": "133.0.0.1",
    "CH": "195.186.0.1", "NOWHERE": "203.0.113.7",
}


def _record(country: str, subdivision: str | None, with_subdivisions: bool) -> dict:
    record = {"country": {"iso_code": country, "names": {"en": country}}}
    if with_subdivisions and subdivision:
        record["subdivisions"] = [{"iso_code": subdivision, "names": {"en": subdivision}}]
    return record


def build(path: Path, kind: str = "City") -> Path:
    """Write a GeoLite2-<kind> style database (kind: City or Country) to path."""
    writer = MMDBWriter(ip_version=6, ipv4_compatible=True, database_type=f"GeoLite2-{kind}",
                        languages=["en"], description={"en": "consent test database"})
    for network, (country, subdivision) in PLACES.items():
        writer.insert_network(IPSet([network]), _record(country, subdivision, kind == "City"))
    writer.to_db_file(str(path))
    return Path(path)
