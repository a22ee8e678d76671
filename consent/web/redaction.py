"""No full IP address and no consent_id in any log line this process writes.

The consent_id is the visitor's key to their record (whoever reads it can read
and erase it) and sits in the path of GET/DELETE /api/v1/consents/<id>; an IP
address is personal data the service otherwise never keeps. Both reach logs
that are not ours to format: the HTTP server's access log (gunicorn's, the
development server's), its "Invalid request from ip=..." warnings, and
tracebacks. So every log record is redacted when it is created, whichever
logger and handler it goes to: a 32-hex-digit id becomes ``<id>``, an IPv4
address its /24 and an IPv6 address its /48 (as receipts keep them), and a
control character in it (a newline from a decoded ``%0A``) is escaped.
Loopback and unspecified addresses (127.0.0.1, ::1, 0.0.0.0) are left: they
are never a visitor's; so is the server's own "Listening at: ..." line.
"""

from __future__ import annotations

import ipaddress
import logging
import re

from ..ledger.minimize import ip_prefix

ID_MASK = "<id>"
_ID = re.compile(r"(?<![0-9A-Za-z])[0-9A-Fa-f]{32}(?![0-9A-Za-z])")
# (not one already cut to a prefix: 85.214.0.0/24)
# (not one already cut to a prefix: 85.214.0.0/24)
_IPV4 = re.compile(r"(?<![\d.])\d{1,3}(?:\.\d{1,3}){3}(?![\d.]*\d|/)")
# Runs of the characters an address is written with, as long as the shortest one worth
# hiding (2a01::1, 1.2.3.4); each is looked at on its own: a log line has one or two.
_CANDIDATE = re.compile(r"[0-9A-Fa-f:.]{7,}")
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
_INSTALLED = "_consent_redacts"
# Where the server itself listens: its own address, no visitor's (gunicorn's and granian's words).
OWN_ADDRESS = ("Listening at: ", "Serving on ")


def _addresses(match: re.Match) -> str:
    """One run of address characters with any address in it cut to its prefix."""
    run = match.group(0)
    if match.string[match.end():match.end() + 1] == "/":
        return run              # a network already (85.214.0.0/24), as receipts keep it
    # IPv6 (its dotted IPv4 tail included, ::ffff:85.214.0.1) has "::" or six colons at least;
    # a time of day (01:25:36) has neither, and is not even tried.
    if "::" in run or run.count(":") >= 6:
        replaced = _prefix(run)
        if replaced is not None:
            return replaced
    return _IPV4.sub(lambda m: _prefix(m.group(0)) or m.group(0), run) if "." in run else run


def _prefix(text: str) -> str | None:
    """The network of the address ``text``; ``text`` for loopback; None if it is none."""
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None             # a time of day, a version number: not an address
    if address.is_loopback or address.is_unspecified:
        return text
    return ip_prefix(str(address))


def redact(text: str) -> str:
    """``text`` with consent ids masked and IP addresses cut to their network prefix."""
    if not text or text.startswith(OWN_ADDRESS):
        return text
    text = _CANDIDATE.sub(_addresses, _ID.sub(ID_MASK, text))
    # A decoded path can hold a newline (%0A): escaped, so no request writes a log line of
    # its own (one that could pass for the service's).
    return _CONTROL.sub(lambda m: m.group(0).encode("unicode_escape").decode(), text)


def install() -> None:
    """Redact every log record of this process from now on (idempotent).

    A record factory rather than a filter: filters belong to one logger or one
    handler, and servers set up (and on reload replace) their own; every
    record, though, is made by the factory.
    """
    previous = logging.getLogRecordFactory()
    if getattr(previous, _INSTALLED, False):
        return

    def redacting(*args, **kwargs) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken format is logging's to report, not ours
            return record
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        return record

    setattr(redacting, _INSTALLED, True)
    logging.setLogRecordFactory(redacting)
