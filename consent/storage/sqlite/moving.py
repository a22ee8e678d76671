"""Rows in and out as stored, for moving a history between engines (``storage/moving.py``)."""

from __future__ import annotations

from collections.abc import Iterator

from ..moving import MOVED_TABLES


def _checked(table: str, columns: tuple[str, ...]) -> str:
    # names reach SQL only from MOVED_TABLES, never from outside
    if MOVED_TABLES.get(table) != columns:
        raise ValueError(f"{table} is not a moved table with columns {columns}")
    return ", ".join(columns)


class MovingTables:
    """Bulk copy primitives (mixed into ``SqliteStore``)."""

    def count_rows(self, table: str) -> int:
        _checked(table, MOVED_TABLES.get(table, ()))
        return self.db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]

    def table_rows(self, table: str, columns: tuple[str, ...]) -> Iterator[tuple]:
        names = _checked(table, columns)
        cursor = self.db.conn.execute(f"SELECT {names} FROM {table} ORDER BY {columns[0]}")
        try:
            yield from cursor
        finally:
            cursor.close()

    def add_rows(self, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
        names = _checked(table, columns)
        with self._writing() as conn:
            conn.executemany(f"INSERT INTO {table} ({names}) VALUES"
                             f" ({', '.join('?' * len(columns))})", rows)

    def after_move(self) -> None:
        """Nothing to do: SQLite's chain head is its last row, its ids follow the max."""
