"""Consent statistics: answers, answer mix and opt-in rates per day, region, site or revision.

Computed from the daily roll-ups only (``Store.answer_counts`` /
``grant_counts``), which count each visitor's latest choice once per day. So
"answered" is visitors-who-answered-that-day, not clicks, and a range of days
adds days up (a visitor answering on two days counts on both).

The opt-in rate of a category is granted / answered: the share of answers
that let the category run, whatever the method (a notice in the rest of the
world lets everything run; a withdrawal lets nothing run).

Categories are data: a report has a figure for every category of
data/categories.json, in its order, and after them for any category the
roll-ups of the range still hold that the data no longer has (history does
not vanish with a category).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from ..policy.methods import METHODS
from ..storage.interface import Store
from .spreadsheet import csv_lines
from .trail import Requester, log_stats

RATE_DIGITS = 4


def opt_in_rate(granted: int, answered: int) -> float | None:
    """None when nobody answered: 0 % would claim everybody said no."""
    return round(granted / answered, RATE_DIGITS) if answered > 0 else None


@dataclass
class Figures:
    """What marketing reads for one group (a day, a region, a site, a revision)."""

    methods: dict[str, int] = field(default_factory=lambda: dict.fromkeys(METHODS, 0))
    gpc_signal: int = 0         # answers sent with Global Privacy Control on, whatever the method
    granted: dict[str, int] = field(default_factory=dict)

    @property
    def answered(self) -> int:
        return sum(self.methods.values())

    def add(self, other: "Figures") -> None:
        for method, count in other.methods.items():
            self.methods[method] = self.methods.get(method, 0) + count
        self.gpc_signal += other.gpc_signal
        for category, count in other.granted.items():
            self.granted[category] = self.granted.get(category, 0) + count

    def as_dict(self, categories: Sequence[str]) -> dict:
        """The figures with a count and a rate for each of ``categories``, in that order."""
        answered = self.answered
        granted = {c: self.granted.get(c, 0) for c in categories}
        return {
            "answered": answered,
            **self.methods,
            "gpc_signal": self.gpc_signal,
            "granted": granted,
            "opt_in_rate": {c: opt_in_rate(n, answered) for c, n in granted.items()},
        }


def consent_stats(store: Store, categories: Sequence[str], start: date, end: date,
                  group: str = "day", filters: dict | None = None) -> dict:
    """The stats report for days ``start``..``end`` (UTC, both included).

    ``categories`` are the catalogue's optional ones, in order. Groups with no
    answers are left out, except days: a day without answers is a real zero
    on a time axis.
    """
    filters = filters or {}
    groups: dict = {}
    for key, method, gpc, answers in store.answer_counts(start, end, group, filters):
        figures = groups.setdefault(key, Figures())
        figures.methods[method] = figures.methods.get(method, 0) + answers
        figures.gpc_signal += answers if gpc else 0
    for key, category, granted in store.grant_counts(start, end, group, filters):
        groups.setdefault(key, Figures()).granted[category] = granted
    if group == "day":
        for offset in range((end - start).days + 1):
            groups.setdefault((start + timedelta(days=offset)).isoformat(), Figures())
    else:
        groups = {k: f for k, f in groups.items() if f.answered > 0}

    totals = Figures()
    for figures in groups.values():
        totals.add(figures)
    # Categories the data no longer has keep their history, after the current ones.
    shown = [*categories, *sorted(c for c in totals.granted if c not in categories)]
    rows = [{group: key, **groups[key].as_dict(shown)}
            for key in sorted(groups, key=lambda k: (k is None, k))]
    return {"from": start.isoformat(), "to": end.isoformat(), "group": group,
            "filters": filters, "categories": shown,
            "totals": totals.as_dict(shown), "rows": rows}


def requested_stats(store: Store, categories: Sequence[str], requester: Requester,
                    query: dict) -> dict:
    """The report a stats query (``queries.StatsQuerySchema``) asks for, on the access trail."""
    report = consent_stats(store, categories, query["start"], query["end"], query["group"],
                           query["filters"])
    log_stats(store, requester, report, query["format"])
    return report


def overview(store: Store, categories: Sequence[str], start: date, end: date,
             filters: dict) -> dict:
    """What the dashboard shows at once: by day and by region (filtered), and every site.

    The sites are counted without the site filter, so that a dashboard can
    offer each of them while one is chosen.
    """
    by_day = consent_stats(store, categories, start, end, "day", filters)
    by_region = consent_stats(store, categories, start, end, "region", filters)
    unfiltered = {k: v for k, v in filters.items() if k != "site"}
    by_site = consent_stats(store, categories, start, end, "site", unfiltered)
    return {"from": by_day["from"], "to": by_day["to"], "filters": filters,
            "categories": by_day["categories"], "day": by_day, "region": by_region,
            "site": by_site}


def requested_overview(store: Store, categories: Sequence[str], requester: Requester,
                       query: dict) -> dict:
    """The dashboard's overview (``overview``) as ONE entry on the access trail."""
    report = overview(store, categories, query["start"], query["end"], query["filters"])
    rows = sum(len(report[group]["rows"]) for group in ("day", "region", "site"))
    log_stats(store, requester, {**report, "group": "overview"}, "json", rows)
    return report


def stats_csv(report: dict) -> str:
    """The report as CSV text, one line per group."""
    header, rows = stats_table(report)
    return "".join(csv_lines(header, rows))


def stats_table(report: dict) -> tuple[list[str], list[list]]:
    """The report as one flat table (header, rows) for CSV: one line per group."""
    group, categories = report["group"], report["categories"]
    header = [group, "answered", *METHODS, "gpc_signal",
              *(f"{c}_granted" for c in categories), *(f"{c}_opt_in_rate" for c in categories)]
    rows = [[row[group], row["answered"], *(row[m] for m in METHODS), row["gpc_signal"],
             *(row["granted"][c] for c in categories),
             *(row["opt_in_rate"][c] for c in categories)] for row in report["rows"]]
    return header, rows
