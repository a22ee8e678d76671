"""Storage: the one place that knows how receipts, roll-ups, erasures and the access log are kept.

``interface`` says what any engine offers; the engine-neutral parts (how a
receipt is sealed and appended, how the roll-ups count, the column lists) sit
beside it; each engine lives in a package of its own (``sqlite/``, ``postgres/``). Storage
knows nothing of HTTP: a store that cannot write raises ``StoreUnavailable``
and the web layer decides what that means for a request.
"""

from __future__ import annotations

from pathlib import Path

from .errors import StoreUnavailable
from .interface import Store

__all__ = ["Store", "StoreUnavailable", "open_store"]


def open_store(database: Path | str, batching: str = "machine",
               anchor: Path | None = None) -> Store:
    """The store for CONSENT_DATABASE: a SQLite file path, or a postgresql:// URL.

    ``batching``: ``machine`` (one sequencer commits for every worker of the
    machine, ``sequencer.py``) or ``process`` (each worker for its own threads).
    ``anchor``: the file outside the database that keeps the chain's head
    (``anchor.py``); None keeps none. Opens no connection yet. The PostgreSQL
    engine (and psycopg) is imported only when a URL asks for it.
    """
    if isinstance(database, str) and database.startswith(("postgresql://", "postgres://")):
        from .postgres.store import PostgresStore

        return PostgresStore(database, batching, anchor)
    from .sqlite.store import SqliteStore

    return SqliteStore(Path(database), batching, anchor)
