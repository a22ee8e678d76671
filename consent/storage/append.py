"""Appending receipts to the chain: the algorithm every engine runs inside its write transaction.

The engine supplies the few primitives that touch its tables (an
``AppendTransaction``); sealing, snapshot bookkeeping and the roll-up rule are
here, once.
"""

from __future__ import annotations

from collections.abc import Set
from datetime import datetime

from .interface import AppendTransaction
from .rollups import Tally, answer_changes
from .sealing import GENESIS, seal


def append(tx: AppendTransaction, tally: Tally, draft: dict, snapshot: dict,
           now: datetime | None = None, stored_snapshots: Set[str] = frozenset()) -> dict:
    """Seal and store one receipt inside ``tx``; tally its roll-up counts; return it as stored.

    ``stored_snapshots`` are config hashes known to be committed already.
    Its counts reach ``tally`` last and all at once, so a receipt that fails
    half-way (rolled back to its savepoint) leaves no count behind.
    """
    receipt = seal(draft, tx.head_hash() or GENESIS, now)
    config_hash = receipt["config_hash"]
    if config_hash not in stored_snapshots and config_hash not in tally.snapshots:
        tx.insert_snapshot(config_hash, snapshot, receipt["recorded_at"])
    # Looked up by day rather than "their last receipt" so that a receipt stamped earlier
    # than its predecessor (a clock step, a backdated import) still replaces the right answer.
    previous = tx.answer_on(receipt["consent_id"], receipt["recorded_at"][:10])
    tx.insert_receipt(receipt)
    tally.count(answer_changes(receipt, previous))
    tally.snapshots.add(config_hash)
    return receipt
