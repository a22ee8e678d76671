"""The daily roll-ups' counting rule, the same for every engine.

Roll-ups count each visitor's latest answer once per UTC day, in two tables:
answers per (day, site, region, revision, method, gpc) and granted categories
per the same plus category. A receipt adds +1 for itself and, when the same
visitor already answered that day, -1 for that earlier answer: a changed mind
replaces the first answer, it is not a second one. Stats then read roll-ups
only, never receipts.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

# Roll-up columns a stats request may group or filter by (never user text in SQL).
STATS_GROUPS = {"day": "day", "region": "region", "site": "site", "revision": "revision"}
STATS_FILTERS = ("region", "site", "revision")
# The roll-up dimensions, in column order.
DIMENSIONS = ("day", "site", "region", "revision", "method", "gpc")


def next_day(day: str) -> str:
    return (date.fromisoformat(day) + timedelta(days=1)).isoformat()


def answer_changes(receipt: dict, previous: dict | None) -> list[tuple]:
    """What ``receipt`` changes in its day's roll-ups: (day, site, region, revision, method,
    gpc, choices, delta) rows.

    ``previous`` is the visitor's answer already counted that day (the latest
    receipt of their consent_id recorded on the same UTC day), or None. An
    erased earlier answer (choices None) can no longer be taken back.
    """
    day = receipt["recorded_at"][:10]
    changes = [(day, receipt["site"], receipt["region"], receipt["revision"],
                receipt["method"], int(receipt["gpc"]), receipt["choices"], +1)]
    if previous and previous["choices"] is not None:
        changes.append((day, previous["site"], previous["region"], previous["revision"],
                        previous["method"], int(previous["gpc"]), previous["choices"], -1))
    return changes


def withdrawn(answer: dict | None, day: str) -> list[tuple]:
    """What erasing a visitor changes in ``day``'s roll-ups: their answer that day, -1.

    ``answer`` is the visitor's latest answer of ``day`` (the erasure's own UTC
    day), read before its payload goes. The roll-ups count each visitor's
    latest answer once a day; after an erasure the visitor has no answer that
    day until they give one again, which then counts once (the new answer,
    under a new consent_id, can never be linked to the erased one). Earlier
    days keep their counts: anonymous, and no longer anybody's.
    """
    if answer is None or answer["choices"] is None:
        return []
    return [(day, answer["site"], answer["region"], answer["revision"], answer["method"],
             int(answer["gpc"]), answer["choices"], -1)]


class Tally:
    """What one write transaction adds to the roll-ups, summed before it is written.

    A batch of receipts then writes each roll-up row it touches once, not once
    per receipt.
    """

    def __init__(self):
        self.answers: Counter = Counter()
        self.grants: Counter = Counter()
        self.snapshots: set[str] = set()     # config hashes already stored by this transaction

    def count(self, changes: list[tuple]) -> None:
        """Add (day, site, region, revision, method, gpc, choices, delta) changes, all or none.

        Everything that can fail (a malformed choices value) fails before anything
        is added, so a receipt rolled back to its savepoint leaves no count behind.
        """
        prepared = [((day, site or "", region, revision, method, gpc),
                     [category for category, granted in choices.items() if granted], delta)
                    for day, site, region, revision, method, gpc, choices, delta in changes]
        for dims, granted, delta in prepared:
            self.answers[dims] += delta
            for category in granted:
                self.grants[(*dims, category)] += delta

    def answer_rows(self) -> list[tuple]:
        """(day, site, region, revision, method, gpc, answers) to add, zero sums left out."""
        return [(*dims, n) for dims, n in self.answers.items() if n]

    def grant_rows(self) -> list[tuple]:
        """(day, site, region, revision, method, gpc, category, granted) to add."""
        return [(*dims, n) for dims, n in self.grants.items() if n]
