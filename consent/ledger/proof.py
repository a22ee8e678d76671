"""Proof of one receipt: the service signed it, and its stored row still hashes to itself.

A visitor (or a regulator they hand it to) proves a receipt with the
receipt_id and signature from the 201 response or their record download.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..storage.interface import Store
from . import chain, receipts

REASONS = {"unknown_receipt": "no receipt with this id is stored",
           "signature_mismatch": "the signature is not the service's signature of this receipt",
           **chain.REASONS}


@dataclass(frozen=True)
class ReceiptCheck:
    valid: bool
    reason: str | None          # a key of REASONS when not valid
    stored: dict | None         # the row as stored, for the operator


def check_receipt(store: Store, secret_key: str, receipt_id: str, signature: str) -> ReceiptCheck:
    """Valid when the service signed this receipt and its stored row still hashes to itself.

    :raise StoreUnavailable: when the database cannot be read.
    """
    stored = store.receipt_as_stored(receipt_id)
    if stored is None:
        return ReceiptCheck(False, "unknown_receipt", None)
    if not receipts.signature_valid(secret_key, stored, signature):
        return ReceiptCheck(False, "signature_mismatch", stored)
    fault = chain.row_fault(stored, secret_key)
    return ReceiptCheck(fault is None, fault, stored)
