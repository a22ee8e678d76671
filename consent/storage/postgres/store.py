"""The scale-out engine: everything the service keeps, in one PostgreSQL database.

``PostgresStore`` implements ``consent.storage.interface.Store`` from parts of
one concern each: connections, transactions and migrations (``connection``),
receipts (``receipts``), erasures (``erasures``) and what reports read
(``reports``). Any number of app servers may share the database: the chain
head row orders their batches (``receipts.PostgresAppend``).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from psycopg.conninfo import conninfo_to_dict

from ..anchor import Anchor
from ..batching import Batches
from ..sequencer import Sequencer
from .connection import Connections
from .erasures import ErasureTables
from .moving import MovingTables
from .receipts import ReceiptTables
from .reports import ReportTables


class PostgresStore(ReceiptTables, ErasureTables, ReportTables, MovingTables, Connections):
    def __init__(self, url: str, batching: str = "machine", anchor: Path | None = None):
        super().__init__(url)
        self.anchor = Anchor(anchor)
        place = conninfo_to_dict(url)
        # The database's identity without its password: the workers that share it here meet.
        name = hashlib.sha256(repr([place.get(k) for k in ("host", "port", "dbname", "user")])
                              .encode()).hexdigest()[:24]
        sequencer = Sequencer(name, self._commit_batch) if batching == "machine" else None
        self._batches = Batches(self._commit_batch, sequencer)
        self._snapshots_stored: set[str] = set()   # config hashes known to be in the table
