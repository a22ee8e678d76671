-- Receipts, the configurations shown, and the daily roll-ups (as SQLite's m001_receipts).
-- Times are text in the store's one format (2026-05-04T09:30:00.123456Z): they sort as text,
-- and a payload is hashed over exactly the values stored, the same on either engine.
CREATE TABLE receipts (
    seq BIGINT PRIMARY KEY,            -- chain order, given under the chain head's lock
    receipt_id TEXT NOT NULL UNIQUE,
    recorded_at TEXT NOT NULL,
    consent_id TEXT,
    site TEXT, region TEXT, country TEXT, subdivision TEXT, model TEXT,
    revision INTEGER, config_hash TEXT, method TEXT,
    choices TEXT,                      -- the exact JSON text the payload hash covers
    gpc INTEGER,
    lang TEXT, page TEXT, ip_prefix TEXT, user_agent TEXT,
    payload_hash TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX receipts_by_consent ON receipts (consent_id, seq);
CREATE INDEX receipts_by_time ON receipts (recorded_at, seq);

CREATE TABLE config_snapshots (
    config_hash TEXT PRIMARY KEY,
    region TEXT NOT NULL, lang TEXT NOT NULL, revision INTEGER NOT NULL,
    body TEXT NOT NULL,                -- exactly what the visitor was shown
    first_seen TEXT NOT NULL
);

-- Roll-ups count each visitor's latest choice per day, so stats never scan receipts.
CREATE TABLE daily_answers (
    day TEXT NOT NULL, site TEXT NOT NULL, region TEXT NOT NULL,
    revision INTEGER NOT NULL, method TEXT NOT NULL, gpc INTEGER NOT NULL,
    answers BIGINT NOT NULL,
    PRIMARY KEY (day, site, region, revision, method, gpc)
);
CREATE TABLE daily_grants (
    day TEXT NOT NULL, site TEXT NOT NULL, region TEXT NOT NULL,
    revision INTEGER NOT NULL, method TEXT NOT NULL, gpc INTEGER NOT NULL,
    category TEXT NOT NULL,
    granted BIGINT NOT NULL,
    PRIMARY KEY (day, site, region, revision, method, gpc, category)
);
