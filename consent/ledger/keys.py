"""The service's keys: the current one signs, retired ones only verify.

Receipt signatures and erasure seals are HMAC-SHA256 tagged with the id of
the key that made them, ``<key id>.<64 hex digits>``, so that
CONSENT_SECRET_KEY can be rotated: the new key signs from then on, and the
old one, listed in CONSENT_RETIRED_KEYS, still proves what it signed. A key
id is derived from the key (an HMAC of a fixed label, 8 hex digits): it names
a key without revealing it, and an operator cannot mislabel one.

Signatures and seals made before key ids existed are a bare 64-hex HMAC; they
are checked against every key held, the current one first.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable
from dataclasses import dataclass

KEY_ID_DIGITS = 8
TAGGED = re.compile(rf"^(?:([0-9a-f]{{{KEY_ID_DIGITS}}})\.)?([0-9a-f]{{64}})\Z")

# What a check can find (the reasons the proof endpoints and the chain walk report).
VALID, MISMATCH, UNKNOWN_KEY = "valid", "mismatch", "unknown_key"


def key_id(secret: str) -> str:
    return hmac.new(secret.encode(), b"consent key id", hashlib.sha256).hexdigest()[:KEY_ID_DIGITS]


@dataclass(frozen=True)
class Key:
    id: str
    secret: bytes

    def mac(self, message: bytes) -> str:
        return hmac.new(self.secret, message, hashlib.sha256).hexdigest()


class KeyRing:
    """The current key and the retired ones, each under its id."""

    def __init__(self, current: str, retired: Iterable[str] = ()):
        self.current = Key(key_id(current), current.encode())
        self.retired = tuple(Key(key_id(s), s.encode()) for s in dict.fromkeys(retired)
                             if s != current)
        self._by_id = {k.id: k for k in (self.current, *self.retired)}

    @property
    def keys(self) -> tuple[Key, ...]:
        """Every key held, the current one first."""
        return (self.current, *self.retired)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(k.id for k in self.keys)

    def tag(self, message: bytes) -> str:
        """``message``'s HMAC under the current key, tagged with its id."""
        return f"{self.current.id}.{self.current.mac(message)}"

    def check(self, message: bytes, tagged: str | None) -> str:
        """VALID, MISMATCH (not ours, or not of this message) or UNKNOWN_KEY (a key not held)."""
        match = TAGGED.match(tagged or "")
        if not match:
            return MISMATCH
        kid, digest = match.groups()
        if kid is None:         # made before key ids: any key held may have made it
            candidates = self.keys
        elif kid in self._by_id:
            candidates = (self._by_id[kid],)
        else:
            return UNKNOWN_KEY
        # Every candidate is computed, so the time taken says nothing about which matched.
        found = [hmac.compare_digest(k.mac(message), digest) for k in candidates]
        return VALID if any(found) else MISMATCH

    def keyed_names(self, label: str, value: str) -> list[str]:
        """``value``'s keyed hash under every key held (current first): a name that survives a rotation."""
        message = f"{label}|{value}".encode()
        return [k.mac(message) for k in self.keys]
