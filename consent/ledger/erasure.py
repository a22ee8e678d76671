"""Erasure: a receipt's personal payload leaves, its place in the chain stays.

Every payload field of an erased receipt (``consent.storage.columns.PAYLOAD_FIELDS``, the
consent_id included) becomes NULL. What stays is what the chain needs:
receipt_id, recorded_at, payload_hash, prev_hash and hash, so the chain still
verifies and the row is visibly erased. Statistics live in the anonymous daily
roll-ups and are not touched.

Two things keep erasure from becoming a way to hide a receipt:
- each erased row carries an erasure seal, an HMAC under the current key
  over the row and its erasure, tagged with the key's id (kept in the seal's
  own text, ``<key id>.<hex>``); someone with only the database cannot make one;
- each erasure is logged (reason, time, how many receipts). A visitor's
  request is logged under a keyed hash of their consent_id, so a later
  request with the same id can be answered "erased" without the id being kept.
  After a key rotation the log is searched under every key held.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta, timezone

from ..storage.interface import Sealer, Store
from ..storage.sealing import utc_timestamp
from .keys import KeyRing

SUBJECT = "erasure-subject"


def subject_of(keys: KeyRing, consent_id: str) -> str:
    """The erasure log's name for a visitor under the current key: useless without it."""
    return keys.keyed_names(SUBJECT, consent_id)[0]


def erasures_under(store: Store, keys: KeyRing, consent_id: str) -> list[dict]:
    """Every logged erasure of ``consent_id``, whichever key held it then, oldest first."""
    found = [e for name in keys.keyed_names(SUBJECT, consent_id) for e in store.erasures_of(name)]
    return sorted(found, key=lambda entry: entry["erased_at"])


def _sealed(receipt_id: str, payload_hash: str, erased_at: str, erasure_id: int) -> bytes:
    return f"erased|{receipt_id}|{payload_hash}|{erased_at}|{erasure_id}".encode()


def sealer(keys: KeyRing) -> Sealer:
    """Seals erasures under the current key: ``<key id>.<HMAC>``."""
    return lambda receipt_id, payload_hash, erased_at, erasure_id: keys.tag(
        _sealed(receipt_id, payload_hash, erased_at, erasure_id))


def seal_check(keys: KeyRing, row: dict) -> str:
    """keys.VALID, MISMATCH or UNKNOWN_KEY for an erased row's seal."""
    return keys.check(_sealed(row["receipt_id"], row["payload_hash"], row["erased_at"],
                              row["erasure_id"]), row["erasure_seal"])


def erase_visitor(store: Store, keys: KeyRing, consent_id: str,
                  now: datetime | None = None) -> dict | None:
    """Erase every receipt of ``consent_id``; the latest erasure, or None for an unknown id.

    Idempotent: a repeated request erases nothing new and answers the same.
    :raise StoreUnavailable: when the database cannot take the write.
    """
    store.erase_consent(consent_id, subject_of(keys, consent_id), utc_timestamp(now),
                        sealer(keys))
    log = erasures_under(store, keys, consent_id)
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
    keys: int = 0       # idempotency keys past their lifetime, forgotten

    def as_dict(self) -> dict:
        return asdict(self)


def purge(store: Store, keys: KeyRing, cutoff: datetime, dry_run: bool = False,
          now: datetime | None = None, key_lifetime: timedelta | None = None) -> Purge:
    """Erase, the same way as a visitor's request, every payload recorded before ``cutoff``.

    The erasure log forgets visitors' consent_id hashes after the same time:
    a visitor then gets "unknown" instead of "erased". Idempotency keys older
    than ``key_lifetime`` (if given) are forgotten too. A dry run only counts.
    :raise StoreUnavailable: when the database cannot take a write.
    """
    before = utc_timestamp(cutoff)
    expired = utc_timestamp((now or datetime.now(timezone.utc)) - key_lifetime) \
        if key_lifetime else None
    if dry_run:
        return Purge(before, store.count_recorded_before(before),
                     store.count_subjects_before(before), True,
                     store.count_keys_before(expired) if expired else 0)
    erased = store.erase_recorded_before(before, utc_timestamp(now), sealer(keys))
    return Purge(before, erased, store.forget_subjects_before(before), False,
                 store.forget_keys_before(expired) if expired else 0)
