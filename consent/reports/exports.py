"""Raw receipt exports for audits (JSON Lines, CSV, JSON), streamed, and their access trail.

Every export, by API, admin download or CLI, is written to the access log
before its first byte leaves (so one that breaks off is still on file) and
completed with its row count when it ends.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date

from ..storage.columns import CHAIN_FIELDS, PAYLOAD_FIELDS, SEAL_FIELDS
from ..storage.errors import StoreUnavailable
from ..storage.interface import Store
from .spreadsheet import chunked, csv_lines
from .trail import Requester

log = logging.getLogger(__name__)

# Choices a receipt holds for categories that are not (or no longer) columns, as JSON.
OTHER_CHOICES = "other_choices"
FORMATS = {  # format -> (media type, file extension)
    "jsonl": ("application/x-ndjson", "jsonl"),
    "csv": ("text/csv", "csv"),
    "json": ("application/json", "json"),
}
PROGRESS_EVERY = 1000


def export_record(row: dict) -> dict:
    """A stored receipt as exported; an erased one as erased, its payload None."""
    record = {name: row.get(name) for name in CHAIN_FIELDS}
    record["erased"] = row.get("erased_at") is not None
    record["erased_at"] = row.get("erased_at")
    record.update({name: row.get(name) for name in PAYLOAD_FIELDS})
    record.update({name: row.get(name) for name in SEAL_FIELDS})
    return record


def csv_columns(categories: Sequence[str]) -> tuple[str, ...]:
    """The exported receipt as CSV, in order: a column per category of the catalogue.

    Erased receipts keep their place in the chain (seq, ids, time, hashes) with
    erased=true and the personal payload empty. A choice for a category the
    catalogue no longer has lands in ``other_choices`` (JSON), never nowhere.
    """
    return (*CHAIN_FIELDS, "erased", "erased_at", *(f for f in PAYLOAD_FIELDS if f != "choices"),
            *categories, OTHER_CHOICES, *SEAL_FIELDS)


def csv_row(record: dict, columns: Sequence[str], categories: Sequence[str]) -> list:
    choices = record["choices"] or {}
    other = {c: v for c, v in choices.items() if c not in categories}
    flat = {**record, **{c: choices.get(c) for c in categories},
            OTHER_CHOICES: json.dumps(other, sort_keys=True) if other else None}
    return [flat[name] for name in columns]


def render(records: Iterable[dict], fmt: str, categories: Sequence[str]) -> Iterator[str]:
    """Text lines of ``records`` in ``fmt`` (jsonl, csv or json), produced as they are read."""
    if fmt == "csv":
        columns = csv_columns(categories)
        yield from csv_lines(list(columns), (csv_row(r, columns, categories) for r in records))
    elif fmt == "jsonl":
        for record in records:
            yield json.dumps(record, ensure_ascii=False) + "\n"
    else:
        separator = "[\n"
        for record in records:
            yield separator + json.dumps(record, ensure_ascii=False)
            separator = ",\n"
        yield "[]\n" if separator == "[\n" else "\n]\n"


def receipt_export(store: Store, requester: Requester, start: date, end: date, fmt: str,
                   categories: Sequence[str], filters: dict | None = None,
                   progress: Callable[[int], None] | None = None) -> Iterator[bytes]:
    """Log the export, then stream the receipts of ``start``..``end`` as UTF-8 chunks.

    ``categories`` (the catalogue's optional ones) are the CSV's choice columns;
    ``filters`` ({region, site}) keep only the receipts of that region or site
    (erased receipts have neither, so a filtered export leaves them out).
    ``progress(n)`` hears every ``PROGRESS_EVERY`` rows (the CLI's progress bar).
    :raise StoreUnavailable: when the access log cannot be written: no log, no export.
    """
    filters = {k: v for k, v in (filters or {}).items() if v is not None}
    params = {"from": start.isoformat(), "to": end.isoformat(), "format": fmt, **filters}
    entry = store.log_access(requester.who, requester.scope, requester.via, "receipts", params)
    records = (export_record(row) for row in store.receipts_between(start, end, filters))
    return _primed(chunked(render(_tracked(store, entry, records, progress), fmt, categories)))


def _primed(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """The stream with its first chunk already read.

    Whatever fails before the first byte (the database, the first page of
    rows) then fails here, where the caller can still answer in the error
    shape, instead of breaking a download whose 200 has already been sent.
    """
    first = next(chunks, None)

    def stream() -> Iterator[bytes]:
        try:
            if first is not None:
                yield first
            yield from chunks
        finally:
            chunks.close()      # a client gone mid-way still finishes the access log entry

    return stream()


def _tracked(store: Store, entry: int, records: Iterable[dict],
             progress: Callable[[int], None] | None) -> Iterator[dict]:
    count, complete = 0, False
    try:
        for record in records:
            yield record
            count += 1
            if progress and count % PROGRESS_EVERY == 0:
                progress(PROGRESS_EVERY)
        complete = True
    finally:
        if progress:
            progress(count % PROGRESS_EVERY)
        try:
            store.finish_access(entry, count, complete)
        except StoreUnavailable as error:   # the export itself went out; say so in the log
            log.error("access log entry %s not completed (%s rows): %s", entry, count, error)


def file_name(kind: str, start: date, end: date, fmt: str, group: str | None = None) -> str:
    """consent-stats-2025-01-01-to-2025-03-31-by-day.csv: says what is inside."""
    suffix = f"-by-{group}" if group else ""
    return f"consent-{kind}-{start.isoformat()}-to-{end.isoformat()}{suffix}.{FORMATS[fmt][1]}"
