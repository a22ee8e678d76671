"""The chain's anchor kept outside the database, so that a lost or replaced database is noticed.

A database file deleted while the service runs, or a database server that
comes back empty or from an older copy, holds a chain that still verifies by
itself: only something kept elsewhere can tell it is not the chain the
service wrote. After each committed batch the store writes the new head
(``seq:hash``) to a small file outside the database (at most once a second:
an older anchor is still a true one), after the commit, so it never claims
more than the database holds.

A store whose chain does not reach its anchor (empty, shorter, or another
hash at the anchor's seq) takes no receipt (``ChainMismatch``, a 503) and
says so in /healthz, until the operator either restores the database or
starts from it on purpose with ``flask consent init --new-chain``.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

from .errors import StoreUnavailable

WRITE_EVERY_S = 1.0


class ChainMismatch(StoreUnavailable):
    """The database's chain does not reach the anchor kept outside it."""


class Anchor:
    """One anchor file (or none: ``path`` None keeps no anchor and checks nothing)."""

    def __init__(self, path: Path | None):
        self.path = Path(path) if path else None
        self._known: tuple[int, str] | None = None     # the newest this process read or wrote
        self._written_at = 0.0
        self._verified = False      # the receipt at the anchor was looked at by this process
        self._lock = threading.Lock()

    def read(self) -> tuple[int, str] | None:
        """The anchor in the file, or None when there is no file (no chain anchored yet)."""
        if self.path is None:
            return None
        try:
            kept = json.loads(self.path.read_text())
            anchor = int(kept["seq"]), str(kept["hash"])
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise ChainMismatch(f"the anchor file {self.path} cannot be read: {error}") from None
        with self._lock:
            if self._known is None or anchor[0] >= self._known[0]:
                self._known = anchor
        return anchor

    def fault(self, head: tuple[int, str] | None, hash_at: Callable[[int], str | None]) -> str | None:
        """Why the chain ending at ``head`` is not the anchored one, or None when it is."""
        anchor = self.read()
        if anchor is None:
            return None
        return self._mismatch(head, anchor, hash_at(anchor[0]) if head else None)

    def check_head(self, head: tuple[int, str] | None,
                   hash_at: Callable[[int], str | None]) -> None:
        """A write's check against the anchor: the chain must reach it, through it.

        The receipt at the anchor's seq is looked at on this process's first
        write (and after ``forget``, when the database file changed); later
        writes only check that the head has not fallen behind.
        :raise ChainMismatch: the chain is empty, shorter, or another one.
        """
        if self.path is None:
            return
        anchor = self._known if self._known is not None else self.read()
        if anchor is None:
            return
        if head is not None and head[0] > anchor[0] and self._verified:
            return
        at_anchor = None if head is None else head[1] if head[0] == anchor[0] else hash_at(anchor[0])
        problem = self._mismatch(head, anchor, at_anchor)
        if problem:
            raise ChainMismatch(problem)
        self._verified = True

    def forget(self) -> None:
        """The database may be another one now (its file was replaced): look again."""
        self._verified = False

    def _mismatch(self, head: tuple[int, str] | None, anchor: tuple[int, str],
                  hash_at_anchor: str | None) -> str | None:
        seq, digest = anchor
        if head is None:
            return (f"the database holds no receipts, but {self.path} says the chain reached "
                    f"seq {seq}")
        if head[0] < seq:
            return (f"the chain ends at seq {head[0]}, but {self.path} says it reached seq {seq}: "
                    f"{seq - head[0]} receipt(s) are missing")
        if hash_at_anchor != digest:
            return f"the receipt at seq {seq} is not the one {self.path} anchors (another chain)"
        return None

    def advance(self, head: tuple[int, str], force: bool = False) -> None:
        """Keep ``head`` as the anchor (after its commit); at most once a second unless forced."""
        if self.path is None:
            return
        with self._lock:
            if self._known is not None and head[0] <= self._known[0] and not force:
                return
            if not force and time.monotonic() - self._written_at < WRITE_EVERY_S \
                    and self._known is not None:
                return
            self._write(head)
            self._known, self._written_at = head, time.monotonic()

    def reset(self, head: tuple[int, str] | None) -> Path | None:
        """Start anchoring from ``head`` on purpose; the old file is kept aside (its new name)."""
        if self.path is None:
            return None
        aside = None
        if self.path.exists():
            stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
            aside = self.path.with_name(f"{self.path.name}.replaced-{stamp}")
            os.replace(self.path, aside)
        with self._lock:
            self._known = None
            if head is not None:
                self._write(head)
                self._known = head
        return aside

    def _write(self, head: tuple[int, str]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}")
        temporary.write_text(json.dumps({"seq": head[0], "hash": head[1]}))
        os.replace(temporary, self.path)
