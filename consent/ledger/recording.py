"""Recording a visitor's choice: the region's rules, the banner shown, a minimised signed receipt.

The web layer validates the body's shape and gathers what the request says
about the visitor (``Visit``); everything the receipt claims about region,
banner and network comes from here and the server, never from the body.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from marshmallow import ValidationError

from ..policy.book import PolicyBook
from ..policy.geo import Location
from ..storage.interface import Store
from . import receipts


@dataclass(frozen=True)
class Visit:
    """What the request itself says about the visitor (taken by the server, not the body)."""

    location: Location
    languages: Iterable[str]        # wanted languages, most wanted first (may be lazy)
    origin: str | None              # the browser's Origin header
    remote_addr: str | None         # minimised to a prefix before anything is stored
    user_agent: str | None          # reduced to browser family and OS


def record_consent(book: PolicyBook, store: Store, secret_key: str, choice: dict,
                   visit: Visit) -> dict:
    """Store ``choice`` (a validated request body) as a receipt; the receipt with its signature.

    :raise ValidationError: a revision newer than the current one, or a config
        hash this service never showed (the API's 422).
    :raise StoreUnavailable: when the store cannot take the write; nothing is stored.
    """
    if choice["revision"] > book.revision:
        raise ValidationError({"revision": [f"The current revision is {book.revision}."]})
    region = book.policy_for(visit.location)
    lang = book.negotiate(visit.languages, region)
    config_hash = choice.get("config_hash") or book.banner(region, lang).config_hash
    if config_hash not in book.snapshots:
        raise ValidationError({"config_hash": ["Not a configuration this service showed."]})
    draft = receipts.draft(choice, location=visit.location, region=region,
                           config_hash=config_hash, lang=lang, origin=visit.origin,
                           remote_addr=visit.remote_addr, user_agent=visit.user_agent)
    receipt = store.record_receipt(draft, book.snapshots[config_hash])
    return {**receipt, "signature": receipts.sign(secret_key, receipt)}
