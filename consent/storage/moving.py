"""Moving house: every row of one store copied into another, as stored (`consent move-store`).

Rows are copied as they are, seq, hashes, erasure seals and ids included, so
the chain verifies on the target with the same anchor as on the source. The
tables are named here once, in an order that keeps references whole
(erasures before the receipts that point at them). A table added by a later
migration that holds history must be added here too.
"""

from __future__ import annotations

from collections.abc import Callable

from .columns import ERASURE_FIELDS, RECEIPT_FIELDS
from .interface import Store

# table -> its columns; the first column (or columns) order the copy
MOVED_TABLES: dict[str, tuple[str, ...]] = {
    "config_snapshots": ("config_hash", "region", "lang", "revision", "body", "first_seen"),
    "erasures": ("id", "reason", "subject", "erased_at", "receipts", "cutoff"),
    "receipts": ("seq", *RECEIPT_FIELDS, *ERASURE_FIELDS),
    "daily_answers": ("day", "site", "region", "revision", "method", "gpc", "answers"),
    "daily_grants": ("day", "site", "region", "revision", "method", "gpc", "category",
                     "granted"),
    "access_log": ("id", "at", "who", "scope", "via", "action", "params", "rows",
                   "finished_at"),
    "idempotency_keys": ("key", "request", "receipt_id", "first_seen"),
}
PAGE = 2000


class NotEmpty(Exception):
    """The target already holds rows: moving into it would mix two histories."""


def row_counts(store: Store) -> dict[str, int]:
    return {table: store.count_rows(table) for table in MOVED_TABLES}


def move(source: Store, target: Store, progress: Callable[[str, int], None] = lambda t, n: None,
         ) -> dict[str, int]:
    """Copy every moved table from ``source`` into the empty, migrated ``target``.

    ``progress(table, rows)`` is told after each page. Each page is one
    transaction on the target; a move that breaks off leaves a target that
    is not empty, so it must be emptied (or dropped) before the next try.
    :raise NotEmpty: if the target holds any row already.
    :raise StoreUnavailable: if either store cannot be read or written.
    """
    held = {table: n for table, n in row_counts(target).items() if n}
    if held:
        raise NotEmpty(", ".join(f"{table}: {n} rows" for table, n in held.items()))
    copied = {}
    for table, names in MOVED_TABLES.items():
        copied[table] = 0
        page: list[tuple] = []
        for row in source.table_rows(table, names):
            page.append(row)
            if len(page) == PAGE:
                target.add_rows(table, names, page)
                copied[table] += len(page)
                progress(table, len(page))
                page = []
        if page:
            target.add_rows(table, names, page)
            copied[table] += len(page)
            progress(table, len(page))
    target.after_move()
    return copied
