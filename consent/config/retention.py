"""Retention: how long a receipt keeps its personal payload, and where the cut-off falls.

A period is written as a number and a unit: ``400d`` (days), ``8w`` (weeks),
``13mo`` (calendar months) or ``2y`` (years). A receipt is the proof of a
consent that is still in force, so the period may not be shorter than the
longest consent lifetime any region sets (a receipt recorded just before the
cut-off would otherwise vanish while its consent still applies).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

_PERIOD = re.compile(r"^\s*(\d{1,5})\s*(d|w|mo|y)\s*$")
_MONTHS = {"mo": 1, "y": 12}


class BadPeriod(ValueError):
    """Not a retention period like 400d, 13mo or 2y."""


@dataclass(frozen=True)
class Period:
    count: int
    unit: str       # d, w, mo or y

    def __str__(self) -> str:
        return f"{self.count}{self.unit}"

    def cutoff(self, now: datetime | None = None) -> datetime:
        """The moment before which receipts are past this period (UTC)."""
        now = now or datetime.now(timezone.utc)
        if self.unit in _MONTHS:
            return _months_before(now, self.count * _MONTHS[self.unit])
        return now - timedelta(days=self.count * (7 if self.unit == "w" else 1))


def parse_period(text: str) -> Period:
    """``13mo`` -> Period(13, "mo").

    :raise BadPeriod: for anything else, including a zero period (which would
        erase every receipt at once).
    """
    match = _PERIOD.match(str(text or ""))
    if not match:
        raise BadPeriod(f"{text!r} is not a period like 400d, 8w, 13mo or 2y")
    period = Period(int(match[1]), match[2])
    if period.count == 0:
        raise BadPeriod(f"{text!r}: a retention period must be longer than zero")
    return period


def check_covers_lifetime(period: Period, longest_lifetime_days: int,
                          now: datetime | None = None) -> None:
    """:raise BadPeriod: if ``period`` ends before the longest consent lifetime does."""
    now = now or datetime.now(timezone.utc)
    if period.cutoff(now) > now - timedelta(days=longest_lifetime_days):
        raise BadPeriod(
            f"{period} is shorter than the longest consent lifetime ({longest_lifetime_days} "
            "days): receipts would be erased while the consent they prove still applies")


def _months_before(moment: datetime, months: int) -> datetime:
    # 31 March minus one month is the last day of February, not an error.
    years, month0 = divmod(moment.month - 1 - months, 12)
    year, month = moment.year + years, month0 + 1
    return moment.replace(year=year, month=month,
                          day=min(moment.day, calendar.monthrange(year, month)[1]))
