"""The SQLite schema, one migration at a time (sqlite-utils ``Migrations``).

A migration is history: it spells out the columns of its day and is never
edited once released; a change is a new migration. ``tests/test_store.py``
checks that the migrated tables hold exactly the columns ``consent.storage.columns``
names.
"""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("consent")


@migrations()
def m001_receipts(db: Database):
    db.execute("""
        CREATE TABLE receipts (
            seq INTEGER PRIMARY KEY,           -- chain order
            receipt_id TEXT NOT NULL UNIQUE,
            recorded_at TEXT NOT NULL,         -- server UTC, ISO 8601
            consent_id TEXT,
            site TEXT, region TEXT, country TEXT, subdivision TEXT, model TEXT,
            revision INTEGER, config_hash TEXT, method TEXT, choices TEXT, gpc INTEGER,
            lang TEXT, page TEXT, ip_prefix TEXT, user_agent TEXT,
            payload_hash TEXT NOT NULL,
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL
        )""")
    db.execute("CREATE INDEX receipts_by_consent ON receipts (consent_id, seq)")
    db.execute("CREATE INDEX receipts_by_time ON receipts (recorded_at)")
    db.execute("""
        CREATE TABLE config_snapshots (
            config_hash TEXT PRIMARY KEY,
            region TEXT NOT NULL, lang TEXT NOT NULL, revision INTEGER NOT NULL,
            body TEXT NOT NULL,                -- exactly what the visitor was shown
            first_seen TEXT NOT NULL
        )""")
    # Roll-ups count each visitor's latest choice per day, so stats never scan receipts.
    db.execute("""
        CREATE TABLE daily_answers (
            day TEXT NOT NULL, site TEXT NOT NULL, region TEXT NOT NULL,
            revision INTEGER NOT NULL, method TEXT NOT NULL, gpc INTEGER NOT NULL,
            answers INTEGER NOT NULL,
            PRIMARY KEY (day, site, region, revision, method, gpc)
        )""")
    db.execute("""
        CREATE TABLE daily_grants (
            day TEXT NOT NULL, site TEXT NOT NULL, region TEXT NOT NULL,
            revision INTEGER NOT NULL, method TEXT NOT NULL, gpc INTEGER NOT NULL,
            category TEXT NOT NULL,
            granted INTEGER NOT NULL,
            PRIMARY KEY (day, site, region, revision, method, gpc, category)
        )""")


@migrations()
def m002_rights_erasure(db: Database):
    # Erasure empties a receipt's payload columns but keeps its chain columns; these say
    # when and by which logged erasure, sealed under the secret key (see consent/ledger/erasure.py).
    db.execute("""
        CREATE TABLE erasures (
            id INTEGER PRIMARY KEY,
            reason TEXT NOT NULL,              -- request (the visitor asked) or retention (purge)
            subject TEXT,                      -- keyed hash of the consent_id; requests only
            erased_at TEXT NOT NULL,
            receipts INTEGER NOT NULL,         -- how many receipts this erasure emptied
            cutoff TEXT                        -- retention: receipts recorded before this
        )""")
    db.execute("CREATE INDEX erasures_by_subject ON erasures (subject)")
    db.execute("ALTER TABLE receipts ADD COLUMN erased_at TEXT")
    db.execute("ALTER TABLE receipts ADD COLUMN erasure_id INTEGER REFERENCES erasures (id)")
    db.execute("ALTER TABLE receipts ADD COLUMN erasure_seal TEXT")


@migrations()
def m003_stats_access_log(db: Database):
    # Who took what out of the service: every stats request and every export.
    db.execute("""
        CREATE TABLE access_log (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,                  -- server UTC, ISO 8601
            who TEXT NOT NULL,                 -- a token id (never the token) or 'cli'
            scope TEXT NOT NULL,               -- stats | audit | cli
            via TEXT NOT NULL,                 -- api | admin | cli
            action TEXT NOT NULL,              -- stats | receipts
            params TEXT NOT NULL,              -- JSON: range, group, filters, format
            rows INTEGER,                      -- NULL until known (a stream still running)
            finished_at TEXT                   -- NULL: the export stopped before its end
        )""")
    db.execute("CREATE INDEX access_log_by_time ON access_log (at)")


@migrations()
def m004_idempotency_keys(db: Database):
    # A receipt sent again under the same key answers the first one (storage/idempotency.py).
    db.execute("""
        CREATE TABLE idempotency_keys (
            key TEXT PRIMARY KEY,              -- the client's key for one receipt
            request TEXT NOT NULL,             -- sha256 of the request: a repeat, or a key reused
            receipt_id TEXT NOT NULL,          -- the receipt the key recorded first
            first_seen TEXT NOT NULL           -- expires CONSENT_IDEMPOTENCY_DAYS after this
        )""")
    db.execute("CREATE INDEX idempotency_keys_by_time ON idempotency_keys (first_seen)")
