"""How a receipt is sealed into the chain: pure functions, no I/O.

A receipt's personal payload (``columns.PAYLOAD_FIELDS``) is hashed on its own
(payload_hash) so that it can later be erased without breaking the chain:

    hash = sha256(prev_hash | receipt_id | recorded_at | payload_hash)

Storage seals inside the write transaction that knows the previous hash; the
ledger recomputes the same hashes when it verifies the chain.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone

from .columns import PAYLOAD_FIELDS

GENESIS = "0" * 64


def canonical_json(value) -> bytes:
    """The one serialisation that hashes are taken over."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def choices_json(choices: dict) -> str:
    """Choices as stored: the exact text the payload hash of a stored row is checked against."""
    return json.dumps(choices, sort_keys=True, separators=(",", ":"))


def payload_hash(receipt: dict) -> str:
    return hashlib.sha256(canonical_json({k: receipt[k] for k in PAYLOAD_FIELDS})).hexdigest()


def link_hash(prev_hash: str, receipt_id: str, recorded_at: str, payload_digest: str) -> str:
    return hashlib.sha256(
        f"{prev_hash}|{receipt_id}|{recorded_at}|{payload_digest}".encode()).hexdigest()


def utc_timestamp(now: datetime | None = None) -> str:
    """The one time format of the store (``2026-05-04T09:30:00.123456Z``): it sorts as text."""
    moment = now or datetime.now(timezone.utc)
    # A naive time is taken as UTC, never as the server's local time.
    moment = moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment
    moment = moment.astimezone(timezone.utc)
    return moment.isoformat(timespec="microseconds").replace("+00:00", "Z")


def seal(receipt: dict, prev_hash: str, now: datetime | None = None) -> dict:
    """Stamp the time and chain the receipt to its predecessor (inside the write transaction)."""
    recorded_at = utc_timestamp(now)
    digest = payload_hash(receipt)
    return {**receipt, "recorded_at": recorded_at, "payload_hash": digest, "prev_hash": prev_hash,
            "hash": link_hash(prev_hash, receipt["receipt_id"], recorded_at, digest)}
