"""Rows in and out as stored, for moving a history between engines (``storage/moving.py``)."""

from __future__ import annotations

from collections.abc import Iterator

from ..moving import MOVED_TABLES
from ..sealing import GENESIS

_SERIAL = ("erasures", "access_log")     # tables whose id comes from a sequence


def _checked(table: str, columns: tuple[str, ...]) -> str:
    # names reach SQL only from MOVED_TABLES, never from outside
    if MOVED_TABLES.get(table) != columns:
        raise ValueError(f"{table} is not a moved table with columns {columns}")
    return ", ".join(columns)


class MovingTables:
    """Bulk copy primitives (mixed into ``PostgresStore``)."""

    def count_rows(self, table: str) -> int:
        _checked(table, MOVED_TABLES.get(table, ()))
        return self.value(f"SELECT count(*) FROM {table}")

    def table_rows(self, table: str, columns: tuple[str, ...]) -> Iterator[tuple]:
        names = _checked(table, columns)
        with self.connection() as conn, conn.transaction():
            with conn.cursor(f"move_{table}") as cursor:
                cursor.itersize = 2000
                cursor.execute(f"SELECT {names} FROM {table} ORDER BY {columns[0]}")
                yield from cursor

    def add_rows(self, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
        names = _checked(table, columns)
        with self._writing() as conn, conn.cursor() as cursor:
            with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)

    def after_move(self) -> None:
        """The chain head row and the id sequences catch up with the rows copied in."""
        with self._writing() as conn:
            conn.execute(
                "UPDATE chain_head SET seq = coalesce((SELECT max(seq) FROM receipts), 0),"
                " hash = coalesce((SELECT hash FROM receipts ORDER BY seq DESC LIMIT 1), %s)",
                (GENESIS,))
            for table in _SERIAL:
                conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                             f" coalesce((SELECT max(id) FROM {table}), 0) + 1, false)")
