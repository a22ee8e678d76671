"""Erasure in PostgreSQL: payloads emptied and sealed, the erasure log, and the old bytes removed.

MVCC keeps a row's old version until VACUUM, and the WAL keeps what was
written until its segment goes. So after an erasure commits, ``scrub``
vacuums the tables (index entries included), switches to a new WAL segment
and checkpoints: with ``wal_recycle = off`` on the server the segments that
held the erased payload are then deleted rather than renamed for reuse. The
switch and the checkpoint need the ``pg_checkpoint`` role and EXECUTE on
``pg_switch_wal()`` (docs/architecture.md); without them the payload is
erased from the tables and the WAL lets go of it when PostgreSQL recycles it.
"""

from __future__ import annotations

import logging
import threading

import psycopg

from ..columns import PAYLOAD_FIELDS
from ..interface import Sealer
from ..retrying import Retrying
from ..rollups import Tally, withdrawn
from .receipts import add_tally, answer_of_day

log = logging.getLogger(__name__)
_EMPTY_PAYLOAD = ", ".join(f"{field} = NULL" for field in PAYLOAD_FIELDS)
_SCRUBBED = ("receipts", "erasures")


class ErasureTables:
    """Visitors' erasures and retention purges (mixed into ``PostgresStore``)."""

    def erase_consent(self, consent_id: str, subject: str, erased_at: str, seal: Sealer) -> int:
        """Empty the payload of every receipt of ``consent_id`` and log it; 0 if none left.

        :raise StoreUnavailable: when the database cannot take the write; then
            nothing is erased.
        """
        with self._writing() as conn:
            rows = conn.execute(
                "SELECT receipt_id, payload_hash FROM receipts"
                " WHERE consent_id = %s AND erased_at IS NULL ORDER BY seq FOR UPDATE",
                (consent_id,)).fetchall()
            if rows:
                erasure_id = conn.execute(
                    "INSERT INTO erasures (reason, subject, erased_at, receipts)"
                    " VALUES ('request', %s, %s, %s) RETURNING id",
                    (subject, erased_at, len(rows))).fetchone()[0]
                # Read before the payload goes: today's answer no longer counts (rollups.withdrawn).
                tally = Tally()
                day = erased_at[:10]
                tally.count(withdrawn(answer_of_day(conn, consent_id, day), day))
                self._erase(conn, rows, erasure_id, erased_at, seal)
                with conn.cursor() as cur:
                    add_tally(cur, tally)
        if rows:
            self.scrub()
        return len(rows)

    def erase_recorded_before(self, cutoff: str, erased_at: str, seal: Sealer,
                              batch: int = 500) -> int:
        """Empty the payload of every receipt recorded before ``cutoff``, logged as one erasure.

        Batches of short transactions, so receipts keep being recorded meanwhile.
        :raise StoreUnavailable: when a batch cannot be written (earlier batches stay).
        """
        erased, erasure_id = 0, None
        while True:
            with self._writing() as conn:
                rows = conn.execute(
                    "SELECT receipt_id, payload_hash FROM receipts WHERE recorded_at < %s"
                    " AND erased_at IS NULL ORDER BY seq LIMIT %s FOR UPDATE",
                    (cutoff, batch)).fetchall()
                if not rows:
                    break
                if erasure_id is None:
                    erasure_id = conn.execute(
                        "INSERT INTO erasures (reason, erased_at, receipts, cutoff)"
                        " VALUES ('retention', %s, 0, %s) RETURNING id",
                        (erased_at, cutoff)).fetchone()[0]
                conn.execute("UPDATE erasures SET receipts = receipts + %s WHERE id = %s",
                             (len(rows), erasure_id))
                self._erase(conn, rows, erasure_id, erased_at, seal)
            erased += len(rows)
        if erased:
            self.scrub()
        return erased

    @staticmethod
    def _erase(conn, rows, erasure_id: int, erased_at: str, seal: Sealer) -> None:
        with conn.cursor() as cur:
            cur.executemany(
                f"UPDATE receipts SET {_EMPTY_PAYLOAD}, erased_at = %s, erasure_id = %s,"
                " erasure_seal = %s WHERE receipt_id = %s AND erased_at IS NULL",
                [(erased_at, erasure_id, seal(receipt_id, payload_hash, erased_at, erasure_id),
                  receipt_id) for receipt_id, payload_hash in rows])

    def scrub(self) -> bool:
        """Remove erased bytes from the cluster's files; False if not yet (or only the tables).

        VACUUM cannot remove a row version that an older snapshot still sees (a
        chain walk in REPEATABLE READ): the transactions open when the erasure
        committed are noted, and once they are all over the scrub runs again in
        the background (``retrying.Retrying``), so the payload goes as soon as
        nobody can see it, and no receipt waits meanwhile.
        :raise StoreUnavailable: when the server cannot be reached.
        """
        holders = self._snapshot_holders()
        done = self._vacuum()
        if holders:
            with self._holders_lock:
                self._holding = self._holding | holders
            self._scrubbing().start()
            return False
        return done

    def settle_scrub(self, timeout: float) -> bool:
        """Wait for a scrub still waiting for readers (a command about to exit)."""
        return self._scrubbing().settle(timeout)

    def _scrubbing(self) -> Retrying:
        if getattr(self, "_scrub", None) is None:
            self._holders_lock, self._holding = threading.Lock(), frozenset()
            self._scrub = Retrying("vacuum-after-readers", self._scrub_after_readers)
        return self._scrub

    def _scrub_after_readers(self) -> bool:
        with self._holders_lock:
            self._holding = self._holding & self._snapshot_holders()
            if self._holding:
                return False
        self._vacuum()
        return True

    def _snapshot_holders(self) -> frozenset:
        """The other transactions of this database that hold a snapshot now: (pid, start)."""
        if getattr(self, "_scrub", None) is None:
            self._scrubbing()
        rows = self.rows("SELECT pid, xact_start FROM pg_stat_activity WHERE pid <> pg_backend_pid()"
                         " AND datname = current_database() AND backend_xmin IS NOT NULL")
        return frozenset((row["pid"], row["xact_start"]) for row in rows)

    def _vacuum(self) -> bool:
        with self.connection() as conn:     # autocommit: VACUUM cannot run in a transaction
            for table in _SCRUBBED:
                # INDEX_CLEANUP ON: the consent_id index entries must go as well
                conn.execute(f"VACUUM (INDEX_CLEANUP ON) {table}")
            try:
                conn.execute("SELECT pg_switch_wal()")
                conn.execute("CHECKPOINT")
            except psycopg.errors.InsufficientPrivilege as error:
                log.warning("erased payloads stay in the WAL until PostgreSQL recycles it: %s "
                            "(grant pg_checkpoint and EXECUTE ON pg_switch_wal())", error)
                return False
        return True

    def count_recorded_before(self, cutoff: str) -> int:
        """How many receipts recorded before ``cutoff`` still hold a payload."""
        return self.value("SELECT count(*) FROM receipts WHERE recorded_at < %s"
                          " AND erased_at IS NULL", (cutoff,))

    def erasures_of(self, subject: str) -> list[dict]:
        return self.rows("SELECT reason, erased_at, receipts FROM erasures WHERE subject = %s"
                         " ORDER BY id", (subject,))

    def count_subjects_before(self, cutoff: str) -> int:
        return self.value("SELECT count(*) FROM erasures WHERE subject IS NOT NULL"
                          " AND erased_at < %s", (cutoff,))

    def forget_subjects_before(self, cutoff: str) -> int:
        """Drop the keyed consent_id hash from erasure log entries older than ``cutoff``."""
        with self._writing() as conn:
            forgotten = conn.execute("UPDATE erasures SET subject = NULL WHERE subject IS NOT NULL"
                                     " AND erased_at < %s", (cutoff,)).rowcount
        if forgotten:
            self.scrub()
        return forgotten

    def count_keys_before(self, cutoff: str) -> int:
        return self.value("SELECT count(*) FROM idempotency_keys WHERE first_seen < %s",
                          (cutoff,))

    def forget_keys_before(self, cutoff: str) -> int:
        """Drop idempotency keys first seen before ``cutoff``: they have expired."""
        with self._writing() as conn:
            return conn.execute("DELETE FROM idempotency_keys WHERE first_seen < %s",
                                (cutoff,)).rowcount
