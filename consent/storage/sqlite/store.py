"""The embedded engine: everything the service keeps, in one SQLite file (WAL).

``SqliteStore`` implements ``consent.storage.interface.Store`` from parts of one
concern each: connections and transactions (``connection``), receipts
(``receipts``), erasures (``erasures``) and what reports read (``reports``).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from ..anchor import Anchor
from ..batching import Batches
from ..sequencer import Sequencer
from .connection import Connections
from .erasures import ErasureTables
from .moving import MovingTables
from .receipts import ReceiptTables
from .reports import ReportTables


class SqliteStore(ReceiptTables, ErasureTables, ReportTables, MovingTables, Connections):
    def __init__(self, path: Path, batching: str = "machine", anchor: Path | None = None):
        super().__init__(path)
        self.anchor = Anchor(anchor)
        # Every worker on this machine that opens this file meets at the same sequencer.
        name = hashlib.sha256(str(self.path.resolve()).encode()).hexdigest()[:24]
        sequencer = Sequencer(name, self._commit_batch) if batching == "machine" else None
        self._batches = Batches(self._commit_batch, sequencer)
        self._snapshots_stored: set[str] = set()   # config hashes known to be in the table
