"""Consent receipts: what is recorded of a choice, and the signature that proves it.

A draft holds everything but time and chain; storage seals it inside its
write transaction (``consent.storage.sealing``). The signature handed to the
visitor is an HMAC of the sealed receipt under the service's current key,
tagged with that key's id (``keys.KeyRing``), so it still proves the receipt
after a key rotation.
"""

from __future__ import annotations

import secrets

from ..policy.data import Region
from ..policy.geo import Location
from .keys import KeyRing
from .minimize import clean_page, ip_prefix, reduce_user_agent, site_of


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


def _signed(receipt: dict) -> bytes:
    return f"{receipt['receipt_id']}|{receipt['recorded_at']}|{receipt['hash']}".encode()


def sign(keys: KeyRing, receipt: dict) -> str:
    """``<key id>.<HMAC>`` of the sealed receipt under the current key."""
    return keys.tag(_signed(receipt))


def signature_check(keys: KeyRing, receipt: dict, signature: str | None) -> str:
    """keys.VALID, MISMATCH or UNKNOWN_KEY: whether a key held signed this receipt."""
    return keys.check(_signed(receipt), signature)
