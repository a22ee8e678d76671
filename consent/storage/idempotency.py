"""Idempotency keys: a receipt sent again under its key is answered, not stored twice.

A client names each receipt it means with a key of its own (the widget: the
queue entry's id). Inside the write transaction that would append it, a key
kept within its lifetime answers with the receipt it first recorded: the same
receipt_id, recorded_at and hash, so the same signature. The same key with
another request is refused (``KeyReused``), and a key whose receipt has since
been erased answers nothing (``KeyErased``): a late copy of a choice must not
bring an erased record back. An expired key is a new key.

The engine supplies three primitives of its write transaction
(``interface.AppendTransaction``): ``kept_key``, ``stored_receipt`` and
``keep_key``; the rule is here, once.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import KeyErased, KeyReused


@dataclass(frozen=True)
class Idempotency:
    key: str
    request: str        # a hash of what was asked: tells a repeat from a reused key
    since: str          # keys first seen before this (a store timestamp) have expired


def replayed(tx, idempotency: Idempotency | None) -> dict | None:
    """The receipt ``idempotency``'s key recorded, if it is a live repeat; else None.

    :raise KeyReused: the key is live and recorded another request.
    :raise KeyErased: the key is live and its receipt has been erased.
    """
    if idempotency is None:
        return None
    kept = tx.kept_key(idempotency.key)
    if kept is None or kept["first_seen"] < idempotency.since:
        return None
    if kept["request"] != idempotency.request:
        raise KeyReused("this idempotency key recorded another request")
    stored = tx.stored_receipt(kept["receipt_id"])
    if stored is None or stored.get("erased_at") is not None:
        raise KeyErased("the receipt this idempotency key recorded has been erased")
    return stored


def keep(tx, idempotency: Idempotency | None, receipt: dict) -> None:
    """Remember the key of a receipt just appended (replacing an expired one)."""
    if idempotency is not None:
        tx.keep_key(idempotency.key, idempotency.request, receipt["receipt_id"],
                    receipt["recorded_at"])
