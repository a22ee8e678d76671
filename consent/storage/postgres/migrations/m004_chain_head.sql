-- The chain head: one row that every appending transaction locks (SELECT ... FOR UPDATE)
-- before it reads where the chain ends, so any number of app servers append to ONE chain,
-- batch after batch, with no fork and no gap (as Trillian Tessera's tree-state row).
CREATE TABLE chain_head (
    only_row BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (only_row),
    seq BIGINT NOT NULL,               -- the last receipt's seq; 0 for an empty chain
    hash TEXT NOT NULL                 -- the last receipt's hash; GENESIS when empty
);
INSERT INTO chain_head (seq, hash)
SELECT coalesce(max(seq), 0),
       coalesce((SELECT hash FROM receipts ORDER BY seq DESC LIMIT 1), repeat('0', 64))
FROM receipts;
