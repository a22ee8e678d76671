-- Erasure empties a receipt's payload columns but keeps its chain columns; these say when
-- and by which logged erasure, sealed under the secret key (see consent/ledger/erasure.py).
CREATE TABLE erasures (
    id BIGSERIAL PRIMARY KEY,
    reason TEXT NOT NULL,              -- request (the visitor asked) or retention (purge)
    subject TEXT,                      -- keyed hash of the consent_id; requests only
    erased_at TEXT NOT NULL,
    receipts INTEGER NOT NULL,         -- how many receipts this erasure emptied
    cutoff TEXT                        -- retention: receipts recorded before this
);
CREATE INDEX erasures_by_subject ON erasures (subject);
ALTER TABLE receipts ADD COLUMN erased_at TEXT;
ALTER TABLE receipts ADD COLUMN erasure_id BIGINT REFERENCES erasures (id);
ALTER TABLE receipts ADD COLUMN erasure_seal TEXT;
