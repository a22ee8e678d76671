"""Consent receipts: what is recorded of a choice, how it is chained and signed.

A receipt's personal payload is hashed on its own (payload_hash) so that it can
later be erased without breaking the chain:

    hash = sha256(prev_hash | receipt_id | recorded_at | payload_hash)

The signature handed to the visitor is an HMAC of the sealed receipt under
the service's secret key.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from datetime import datetime, timezone

from .geo import Location
from .minimize import clean_page, ip_prefix, reduce_user_agent, site_of
from .policies import canonical_json
from .policy_data import Region

GENESIS = "0" * 64
# Everything about the visitor and their choice; erasure removes these, keeps their hash.
PAYLOAD_FIELDS = ("consent_id", "site", "region", "country", "subdivision", "model", "revision",
                  "config_hash", "method", "choices", "gpc", "lang", "page", "ip_prefix",
                  "user_agent")


def new_consent_id() -> str:
    """128 random bits: the visitor's capability to read and erase their record."""
    return secrets.token_hex(16)


def draft(choice: dict, *, location: Location, region: Region, config_hash: str, lang: str,
          origin: str | None, remote_addr: str | None, user_agent: str | None) -> dict:
    """A receipt not yet sealed: everything but time and chain, minimised.

    ``choice`` is the validated request body; region, location and network
    facts come from the server, never from the body.
    """
    page = clean_page(choice.get("page"))
    return {
        "receipt_id": secrets.token_hex(16),
        "consent_id": choice.get("consent_id") or new_consent_id(),
        "site": site_of(origin, page) or "",
        "region": region.code,
        "country": location.country,
        "subdivision": location.subdivision,
        "model": region.model,
        "revision": choice["revision"],
        "config_hash": config_hash,
        "method": choice["method"],
        "choices": {k: bool(v) for k, v in sorted(choice["choices"].items())},
        "gpc": bool(choice.get("gpc", False)),
        "lang": lang,
        "page": page,
        "ip_prefix": ip_prefix(remote_addr),
        "user_agent": reduce_user_agent(user_agent),
    }


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


def sign(secret_key: str, receipt: dict) -> str:
    message = f"{receipt['receipt_id']}|{receipt['recorded_at']}|{receipt['hash']}".encode()
    return hmac.new(secret_key.encode(), message, hashlib.sha256).hexdigest()


def signature_valid(secret_key: str, receipt: dict, signature: str) -> bool:
    return hmac.compare_digest(sign(secret_key, receipt), signature or "")


def choices_json(choices: dict) -> str:
    return json.dumps(choices, sort_keys=True, separators=(",", ":"))
