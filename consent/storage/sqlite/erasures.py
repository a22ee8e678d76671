"""Erasure in SQLite: payloads emptied and sealed, the erasure log, and the bytes scrubbed."""

from __future__ import annotations

from ..columns import PAYLOAD_FIELDS
from ..interface import Sealer
from ..rollups import Tally, withdrawn
from .receipts import SqliteAppend

_EMPTY_PAYLOAD = ", ".join(f"{field} = NULL" for field in PAYLOAD_FIELDS)


class ErasureTables:
    """Visitors' erasures and retention purges (mixed into ``SqliteStore``)."""

    def erase_consent(self, consent_id: str, subject: str, erased_at: str, seal: Sealer) -> int:
        """Empty the payload of every receipt of ``consent_id`` and log it; 0 if none left.

        :raise StoreUnavailable: when the database cannot take the write; then
            nothing is erased.
        """
        with self._writing() as conn:
            rows = conn.execute(
                "SELECT receipt_id, payload_hash FROM receipts"
                " WHERE consent_id = ? AND erased_at IS NULL ORDER BY seq",
                (consent_id,)).fetchall()
            if rows:
                erasure_id = conn.execute(
                    "INSERT INTO erasures (reason, subject, erased_at, receipts) VALUES (?,?,?,?)",
                    ("request", subject, erased_at, len(rows))).lastrowid
                # Read before the payload goes: today's answer no longer counts (rollups.withdrawn).
                today = SqliteAppend(conn)
                tally = Tally()
                tally.count(withdrawn(today.answer_on(consent_id, erased_at[:10]), erased_at[:10]))
                self._erase(conn, rows, erasure_id, erased_at, seal)
                today.add_tally(tally)
        if rows:
            self.scrub_wal()
        return len(rows)

    def erase_recorded_before(self, cutoff: str, erased_at: str, seal: Sealer,
                              batch: int = 500) -> int:
        """Empty the payload of every receipt recorded before ``cutoff``, logged as one erasure.

        Works in batches of short transactions so that receipts keep being
        recorded meanwhile; each batch is complete or absent, never half-done.
        :raise StoreUnavailable: when a batch cannot be written (earlier batches stay).
        """
        erased, erasure_id = 0, None
        while True:
            with self._writing() as conn:
                rows = conn.execute(
                    "SELECT receipt_id, payload_hash FROM receipts WHERE recorded_at < ?"
                    " AND erased_at IS NULL ORDER BY seq LIMIT ?", (cutoff, batch)).fetchall()
                if not rows:
                    break
                if erasure_id is None:
                    erasure_id = conn.execute(
                        "INSERT INTO erasures (reason, erased_at, receipts, cutoff)"
                        " VALUES ('retention', ?, 0, ?)", (erased_at, cutoff)).lastrowid
                conn.execute("UPDATE erasures SET receipts = receipts + ? WHERE id = ?",
                             (len(rows), erasure_id))
                self._erase(conn, rows, erasure_id, erased_at, seal)
            erased += len(rows)
        if erased:
            self.scrub_wal()
        return erased

    @staticmethod
    def _erase(conn, rows, erasure_id: int, erased_at: str, seal: Sealer) -> None:
        conn.executemany(
            f"UPDATE receipts SET {_EMPTY_PAYLOAD}, erased_at = ?, erasure_id = ?,"
            " erasure_seal = ? WHERE receipt_id = ? AND erased_at IS NULL",
            [(erased_at, erasure_id, seal(receipt_id, payload_hash, erased_at, erasure_id),
              receipt_id) for receipt_id, payload_hash in rows])

    def count_recorded_before(self, cutoff: str) -> int:
        """How many receipts recorded before ``cutoff`` still hold a payload."""
        return self.db.execute("SELECT count(*) FROM receipts WHERE recorded_at < ?"
                               " AND erased_at IS NULL", (cutoff,)).fetchone()[0]

    def erasures_of(self, subject: str) -> list[dict]:
        return list(self.db.query(
            "SELECT reason, erased_at, receipts FROM erasures WHERE subject = ? ORDER BY id",
            [subject]))

    def count_subjects_before(self, cutoff: str) -> int:
        return self.db.execute("SELECT count(*) FROM erasures WHERE subject IS NOT NULL"
                               " AND erased_at < ?", (cutoff,)).fetchone()[0]

    def forget_subjects_before(self, cutoff: str) -> int:
        """Drop the keyed consent_id hash from erasure log entries older than ``cutoff``."""
        with self._writing() as conn:
            forgotten = conn.execute("UPDATE erasures SET subject = NULL WHERE subject IS NOT NULL"
                                     " AND erased_at < ?", (cutoff,)).rowcount
        if forgotten:
            self.scrub_wal()
        return forgotten

    def count_keys_before(self, cutoff: str) -> int:
        return self.db.execute("SELECT count(*) FROM idempotency_keys WHERE first_seen < ?",
                               (cutoff,)).fetchone()[0]

    def forget_keys_before(self, cutoff: str) -> int:
        """Drop idempotency keys first seen before ``cutoff``: they have expired."""
        with self._writing() as conn:
            return conn.execute("DELETE FROM idempotency_keys WHERE first_seen < ?",
                                (cutoff,)).rowcount
