"""Proof that the receipt log was not altered: the chain walk and the signature check.

Each stored row must hash to itself (payload -> payload_hash, then
prev_hash|receipt_id|recorded_at|payload_hash -> hash) and link to the row
before it (seq has no gap, prev_hash is the previous hash, the first row
starts at GENESIS). The walk stops at the first row that does not, and names
it and the reason.

The chain alone cannot tell a log rewritten from the start with fresh hashes:
an anchor (a seq and hash written down earlier, e.g. from a previous report's
``last``) and every visitor's signed receipt can.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable
from dataclasses import dataclass

from ..storage.columns import PAYLOAD_FIELDS
from ..storage.interface import Store
from ..storage.sealing import GENESIS, choices_json, link_hash, payload_hash
from .erasure import seal_check
from .keys import UNKNOWN_KEY, VALID, KeyRing

# reason -> what it means, for people reading the report
REASONS = {
    "missing_row": "a row is missing (deleted) before this point",
    "bad_genesis": "the first row does not start the chain",
    "prev_hash_mismatch": "prev_hash is not the previous row's hash (a row deleted or reordered)",
    "payload_hash_mismatch": "the payload no longer hashes to payload_hash (a field was edited)",
    "link_hash_mismatch": "hash does not cover this row's receipt_id, recorded_at and "
                          "payload_hash (one of them was edited)",
    "erased_not_empty": "the row is marked erased but still holds payload fields",
    "bad_erasure": "the row is marked erased without a valid erasure seal or log entry",
    "unknown_seal_key": "the erasure seal names a key this service does not hold (add the old "
                        "key to CONSENT_RETIRED_KEYS)",
    "anchor_mismatch": "the row at the anchor has another hash (the log was rewritten)",
    "truncated": "the chain ends before the anchor (rows were removed from its end)",
}


@dataclass(frozen=True)
class Break:
    seq: int
    receipt_id: str | None
    reason: str

    def as_dict(self) -> dict:
        return {"seq": self.seq, "receipt_id": self.receipt_id, "reason": self.reason,
                "message": REASONS[self.reason]}


@dataclass(frozen=True)
class ChainReport:
    receipts: int               # rows verified (before the break, if any)
    erased: int                 # of which erased
    first: dict | None
    last: dict | None           # the head: keep its seq and hash as a future anchor
    broken: Break | None
    seals_checked: bool         # erasure seals need the secret key
    anchor: dict | None = None  # what the chain was held against: seq, hash, source

    @property
    def ok(self) -> bool:
        return self.broken is None

    def as_dict(self) -> dict:
        return {"ok": self.ok, "receipts": self.receipts, "erased": self.erased,
                "first": self.first, "last": self.last,
                "broken": self.broken.as_dict() if self.broken else None,
                "erasure_seals_checked": self.seals_checked, "anchor": self.anchor}


def verify(store: Store, keys: KeyRing | None,
           anchor: tuple[int, str] | None = None) -> ChainReport:
    """Walk the whole chain in one consistent snapshot; erasure seals need ``keys``.

    Without an ``anchor`` given, the one the store keeps outside the database
    (``storage/anchor.py``) is used: an emptied or replaced database then
    does not verify "ok" by itself.
    :raise StoreUnavailable: unreadable (or the kept anchor is).
    """
    source = "given"
    if anchor is None:
        anchor, source = store.anchor.read(), str(store.anchor.path)
    with store.chain() as rows:
        report = verify_rows(rows, keys, anchor)
    if anchor is None:
        return report
    return dataclasses.replace(report, anchor={"seq": anchor[0], "hash": anchor[1],
                                               "source": source})


def verify_rows(rows: Iterable[dict], keys: KeyRing | None = None,
                anchor: tuple[int, str] | None = None) -> ChainReport:
    """The first broken link among ``rows`` (stored rows in seq order), or OK with counts."""
    expected_seq, expected_prev = 1, GENESIS
    count = erased = 0
    first = last = None

    def report(broken: Break | None = None) -> ChainReport:
        return ChainReport(count, erased, first, last, broken, keys is not None)

    for row in rows:
        if row["seq"] != expected_seq:
            return report(Break(expected_seq, None, "missing_row"))
        reason = None
        if row["prev_hash"] != expected_prev:
            reason = "bad_genesis" if expected_seq == 1 else "prev_hash_mismatch"
        reason = reason or row_fault(row, keys)
        if reason is None and anchor and anchor[0] == row["seq"] and anchor[1] != row["hash"]:
            reason = "anchor_mismatch"
        if reason:
            return report(Break(row["seq"], row["receipt_id"], reason))
        count += 1
        erased += row["erased_at"] is not None
        last = {k: row[k] for k in ("seq", "receipt_id", "recorded_at", "hash")}
        first = first or last
        expected_seq, expected_prev = row["seq"] + 1, row["hash"]
    if anchor and anchor[0] >= expected_seq:
        return report(Break(anchor[0], None, "truncated"))
    return report()


def row_fault(row: dict, keys: KeyRing | None = None) -> str | None:
    """Why one stored row does not hash to itself, or None when it does."""
    erased = row["erased_at"] is not None
    if erased and any(row[field] is not None for field in PAYLOAD_FIELDS):
        return "erased_not_empty"
    if not erased and _payload_hash(row) != row["payload_hash"]:
        return "payload_hash_mismatch"
    if link_hash(row["prev_hash"], row["receipt_id"], row["recorded_at"],
                          row["payload_hash"]) != row["hash"]:
        return "link_hash_mismatch"
    # Checked last: the hashes above need no key, so they name the edit where they can.
    if erased and keys is not None:
        return _erasure_fault(row, keys)
    return None


def _payload_hash(row: dict) -> str | None:
    """The hash of the payload as stored; None when a column holds what no receipt can."""
    payload = {field: row[field] for field in PAYLOAD_FIELDS}
    try:
        # Strict: an equivalent re-encoding is an edit too (stored exactly as written).
        choices = json.loads(payload["choices"])
        if choices_json(choices) != payload["choices"] or row["gpc"] not in (0, 1):
            return None
    except (TypeError, ValueError):
        return None
    return payload_hash({**payload, "choices": choices, "gpc": bool(row["gpc"])})


def _erasure_fault(row: dict, keys: KeyRing) -> str | None:
    if row["erasure_reason"] is None or row["erasure_id"] is None:
        return "bad_erasure"
    verdict = seal_check(keys, row)
    if verdict == VALID:
        return None
    return "unknown_seal_key" if verdict == UNKNOWN_KEY else "bad_erasure"
