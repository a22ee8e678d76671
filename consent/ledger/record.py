"""A visitor's consent record: everything kept under their consent_id, in a portable document.

The document answers the rights of access and portability (GDPR Art. 15 and
20): every receipt with the exact configuration and texts the visitor was
shown, the signature that proves each receipt, and the erasures done under
this id. Its shape is versioned by ``format``; fields are only ever added.
"""

from __future__ import annotations

from datetime import datetime

from ..storage.columns import RECEIPT_FIELDS
from ..storage.interface import Store
from ..storage.sealing import utc_timestamp
from . import receipts
from .erasure import erasures_under
from .keys import KeyRing

FORMAT = "consent-record/1"


def consent_record(store: Store, keys: KeyRing, consent_id: str,
                   now: datetime | None = None) -> dict | None:
    """The visitor's record, or None when nothing was ever kept (or is still known) for the id.

    ``erased`` is true when the id's receipts were all erased and none came since.
    :raise StoreUnavailable: when the database cannot be read.
    """
    kept = store.receipts_for(consent_id)
    erasures = erasures_under(store, keys, consent_id)
    if not kept and not erasures:
        return None
    return {
        "format": FORMAT,
        "consent_id": consent_id,
        "exported_at": utc_timestamp(now),
        "erased": not kept,
        "receipts": [{**{k: r[k] for k in RECEIPT_FIELDS},
                      "signature": receipts.sign(keys, r)} for r in kept],
        "configurations": store.config_snapshots(r["config_hash"] for r in kept),
        "erasures": erasures,
    }
