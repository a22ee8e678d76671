-- Who took what out of the service: every stats request and every export.
CREATE TABLE access_log (
    id BIGSERIAL PRIMARY KEY,
    at TEXT NOT NULL,                  -- server UTC, ISO 8601
    who TEXT NOT NULL,                 -- a token id (never the token) or 'cli'
    scope TEXT NOT NULL,               -- stats | audit | cli
    via TEXT NOT NULL,                 -- api | admin | cli
    action TEXT NOT NULL,              -- stats | receipts
    params TEXT NOT NULL,              -- JSON: range, group, filters, format
    rows INTEGER,                      -- NULL until known (a stream still running)
    finished_at TEXT                   -- NULL: the export stopped before its end
);
CREATE INDEX access_log_by_time ON access_log (at);
