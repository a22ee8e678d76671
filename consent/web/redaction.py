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
_IPV4 = re.compile(r"(?<![\d.])\d{1,3}(?:\.\d{1,3}){3}(?![\d.]*\d|/)")
_IPV6 = re.compile(r"(?<![0-9A-Za-z:.])(?:[0-9A-Fa-f]{0,4}:){2,7}"
                   r"(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9A-Fa-f]{0,4})"   # ::ffff:85.214.0.1 too
                   r"(?:%[0-9A-Za-z]+)?(?![0-9A-Za-z:.])")
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
_INSTALLED = "_consent_redacts"
# Where the server itself listens: its own address, no visitor's (gunicorn's and granian's words).
OWN_ADDRESS = ("Listening at: ", "Serving on ")


def _address(match: re.Match) -> str:
    text = match.group(0)
    try:
        address = ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return text             # a time of day, a version number: not an address
    if address.is_loopback or address.is_unspecified:
        return text
    return ip_prefix(str(address)) or text


def redact(text: str) -> str:
    """``text`` with consent ids masked and IP addresses cut to their network prefix."""
    if not text or text.startswith(OWN_ADDRESS):
        return text
    text = _ID.sub(ID_MASK, text)
    if ":" in text:         # first, so that an IPv6 address's dotted tail goes with it
        text = _IPV6.sub(_address, text)
    text = _IPV4.sub(_address, text)
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
