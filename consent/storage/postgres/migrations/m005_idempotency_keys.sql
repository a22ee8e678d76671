-- A receipt sent again under the same key answers the first one (storage/idempotency.py).
CREATE TABLE idempotency_keys (
    key TEXT PRIMARY KEY,              -- the client's key for one receipt
    request TEXT NOT NULL,             -- sha256 of the request: a repeat, or a key reused
    receipt_id TEXT NOT NULL,          -- the receipt the key recorded first
    first_seen TEXT NOT NULL           -- expires CONSENT_IDEMPOTENCY_DAYS after this
);
CREATE INDEX idempotency_keys_by_time ON idempotency_keys (first_seen);
