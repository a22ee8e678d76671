"""Where a visitor is: trusted CDN headers, else a MaxMind-format database lookup.

A location we cannot establish is "unknown", which the policies treat as the
strictest region; a lookup never turns into a 500.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path

import geoip2.database
import geoip2.errors
import maxminddb

from ..config.settings import ConfigurationError, Settings

log = logging.getLogger(__name__)
_COUNTRY = re.compile(r"^[A-Z]{2}\Z")
_SUBDIVISION_PART = re.compile(r"^[A-Z0-9]{1,3}\Z")
# Codes CDNs use for "not a country": unknown, Tor, anonymous proxies, EU-wide.
_NOT_A_COUNTRY = {"XX", "T1", "A1", "A2", "O1", "EU", "AP", "ZZ"}
DEMO_REGION_COOKIE = "cm_demo_region"


@dataclass(frozen=True)
class Location:
    country: str | None
    subdivision: str | None     # ISO 3166-2, e.g. "US-CA"
    source: str                 # header | geoip | override | private | unknown

    @classmethod
    def parse(cls, code: str, source: str) -> "Location | None":
        """'DE' or 'US-CA' as a Location; None when it is neither."""
        code = (code or "").strip().upper()
        country, _, part = code.partition("-")
        if not _COUNTRY.match(country) or country in _NOT_A_COUNTRY:
            return None
        if part and not _SUBDIVISION_PART.match(part):
            return None
        return cls(country, f"{country}-{part}" if part else None, source)


UNKNOWN = Location(None, None, "unknown")


class Locator:
    """Resolves a request to a Location. One per app, opened at start-up.

    The database file is looked at again every ``recheck`` seconds: a new file
    (geoipupdate replaces it weekly) is picked up without a restart, and a
    missing or broken one degrades every lookup to "unknown" (the strictest
    banner) until it is back, instead of failing requests.
    """

    def __init__(self, settings: Settings):
        self.country_header = settings.country_header
        self.subdivision_header = settings.subdivision_header
        self.demo = settings.demo
        self.path = settings.geoip_db
        self.recheck = settings.geoip_recheck
        self._reader = None
        self._open(open_database(settings.geoip_db), os.stat(settings.geoip_db))

    def _open(self, reader, stat) -> None:
        self._reader = reader
        self._stamp = (stat.st_ino, stat.st_size, stat.st_mtime_ns)
        self._next_check = time.monotonic() + self.recheck
        # Bound once: City files answer .city(), Country files only .country().
        self._lookup = reader.city if "City" in reader.metadata().database_type else reader.country

    def _refresh(self) -> None:
        self._next_check = time.monotonic() + self.recheck
        try:
            stat = os.stat(self.path)
        except OSError:
            if self._reader is not None:
                log.error("GeoIP database %s is gone: every visitor is 'unknown' until it is back",
                          self.path)
                self._reader = None   # an old reader is dropped, never closed under a lookup
            return
        if self._reader is not None and self._stamp == (stat.st_ino, stat.st_size,
                                                        stat.st_mtime_ns):
            return
        try:
            self._open(open_database(self.path), stat)
            log.info("GeoIP database %s (re)opened", self.path)
        except ConfigurationError as error:
            log.error("%s: every visitor is 'unknown' until it is fixed", error)
            self._reader = None
            self._stamp = (stat.st_ino, stat.st_size, stat.st_mtime_ns)

    @property
    def database_type(self) -> str:
        if time.monotonic() >= self._next_check:
            self._refresh()
        return self._reader.metadata().database_type if self._reader else "unavailable"

    def locate(self, req) -> Location:
        """Where the visitor of ``req`` is (a request: ``args``, ``cookies``, ``headers``,
        ``remote_addr``)."""
        if self.demo:
            override = req.args.get("region") or req.cookies.get(DEMO_REGION_COOKIE)
            if override:
                if override.lower() == "unknown":
                    return UNKNOWN
                location = Location.parse(override, "override")
                if location:
                    return location
        if self.country_header:
            location = Location.parse(req.headers.get(self.country_header, ""), "header")
            if location:
                part = req.headers.get(self.subdivision_header or "", "").strip().upper()
                part = part.rpartition("-")[2]  # accept "CA" and "US-CA"
                if part and _SUBDIVISION_PART.match(part):
                    location = Location(location.country, f"{location.country}-{part}", "header")
                return location
        return self.lookup(req.remote_addr)

    def lookup(self, address: str | None) -> Location:
        """The database's answer for one address; 'private' or 'unknown' when it has none."""
        try:
            ip = ipaddress.ip_address(address or "")
        except ValueError:
            return UNKNOWN
        if not ip.is_global:
            return Location(None, None, "private")
        if time.monotonic() >= self._next_check:
            self._refresh()
        if self._reader is None:
            return UNKNOWN
        try:
            answer = self._lookup(str(ip))
        except (geoip2.errors.AddressNotFoundError, ValueError):
            return UNKNOWN
        except Exception:  # a damaged or vanished file must not take the banner down
            log.exception("GeoIP lookup failed for %s", self.path)
            return UNKNOWN
        country = answer.country.iso_code
        if not country:
            return UNKNOWN
        subdivisions = getattr(answer, "subdivisions", None)
        # The first subdivision is the ISO 3166-2 first level (a US state, a Canadian province).
        part = subdivisions[0].iso_code if subdivisions else None
        return Location(country, f"{country}-{part}" if part else None, "geoip")


def open_database(path: Path) -> geoip2.database.Reader:
    """:raise ConfigurationError: when the file is missing, unreadable or not City/Country."""
    path = Path(path)
    if not path.is_file():
        raise ConfigurationError(f"CONSENT_GEOIP_DB: no such file: {path}")
    try:
        reader = geoip2.database.Reader(str(path))
    except (OSError, maxminddb.InvalidDatabaseError, ValueError) as error:
        raise ConfigurationError(f"CONSENT_GEOIP_DB: cannot read {path}: {error}") from None
    kind = reader.metadata().database_type
    if "City" not in kind and "Country" not in kind:
        reader.close()
        raise ConfigurationError(
            f"CONSENT_GEOIP_DB: {path} is a {kind!r} database; a City or Country one is needed")
    return reader
