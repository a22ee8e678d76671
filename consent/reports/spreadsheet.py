"""CSV that is safe to open in a spreadsheet: UTF-8, a header row, ISO dates, no formulas.

A cell that starts with = + - @ (or a tab or carriage return, which some
spreadsheets skip before looking for one) is run as a formula by Excel,
LibreOffice and Google Sheets: ``=HYPERLINK(...)`` in a page URL or a site name
sent by a visitor would run on the privacy officer's machine. Such text cells
get a leading apostrophe, which spreadsheets show as plain text (OWASP's
advice). Numbers we computed ourselves are left alone.

"Starts with" is read the way a spreadsheet may read it: after any leading
whitespace (a space, a no-break space, an ideographic space; LibreOffice's
"trim spaces" import option and Excel both skip them) and any invisible
formatting character (zero-width space, word joiner, byte order mark), and
with full-width and small forms taken as what they stand for (``＝`` is ``=``
to Excel in East Asian locales): Unicode NFKC.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterable, Iterator
from datetime import date, datetime

FORMULA_STARTS = frozenset("=+-@\t\r")
CHUNK_BYTES = 64 * 1024     # one write per ~64 KB, not one per row, on a streamed response


def formula_like(text: str) -> bool:
    """Whether a spreadsheet could take ``text`` for a formula (see the module's docstring)."""
    first = text[:1]
    if first in FORMULA_STARTS:
        return True
    if first.isascii() and (first.isalnum() or first in "\"/.:_"):
        return False                # nearly every cell: decided by its first character
    for char in text:
        if char.isspace() or unicodedata.category(char) == "Cf":
            continue                # skipped before a spreadsheet looks for "="
        return char in FORMULA_STARTS or unicodedata.normalize("NFKC", char)[:1] in FORMULA_STARTS
    return False


def safe_cell(value) -> str | int | float:
    if type(value) is str:          # first: nearly every cell, and this runs per cell of 1M rows
        return "'" + value if value and formula_like(value) else value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    text = str(value)
    return "'" + text if text and formula_like(text) else text


def csv_lines(header: list[str], rows: Iterable[Iterable]) -> Iterator[str]:
    """The header, then one CSV line (CRLF, RFC 4180) per row, every cell made safe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    yield buffer.getvalue()
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([safe_cell(value) for value in row])
        yield buffer.getvalue()


def chunked(lines: Iterable[str], size: int = CHUNK_BYTES) -> Iterator[bytes]:
    """UTF-8 chunks of about ``size`` bytes: a streamed body without a syscall per line."""
    parts: list[str] = []
    length = 0
    for line in lines:
        parts.append(line)
        length += len(line)
        if length >= size:
            yield "".join(parts).encode()
            parts, length = [], 0
    if parts:
        yield "".join(parts).encode()
