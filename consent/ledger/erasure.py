"""Erasure: a receipt's personal payload leaves, its place in the chain stays.

Every payload field of an erased receipt (``consent.storage.columns.PAYLOAD_FIELDS``, the
consent_id included) becomes NULL. What stays is what the chain needs:
receipt_id, recorded_at, payload_hash, prev_hash and hash, so the chain still
verifies and the row is visibly erased. Statistics live in the anonymous daily
roll-ups and are not touched.

Two things keep erasure from becoming a way to hide a receipt:
- each erased row carries an erasure seal, an HMAC under the secret key over
  the row and its erasure; someone with only the database cannot make one;
- each erasure is logged (reason, time, how many receipts). A visitor's
  request is logged under a keyed hash of their consent_id, so a later
  request with the same id can be answered "erased" without the id being kept.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
from dataclasses import asdict, dataclass
from datetime import datetime

from ..storage.interface import Sealer, Store
from ..storage.sealing import utc_timestamp


def subject_of(secret_key: str, consent_id: str) -> str:
    """The erasure log's name for a visitor: useless without the key, stable with it."""
    return hmac.new(secret_key.encode(), f"erasure-subject|{consent_id}".encode(),
                    hashlib.sha256).hexdigest()


def erasure_seal(secret_key: str, receipt_id: str, payload_hash: str, erased_at: str,
                 erasure_id: int) -> str:
    message = f"erased|{receipt_id}|{payload_hash}|{erased_at}|{erasure_id}".encode()
    return hmac.new(secret_key.encode(), message, hashlib.sha256).hexdigest()


def sealer(secret_key: str) -> Sealer:
    return functools.partial(erasure_seal, secret_key)


def erase_visitor(store: Store, secret_key: str, consent_id: str,
                  now: datetime | None = None) -> dict | None:
    """Erase every receipt of ``consent_id``; the latest erasure, or None for an unknown id.

    Idempotent: a repeated request erases nothing new and answers the same.
    :raise StoreUnavailable: when the database cannot take the write.
    """
    subject = subject_of(secret_key, consent_id)
    store.erase_consent(consent_id, subject, utc_timestamp(now), sealer(secret_key))
    log = store.erasures_of(subject)
    if not log:
        return None
    latest = log[-1]
    return {"consent_id": consent_id, "erased": True, "erased_at": latest["erased_at"],
            "receipts": latest["receipts"]}


@dataclass(frozen=True)
class Purge:
    cutoff: str         # receipts recorded before this
    receipts: int       # payloads erased (or, in a dry run, that would be)
    subjects: int       # erasure log entries whose consent_id hash was dropped
    dry_run: bool

    def as_dict(self) -> dict:
        return asdict(self)


def purge(store: Store, secret_key: str, cutoff: datetime, dry_run: bool = False,
          now: datetime | None = None) -> Purge:
    """Erase, the same way as a visitor's request, every payload recorded before ``cutoff``.

    The erasure log forgets visitors' consent_id hashes after the same time:
    a visitor then gets "unknown" instead of "erased". A dry run only counts.
    :raise StoreUnavailable: when the database cannot take a write.
    """
    before = utc_timestamp(cutoff)
    if dry_run:
        return Purge(before, store.count_recorded_before(before),
                     store.count_subjects_before(before), True)
    erased = store.erase_recorded_before(before, utc_timestamp(now), sealer(secret_key))
    return Purge(before, erased, store.forget_subjects_before(before), False)
