"""Statistics, exports and the access log in PostgreSQL: what marketing and audits read."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime, timezone

from ..columns import EXPORT_FILTERS
from ..rollups import STATS_FILTERS, STATS_GROUPS, next_day
from .receipts import decode


class ReportTables:
    """Roll-up queries, receipt exports and the access log (mixed into ``PostgresStore``)."""

    # Stats read the daily roll-ups only; they never scan receipts.

    def answer_counts(self, start: date, end: date, group: str, filters: dict) -> list[tuple]:
        """(group key, method, gpc, answers) summed over days ``start``..``end`` (UTC).

        ``group`` and the ``filters`` keys must come from STATS_GROUPS / STATS_FILTERS.
        """
        where, params = _rollup_where(start, end, filters)
        column = STATS_GROUPS[group]
        with self.connection() as conn:
            return [tuple(row) for row in conn.execute(
                f"SELECT {column}, method, gpc, sum(answers)::bigint FROM daily_answers"
                f" WHERE {where} GROUP BY {column}, method, gpc", params)]

    def grant_counts(self, start: date, end: date, group: str, filters: dict) -> list[tuple]:
        """(group key, category, granted) summed over days ``start``..``end`` (UTC)."""
        where, params = _rollup_where(start, end, filters)
        column = STATS_GROUPS[group]
        with self.connection() as conn:
            return [tuple(row) for row in conn.execute(
                f"SELECT {column}, category, sum(granted)::bigint FROM daily_grants"
                f" WHERE {where} GROUP BY {column}, category", params)]

    def count_receipts_between(self, start: date, end: date, filters: dict | None = None) -> int:
        where, params = _export_where(filters)
        return self.value(
            f"SELECT count(*) FROM receipts WHERE recorded_at >= %s AND recorded_at < %s{where}",
            (start.isoformat(), next_day(end.isoformat()), *params))

    def receipts_between(self, start: date, end: date, filters: dict | None = None,
                         page_size: int = 2000) -> Iterator[dict]:
        """Receipts recorded on days ``start``..``end`` (UTC) in time order, page by page.

        Keyset pagination on (recorded_at, seq): each page is one short query,
        so memory stays flat and no transaction stays open between pages.
        """
        last = (start.isoformat(), 0)
        end_bound = next_day(end.isoformat())
        where, params = _export_where(filters)
        while True:
            page = self.rows(
                "SELECT * FROM receipts WHERE (recorded_at, seq) > (%s, %s) AND recorded_at < %s"
                f"{where} ORDER BY recorded_at, seq LIMIT %s",
                (*last, end_bound, *params, page_size))
            yield from (decode(row) for row in page)
            if len(page) < page_size:
                return
            last = (page[-1]["recorded_at"], page[-1]["seq"])

    def log_access(self, who: str, scope: str, via: str, action: str, params: dict,
                   rows: int | None = None) -> int:
        """Record an export before it runs, so even one that breaks off is on file."""
        now = _utc_now()
        with self._writing() as conn:
            return conn.execute(
                "INSERT INTO access_log (at, who, scope, via, action, params, rows, finished_at)"
                " VALUES (%s,%s,%s,%s,%s,%s,%s,%s) RETURNING id",
                (now, who, scope, via, action, json.dumps(params, sort_keys=True), rows,
                 now if rows is not None else None)).fetchone()[0]

    def finish_access(self, entry_id: int, rows: int, complete: bool = True) -> None:
        with self._writing() as conn:
            conn.execute("UPDATE access_log SET rows = %s, finished_at = %s WHERE id = %s",
                         (rows, _utc_now() if complete else None, entry_id))

    def access_log(self, limit: int = 100) -> list[dict]:
        """The latest entries first."""
        rows = self.rows("SELECT * FROM access_log ORDER BY id DESC LIMIT %s", (limit,))
        return [{**row, "params": json.loads(row["params"])} for row in rows]


def _rollup_where(start: date, end: date, filters: dict) -> tuple[str, list]:
    clauses, params = ["day >= %s AND day <= %s"], [start.isoformat(), end.isoformat()]
    for name in STATS_FILTERS:
        if filters.get(name) is not None:
            clauses.append(f"{name} = %s")
            params.append(filters[name])
    return " AND ".join(clauses), params


def _export_where(filters: dict | None) -> tuple[str, list]:
    """`` AND region = %s ...`` for the filters given; names from EXPORT_FILTERS only."""
    names = [name for name in EXPORT_FILTERS if (filters or {}).get(name) is not None]
    return "".join(f" AND {name} = %s" for name in names), [filters[name] for name in names]


def _utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")
