"""Realistic demo and benchmark receipts over the last N days, through the real receipt path.

Each visitor is a pretend request (a market's location, a documentation-range
IP address, a real browser's user agent) that goes through the same policy
lookup, ``receipts.draft`` minimisation, sealing, chaining and roll-ups as a
live one; only the clock is set back. ``Store.record_receipts`` stores a day
at a time in one transaction.

The behaviour below is data: tune the shares, not the code.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from ..policy.book import PolicyBook
from ..policy.geo import Location
from . import receipts

# (weight, where, site, languages the visitors' browsers ask for)
MARKETS = (
    (14, "DE", "www.selenegleam.de", ("de", "en")), (3, "AT", "www.selenegleam.de", ("de",)),
    (6, "FR", "www.selenegleam.com", ("fr",)), (5, "IT", "www.selenegleam.com", ("it", "en")),
    (5, "ES", "www.selenegleam.com", ("es",)), (4, "NL", "www.selenegleam.com", ("nl", "en")),
    (12, "GB", "www.selenegleam.co.uk", ("en",)), (3, "CH", "www.selenegleam.de", ("de", "fr")),
    (9, "US-CA", "www.selenegleam.com", ("en", "es")), (5, "US-TX", "www.selenegleam.com", ("en",)),
    (3, "US-VA", "www.selenegleam.com", ("en",)), (4, "US-NY", "www.selenegleam.com", ("en",)),
    (3, "BR", "www.selenegleam.com", ("pt", "en")), (2, "CA-QC", "www.selenegleam.com", ("fr",)),
    (5, "JP", "www.selenegleam.com", ("ja", "en")), (4, "AU", "www.selenegleam.co.uk", ("en",)),
    (2, "IN", "www.selenegleam.co.uk", ("en",)), (3, "unknown", "www.selenegleam.com", ("en",)),
)
# First answers per banner model: (method, share). Opt-in acceptance drifts up over the
# period (a clearer banner text), so the trend chart has something to show.
ANSWERS = {
    "opt-in": (("accept_all", 0.47), ("reject_all", 0.36), ("custom", 0.17)),
    "opt-out": (("accept_all", 0.72), ("custom", 0.17), ("reject_all", 0.11)),
    "notice": (("notice", 1.0),),
}
OPT_IN_DRIFT = 0.08             # accept_all share gained (from reject_all) from first day to last
# Share of custom answers granting each category; a category the data adds gets OTHER_GRANT.
CUSTOM_GRANTS = {"analytics": 0.72, "personalization": 0.41, "marketing": 0.18}
OTHER_GRANT = 0.5
GPC_SHARE = 0.11                # browsers sending Global Privacy Control
SAME_DAY_CHANGE = 0.05          # answer again the same day (a changed mind)
LATER_WITHDRAWAL = 0.02         # withdraw on a later day (within 30)
WEEKEND_FACTOR = 1.3            # jewelry sells on weekends
USER_AGENTS = (
    (38, "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
         "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1"),
    (27, "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
         "Chrome/124.0.0.0 Mobile Safari/537.36"),
    (20, "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
         "Chrome/124.0.0.0 Safari/537.36"),
    (7, "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/17.4 Safari/605.1.15"),
    (5, "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0"),
    (3, "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.51"),
)
PAGES = ("/", "/", "/rings", "/necklaces", "/earrings", "/bracelets", "/rings/selene-crescent",
         "/necklaces/moonlit-pearl", "/gift-guide", "/our-story")
# Documentation address ranges (RFC 5737, RFC 3849): seeded receipts never look like real people.
NETWORKS = ("192.0.2.{}", "198.51.100.{}", "203.0.113.{}", "2001:db8:{:x}::1")


@dataclass(frozen=True)
class Visitor:
    consent_id: str
    where: str
    site: str
    lang: str
    user_agent: str
    address: str
    gpc: bool


class Seeder:
    """``visitors`` visitors spread over the ``days`` days up to ``now``, day by day."""

    def __init__(self, book: PolicyBook, days: int, visitors: int, rng: random.Random,
                 now: datetime | None = None):
        self.book, self.rng = book, rng
        self.now = now or datetime.now(timezone.utc)
        last = self.now.date()
        self.days = [last - timedelta(days=days - 1 - i) for i in range(days)]
        self._per_day = _spread(visitors, [WEEKEND_FACTOR if d.weekday() >= 5 else 1.0
                                           for d in self.days])
        self._later: dict[date, list] = {}     # later withdrawals, by the day they happen
        self._regions: dict[str, tuple] = {}
        self._markets = [m[1:] for m in MARKETS]
        self._market_weights = [m[0] for m in MARKETS]
        self._agents = [a[1] for a in USER_AGENTS]
        self._agent_weights = [a[0] for a in USER_AGENTS]
        self._grants = {c: CUSTOM_GRANTS.get(c, OTHER_GRANT)
                        for c in book.catalog.optional_categories}

    def receipts_on(self, day: date) -> list[tuple[dict, dict, datetime]]:
        """That day's receipts as (draft, snapshot, recorded_at), in time order.

        Call it for ``self.days`` in order: a visitor's later withdrawal is
        scheduled on an earlier day.
        """
        index = self.days.index(day)
        progress = index / max(1, len(self.days) - 1)
        start = datetime.combine(day, time(), timezone.utc)
        seconds = min(86400.0, (self.now - start).total_seconds())
        events = self._later.pop(day, [])
        for _ in range(self._per_day[index]):
            visitor = self._new_visitor()
            at = start + timedelta(seconds=self.rng.uniform(0, seconds * 0.98))
            events.append((at, visitor, self._first_answer(visitor, progress)))
            if self.rng.random() < SAME_DAY_CHANGE:
                later = at + timedelta(seconds=self.rng.uniform(1, (start + timedelta(
                    seconds=seconds) - at).total_seconds()))
                events.append((later, visitor, self._changed_mind(visitor)))
            if self.rng.random() < LATER_WITHDRAWAL:
                when = day + timedelta(days=self.rng.randint(1, 30))
                if when <= self.days[-1]:
                    at_then = datetime.combine(when, time(), timezone.utc) + timedelta(
                        seconds=self.rng.uniform(0, 3600))
                    self._later.setdefault(when, []).append((at_then, visitor,
                                                             self._withdrawal()))
        events.sort(key=lambda event: event[0])
        return [self._receipt(visitor, choice, at) for at, visitor, choice in events
                if at <= self.now]

    # ---- one visitor ----------------------------------------------------------

    def _new_visitor(self) -> Visitor:
        rng = self.rng
        where, site, langs = rng.choices(self._markets, self._market_weights)[0]
        network = rng.choice(NETWORKS)
        return Visitor(receipts.new_consent_id(), where, site, rng.choice(langs),
                       rng.choices(self._agents, self._agent_weights)[0],
                       network.format(rng.randrange(1, 255)), rng.random() < GPC_SHARE)

    def _region(self, visitor: Visitor):
        if visitor.where not in self._regions:
            location = (Location(None, None, "unknown") if visitor.where == "unknown"
                        else Location.parse(visitor.where, "seed"))
            self._regions[visitor.where] = (location, self.book.policy_for(location))
        return self._regions[visitor.where]

    def _first_answer(self, visitor: Visitor, progress: float) -> dict:
        _, region = self._region(visitor)
        if visitor.gpc and region.sale_share_categories:
            off = set(region.sale_share_categories)
            return {"method": "gpc", "choices": {c: c not in off for c in self._grants}}
        answers = dict(ANSWERS[region.model])
        if region.model == "opt-in":
            shift = OPT_IN_DRIFT * (progress - 0.5)
            answers["accept_all"] += shift
            answers["reject_all"] -= shift
        method = self.rng.choices(list(answers), list(answers.values()))[0]
        return self._answer(method)

    def _changed_mind(self, visitor: Visitor) -> dict:
        _, region = self._region(visitor)
        if region.model == "notice":
            return self._withdrawal() if self.rng.random() < 0.3 else self._answer("custom")
        return self._answer(self.rng.choice(("accept_all", "reject_all", "custom")))

    def _answer(self, method: str) -> dict:
        if method in ("accept_all", "notice"):
            return {"method": method, "choices": dict.fromkeys(self._grants, True)}
        if method == "reject_all":
            return self._withdrawal("reject_all")
        return {"method": "custom",
                "choices": {c: self.rng.random() < p for c, p in self._grants.items()}}

    def _withdrawal(self, method: str = "withdraw") -> dict:
        return {"method": method, "choices": dict.fromkeys(self._grants, False)}

    def _receipt(self, visitor: Visitor, answer: dict, at: datetime):
        location, region = self._region(visitor)
        lang = self.book.negotiate([visitor.lang], region)
        banner = self.book.banner(region, lang)
        choice = {"consent_id": visitor.consent_id, "revision": self.book.revision,
                  "gpc": visitor.gpc, "page": f"https://{visitor.site}{self.rng.choice(PAGES)}",
                  **answer}
        draft = receipts.draft(choice, location=location, region=region,
                               config_hash=banner.config_hash, lang=lang,
                               origin=f"https://{visitor.site}", remote_addr=visitor.address,
                               user_agent=visitor.user_agent)
        return draft, banner.body, at


def _spread(total: int, weights: list[float]) -> list[int]:
    """``total`` split in proportion to ``weights``, whole numbers that add up exactly."""
    scale = total / sum(weights)
    shares = [w * scale for w in weights]
    counts = [int(s) for s in shares]
    by_remainder = sorted(range(len(shares)), key=lambda i: counts[i] - shares[i])
    for i in by_remainder[:total - sum(counts)]:
        counts[i] += 1
    return counts
