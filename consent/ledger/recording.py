"""Recording a visitor's choice: the region's rules, the banner shown, a minimised signed receipt.

The web layer validates the body's shape and gathers what the request says
about the visitor (``Visit``); everything the receipt claims about region,
banner and network comes from here and the server, never from the body.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from marshmallow import ValidationError

from ..policy.answers import contradictions
from ..policy.book import PolicyBook
from ..policy.data import Region
from ..policy.geo import Location
from ..storage.errors import KeyReused
from ..storage.idempotency import Idempotency
from ..storage.interface import Store
from ..storage.sealing import canonical_json, utc_timestamp
from . import receipts
from .keys import KeyRing
from .minimize import clean_page, site_of

# How long an idempotency key answers with its first receipt (CONSENT_IDEMPOTENCY_DAYS).
KEY_LIFETIME = timedelta(days=30)


@dataclass(frozen=True)
class Visit:
    """What the request itself says about the visitor (taken by the server, not the body)."""

    location: Location
    languages: Iterable[str]        # wanted languages, most wanted first (may be lazy)
    origin: str | None              # the browser's Origin header
    remote_addr: str | None         # minimised to a prefix before anything is stored
    user_agent: str | None          # reduced to browser family and OS
    sites: Collection[str] = ()     # the hosts of the configured sites: the only sites recorded


def _check_site(visit: Visit, page: str | None) -> None:
    """:raise ValidationError: the receipt would name a site that is not configured.

    Browsers send Origin (checked by the web layer); a client that sends none
    names its site through the page, which must then be on a configured site,
    and a page must be on the site that sent it. Otherwise anybody could fill
    the statistics with sites of their own.
    """
    page_host = site_of(None, clean_page(page))
    origin_host = site_of(visit.origin, None)
    if origin_host and page_host and page_host != origin_host:
        raise ValidationError({"page": [f"Not a page of {origin_host}, the site that sent it."]})
    if page_host and page_host not in visit.sites:
        raise ValidationError({"page": [f"{page_host} is not a configured site."]})


def _check_banner(book: PolicyBook, region: Region, choice: dict, config_hash: str) -> None:
    """:raise ValidationError: the config hash is not a banner this visitor's region showed."""
    shown = book.snapshots.get(config_hash)
    if shown is None:
        raise ValidationError({"config_hash": ["Not a configuration this service showed."]})
    if shown["region"] != region.code:
        raise ValidationError({"config_hash": [
            f"A banner of {shown['region']}, not of the visitor's region ({region.code})."]})
    # Without a hash (the widget's built-in banner) the service records what it would have shown.
    if choice.get("config_hash") and shown["revision"] != choice["revision"]:
        raise ValidationError({"revision": [
            f"The banner shown (config_hash) is revision {shown['revision']}."]})


def record_consent(book: PolicyBook, store: Store, keys: KeyRing, choice: dict,
                   visit: Visit, key_lifetime: timedelta = KEY_LIFETIME) -> dict:
    """Store ``choice`` (a validated request body) as a receipt; the receipt with its signature.

    With an ``idempotency_key`` in ``choice``, the same request sent again
    within ``key_lifetime`` answers the receipt it recorded first (the same
    receipt_id and signature; ``replayed`` is then true) and stores nothing.
    :raise ValidationError: a revision newer than the current one, a config hash
        this service never showed or showed in another region, an answer the
        region's banner cannot give (``policy.answers``), or an idempotency key
        that recorded another request: the API's 422.
    :raise KeyErased: the key's first receipt has been erased since.
    :raise StoreUnavailable: when the store cannot take the write; nothing is stored.
    """
    key = choice.get("idempotency_key")
    choice = {k: v for k, v in choice.items() if k != "idempotency_key"}
    if choice["revision"] > book.revision:
        raise ValidationError({"revision": [f"The current revision is {book.revision}."]})
    region = book.policy_for(visit.location)
    lang = book.negotiate(visit.languages, region)
    config_hash = choice.get("config_hash") or book.banner(region, lang).config_hash
    _check_banner(book, region, choice, config_hash)
    _check_site(visit, choice.get("page"))
    problems = contradictions(region, choice["method"], choice["choices"], choice.get("gpc", False))
    if problems:
        raise ValidationError(problems)
    draft = receipts.draft(choice, location=visit.location, region=region,
                           config_hash=config_hash, lang=lang, origin=visit.origin,
                           remote_addr=visit.remote_addr, user_agent=visit.user_agent)
    try:
        receipt = store.record_receipt(draft, book.snapshots[config_hash],
                                       idempotency=_idempotency(key, choice, key_lifetime))
    except KeyReused:
        raise ValidationError({"idempotency_key": [
            "This key recorded another request; use a new key for a new choice."]}) from None
    return {**receipt, "signature": receipts.sign(keys, receipt),
            "replayed": receipt["receipt_id"] != draft["receipt_id"]}


def _idempotency(key: str | None, choice: dict, lifetime: timedelta) -> Idempotency | None:
    """The key with what it asks for: the request as sent (the choice, not where or when)."""
    if key is None:
        return None
    request = hashlib.sha256(canonical_json(choice)).hexdigest()
    return Idempotency(key, request, utc_timestamp(datetime.now(timezone.utc) - lifetime))
