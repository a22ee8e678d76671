"""The embedded engine: everything the service keeps, in one SQLite file (WAL).

``SqliteStore`` implements ``consent.storage.interface.Store`` from parts of one
concern each: connections and transactions (``connection``), receipts
(``receipts``), erasures (``erasures``) and what reports read (``reports``).
"""

from __future__ import annotations

from pathlib import Path

from ..batching import GroupCommit
from .connection import Connections
from .erasures import ErasureTables
from .receipts import ReceiptTables
from .reports import ReportTables


class SqliteStore(ReceiptTables, ErasureTables, ReportTables, Connections):
    def __init__(self, path: Path):
        super().__init__(path)
        self._group = GroupCommit(self._commit_batch)
        self._snapshots_stored: set[str] = set()   # config hashes known to be in the table
