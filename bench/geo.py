"""GeoIP lookups per second through the Locator, next to the raw maxminddb reader."""

from __future__ import annotations

import random
import tempfile
import time

import maxminddb

from consent.config.settings import embedded_geoip_db, load
from consent.policy.geo import Locator


def _addresses(count: int) -> list[str]:
    rng = random.Random(7)
    out = []
    while len(out) < count:
        first = rng.randint(1, 223)
        if first in (10, 127) or first >= 224:
            continue
        out.append(f"{first}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}")
    return out


def measure(count: int = 100_000, rounds: int = 3) -> dict:
    addresses = _addresses(count)
    settings = load({"CONSENT_DATABASE": f"{tempfile.mkdtemp()}/geo.db"})
    locator = Locator(settings)
    raw = maxminddb.open_database(str(embedded_geoip_db()))
    ours, baseline = [], []
    for _ in range(rounds):                  # interleaved, so noise hits both
        start = time.perf_counter()
        for address in addresses:
            locator.lookup(address)
        ours.append(count / (time.perf_counter() - start))
        start = time.perf_counter()
        for address in addresses:
            raw.get(address)
        baseline.append(count / (time.perf_counter() - start))
    located = sum(1 for a in addresses[:10_000] if locator.lookup(a).country)
    return {"lookups_per_s": max(ours), "raw_reader_per_s": max(baseline),
            "located_share": located / 10_000}


if __name__ == "__main__":
    print(measure())
