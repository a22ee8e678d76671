"""Every CONSENT_* setting with its default and a one-line reason: the documentation of record.

README's configuration table is checked against this table (tests/test_settings.py);
``settings.load`` reads the environment over these defaults.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Setting:
    name: str
    default: str | None
    reason: str


# The documentation of record: README's configuration table is checked against it.
SETTINGS = (
    Setting("CONSENT_MODE", "demo", "`demo` (what `make run` uses) or `production`."),
    Setting("CONSENT_SECRET_KEY", None,
            "Signs receipts and sessions. Required in production; demo generates one "
            "and keeps it in data/demo-secrets.json."),
    Setting("CONSENT_RETIRED_KEYS", None,
            "Earlier CONSENT_SECRET_KEY values, comma-separated: they only verify the receipts "
            "they signed and the erasures they sealed, never sign. Rotate by moving the old key "
            "here and setting a new CONSENT_SECRET_KEY."),
    Setting("CONSENT_DATABASE", "data/consent.db",
            "Where receipts and roll-ups live: a SQLite file path (one machine), or a "
            "`postgresql://user:password@host/db` URL that any number of app servers share."),
    Setting("CONSENT_ANCHOR_FILE", "auto",
            "A file outside the database where the service keeps the chain's head (seq:hash); "
            "a database whose chain does not reach it (deleted, emptied, replaced, restored "
            "from an older copy) takes no receipt until `flask consent init --new-chain`. "
            "`auto`: next to a SQLite file (`<database>.anchor`), none for PostgreSQL; `off`: "
            "none."),
    Setting("CONSENT_BATCHING", "machine",
            "How receipts share commits: `machine` (one worker commits for every worker on "
            "the machine, over a local socket; another takes over if it dies) or `process` "
            "(each worker commits its own threads' receipts)."),
    Setting("CONSENT_IDEMPOTENCY_DAYS", "30",
            "How long a receipt's idempotency key (Idempotency-Key header, or idempotency_key "
            "in the body) answers a repeat with the first receipt instead of storing another; "
            "`flask consent purge` forgets older keys."),
    Setting("CONSENT_RETENTION", "13mo",
            "How long receipts keep their personal payload (`400d`, `13mo`, `2y`); "
            "`flask consent purge` erases older ones. Must cover the longest consent "
            "lifetime in data/regions.json."),
    Setting("CONSENT_GEOIP_DB", None,
            "A MaxMind-format .mmdb (City or Country). Default: the GeoLite2 City file "
            "shipped by maxminddb-geolite2 (2018 data)."),
    Setting("CONSENT_GEOIP_RECHECK", "60",
            "Seconds between looks at the GeoIP file: a replaced file is reopened, a missing "
            "one makes every visitor 'unknown' (strictest banner) until it is back."),
    Setting("CONSENT_PROXY_HOPS", "0",
            "Reverse proxies in front whose X-Forwarded-For is trusted; 0 trusts none."),
    Setting("CONSENT_COUNTRY_HEADER", None,
            "Trusted CDN header with the visitor's country, e.g. CF-IPCountry. Unset: "
            "never read, since any client can send it."),
    Setting("CONSENT_SUBDIVISION_HEADER", None,
            "Trusted CDN header with the ISO 3166-2 subdivision (e.g. X-Region-Code)."),
    Setting("CONSENT_ALLOWED_ORIGINS", "http://127.0.0.1:5000,http://localhost:5000",
            "Comma-separated site origins the widget API answers (CORS) and accepts "
            "receipts from."),
    Setting("CONSENT_TOKENS", None,
            "Comma-separated `scope:token` pairs, scopes `stats` and `audit`. Required "
            "in production; demo generates one per scope."),
    Setting("CONSENT_DATA_DIR", "data",
            "Directory with regions.json, categories.json and locales/."),
    Setting("CONSENT_WIDGET", "static/js/consent*.js",
            "The built widget script(s), a glob, checked at start-up against "
            "data/categories.json: a widget built for other categories would have every "
            "receipt refused, so start-up stops and says to rebuild it."),
    Setting("CONSENT_MAX_BODY", "4096", "Largest accepted request body in bytes (413 above)."),
    Setting("CONSENT_RATELIMIT_CONFIG", "600/minute",
            "Config requests per client (`N/second|minute|hour`, or `off`); counted per "
            "worker unless CONSENT_RATELIMIT_STORAGE is shared."),
    Setting("CONSENT_RATELIMIT_CONSENTS", "60/minute",
            "Receipt posts per client, or `off` (per worker with memory://)."),
    Setting("CONSENT_RATELIMIT_STORAGE", "memory://",
            "Where rate-limit counters live: memory:// counts in each worker apart (the "
            "effective limit is the setting times the workers); redis://host:6379 counts "
            "once for every worker and server."),
    Setting("CONSENT_RATELIMIT_SIGN_IN", "10/minute",
            "Sign-in attempts at /admin per client, or `off` (per worker with memory://)."),
    Setting("CONSENT_RATELIMIT_RIGHTS", "30/minute",
            "Requests per client to a visitor's record (GET and DELETE /api/v1/consents/<id>) "
            "and the public signature check, counted together, or `off` (per worker with "
            "memory://)."),
    Setting("CONSENT_RATELIMIT_WRONG_TOKENS", "10/minute",
            "Wrong bearer or sign-in tokens per client; past it every token from that client "
            "gets 429 until the window ends, or `off` (per worker with memory://)."),
    Setting("CONSENT_ADMIN_SESSION_MINUTES", "480",
            "How long a sign-in at /admin lasts before the token must be entered again "
            "(counted from sign-in, not from the last click)."),
)
DOCUMENTED = {s.name: s for s in SETTINGS}
