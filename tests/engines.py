"""Reading and writing a store's tables past its interface, on either engine (for checks only)."""

from __future__ import annotations


def is_postgres(store) -> bool:
    return type(store).__name__ == "PostgresStore"


def sql(store, query: str) -> list[dict]:
    """Rows of ``query`` (no parameters; committed at once) as dicts."""
    if is_postgres(store):
        from psycopg.rows import dict_row

        with store.connection() as conn:
            cursor = conn.cursor(row_factory=dict_row).execute(query)
            return cursor.fetchall() if cursor.description else []
    cursor = store.db.conn.execute(query)
    rows = [dict(zip((d[0] for d in cursor.description), row))
            for row in cursor.fetchall()] if cursor.description else []
    store.db.conn.commit()
    return rows
