"""Proof of one receipt: the service signed it, and its stored row still hashes to itself.

A visitor (or a regulator they hand it to) proves a receipt with the
receipt_id and signature from the 201 response or their record download.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..storage.interface import Store
from . import chain, receipts
from .keys import UNKNOWN_KEY, VALID, KeyRing

REASONS = {"unknown_receipt": "no receipt with this id is stored",
           "signature_mismatch": "the signature is not the service's signature of this receipt",
           "unknown_key": "the signature names a key this service does not hold (a key retired "
                          "and then dropped from CONSENT_RETIRED_KEYS, or not ours)",
           **chain.REASONS}


@dataclass(frozen=True)
class ReceiptCheck:
    valid: bool
    reason: str | None          # a key of REASONS when not valid
    stored: dict | None         # the row as stored, for the operator


def check_receipt(store: Store, keys: KeyRing, receipt_id: str, signature: str) -> ReceiptCheck:
    """Valid when a key the service holds signed this receipt and its row still hashes to itself.

    Signatures under a retired key (CONSENT_RETIRED_KEYS) and old ones without
    a key id are valid too.
    :raise StoreUnavailable: when the database cannot be read.
    """
    stored = store.receipt_as_stored(receipt_id)
    if stored is None:
        return ReceiptCheck(False, "unknown_receipt", None)
    verdict = receipts.signature_check(keys, stored, signature)
    if verdict != VALID:
        reason = "unknown_key" if verdict == UNKNOWN_KEY else "signature_mismatch"
        return ReceiptCheck(False, reason, stored)
    fault = chain.row_fault(stored, keys)
    return ReceiptCheck(fault is None, fault, stored)
