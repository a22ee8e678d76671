"""What any storage engine offers the rest of the service (typing.Protocol classes).

The ledger, the reports and the web layer program against these; an engine
(``consent.storage.sqlite``) implements them all in one ``Store``. Times are
the store's text format (``sealing.utc_timestamp``), days ISO dates (UTC).
Every method may raise ``StoreUnavailable`` when the database cannot answer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from datetime import date, datetime
from typing import Protocol

from .anchor import Anchor
from .idempotency import Idempotency

# seal(receipt_id, payload_hash, erased_at, erasure_id) -> the erasure seal of one row
Sealer = Callable[[str, str, str, int], str]


class AppendTransaction(Protocol):
    """An engine's primitives inside one write transaction (see ``append.append``)."""

    def head_hash(self) -> str | None:
        """The hash of the last receipt in the chain; None for an empty chain."""

    def answer_on(self, consent_id: str, day: str) -> dict | None:
        """The visitor's latest answer recorded on ``day``: site, region, revision, method,
        gpc and choices (None when erased)."""

    def insert_snapshot(self, config_hash: str, snapshot: dict, first_seen: str) -> None:
        """Keep the configuration shown under ``config_hash`` (once; a repeat is ignored)."""

    def insert_receipt(self, receipt: dict) -> None:
        """Append a sealed receipt (``columns.RECEIPT_FIELDS``) at the end of the chain."""

    def kept_key(self, key: str) -> dict | None:
        """The idempotency key's request, receipt_id and first_seen, if kept (``idempotency``)."""

    def stored_receipt(self, receipt_id: str) -> dict | None:
        """A receipt as stored (decoded, with erased_at), appended in this transaction or before."""

    def keep_key(self, key: str, request: str, receipt_id: str, first_seen: str) -> None:
        """Keep an idempotency key for the receipt just appended (an expired one is replaced)."""


class ReceiptLog(Protocol):
    def record_receipt(self, draft: dict, snapshot: dict, now: datetime | None = None,
                       idempotency: Idempotency | None = None) -> dict:
        """Seal, chain, count and commit one receipt; return it as stored.

        With ``idempotency``, a live repeat of its key returns the receipt the key
        recorded first (another receipt_id than the draft's) and stores nothing.
        :raise KeyReused, KeyErased: see ``idempotency.replayed``.
        """

    def record_receipts(self, batch: Iterable[tuple[dict, dict, datetime | None]]) -> int:
        """Seal, chain, count and commit many (draft, snapshot, now) in one transaction."""

    def receipt(self, receipt_id: str) -> dict | None: ...

    def receipts_for(self, consent_id: str) -> list[dict]: ...

    def count_receipts(self) -> int: ...

    def receipt_as_stored(self, receipt_id: str) -> dict | None:
        """One receipt exactly as its columns hold it, with its erasure's reason."""

    def chain(self) -> AbstractContextManager[Iterator[dict]]:
        """Every receipt as stored, in chain order, from one consistent snapshot."""

    def config_snapshots(self, config_hashes: Iterable[str]) -> dict[str, dict]: ...

    def head(self) -> tuple[int, str] | None:
        """The chain's last (seq, hash); None for an empty chain."""

    def hash_at(self, seq: int) -> str | None:
        """The hash of the receipt at ``seq``, if there is one."""


class ErasureLog(Protocol):
    def erase_consent(self, consent_id: str, subject: str, erased_at: str, seal: Sealer) -> int:
        """Empty every payload of ``consent_id`` and log it; how many receipts."""

    def erase_recorded_before(self, cutoff: str, erased_at: str, seal: Sealer,
                              batch: int = 500) -> int: ...

    def count_recorded_before(self, cutoff: str) -> int: ...

    def erasures_of(self, subject: str) -> list[dict]: ...

    def count_subjects_before(self, cutoff: str) -> int: ...

    def forget_subjects_before(self, cutoff: str) -> int: ...

    def settle_scrub(self, timeout: float) -> bool:
        """Wait up to ``timeout`` s for an erasure's scrub still waiting for readers; done?"""

    def forget_keys_before(self, cutoff: str) -> int:
        """Drop idempotency keys first seen before ``cutoff`` (expired); how many."""

    def count_keys_before(self, cutoff: str) -> int: ...


class Rollups(Protocol):
    def answer_counts(self, start: date, end: date, group: str, filters: dict) -> list[tuple]:
        """(group key, method, gpc, answers) summed over the days."""

    def grant_counts(self, start: date, end: date, group: str, filters: dict) -> list[tuple]:
        """(group key, category, granted) summed over the days."""


class Exports(Protocol):
    def count_receipts_between(self, start: date, end: date,
                               filters: dict | None = None) -> int: ...

    def receipts_between(self, start: date, end: date, filters: dict | None = None,
                         page_size: int = 2000) -> Iterator[dict]:
        """Receipts recorded on the days in time order, streamed page by page.

        ``filters``: {region, site} (``columns.EXPORT_FILTERS``); a filtered
        export leaves erased receipts out (their region and site are erased).
        """


class AccessLog(Protocol):
    def log_access(self, who: str, scope: str, via: str, action: str, params: dict,
                   rows: int | None = None) -> int: ...

    def finish_access(self, entry_id: int, rows: int, complete: bool = True) -> None: ...

    def access_log(self, limit: int = 100) -> list[dict]: ...


class Moving(Protocol):
    """Rows copied as stored between engines (``moving.move``); tables from ``MOVED_TABLES``."""

    def count_rows(self, table: str) -> int: ...

    def table_rows(self, table: str, columns: tuple[str, ...]) -> Iterator[tuple]:
        """Every row of ``table`` as a tuple of ``columns``, in the order of its first column."""

    def add_rows(self, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
        """Insert ``rows`` as they are, in one transaction."""

    def after_move(self) -> None:
        """Bring the engine's own bookkeeping (chain head, id sequences) up to the rows."""


class Store(ReceiptLog, ErasureLog, Rollups, Exports, AccessLog, Moving, Protocol):
    """Everything the service keeps, behind one engine."""

    def migrate(self) -> list[str]:
        """Create or upgrade the schema; the names of the steps applied."""

    def close(self) -> None:
        """Drop this process's connections (before a fork, at the end of a command)."""

    anchor: Anchor      # the chain's head kept outside the database (``anchor.py``)

    def health(self) -> str:
        """"ok", or why the store cannot take a receipt now (gone, unavailable, read-only,
        full, another-chain)."""

    def healthy(self) -> bool: ...
