"""Data minimisation: what of a visitor's request is allowed into a receipt.

The full IP address never leaves this module: only its network prefix does.
The user agent is reduced to browser family and OS, the page to origin and path.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from urllib.parse import urlsplit

# Order matters: Edge and Opera also say "Chrome", Chrome also says "Safari".
_BROWSERS = (
    ("Edge", r"Edg(?:e|A|iOS)?/"),
    ("Opera", r"OPR/|Opera"),
    ("Samsung Internet", r"SamsungBrowser/"),
    ("Firefox", r"Firefox/|FxiOS/"),
    ("Chrome", r"Chrome/|CriOS/|Chromium/"),
    ("Safari", r"Version/[\d.]+.*Safari/"),
    ("Bot", r"bot|crawl|spider|Headless"),
)
_SYSTEMS = (
    ("iOS", r"iPhone|iPad|iPod"),
    ("Android", r"Android"),
    ("Windows", r"Windows"),
    ("ChromeOS", r"CrOS"),
    ("macOS", r"Mac OS X|Macintosh"),
    ("Linux", r"Linux|X11"),
)
_BROWSER_RES = tuple((name, re.compile(rx, re.I)) for name, rx in _BROWSERS)
_SYSTEM_RES = tuple((name, re.compile(rx)) for name, rx in _SYSTEMS)
MAX_PAGE = 512


def ip_prefix(address: str | None) -> str | None:
    """IPv4 to its /24, IPv6 to its /48; None for anything that is not an address."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return None
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    length = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{length}", strict=False))


@functools.lru_cache(maxsize=1024)     # a few hundred user agents make up most traffic
def reduce_user_agent(user_agent: str | None) -> str:
    """'Chrome/Windows'-style family and OS; versions and devices are dropped."""
    user_agent = (user_agent or "")[:1024]
    browser = next((name for name, rx in _BROWSER_RES if rx.search(user_agent)), "Other")
    system = next((name for name, rx in _SYSTEM_RES if rx.search(user_agent)), "Other")
    return f"{browser}/{system}"


def clean_page(url: str | None) -> str | None:
    """Origin and path only: queries and fragments carry search terms, tokens, e-mail addresses."""
    if not url:
        return None
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:  # a port that is not a number, a broken IPv6 literal
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    host = parts.hostname + (f":{port}" if port else "")
    return f"{parts.scheme}://{host}{parts.path or '/'}"[:MAX_PAGE]


def site_of(origin: str | None, page: str | None) -> str | None:
    """The site (host) a receipt belongs to: the browser's Origin, else the page's host."""
    for url in (origin, page):
        try:
            host = urlsplit(url or "").hostname
        except ValueError:
            continue
        if host:
            return host
    return None
