"""The service's configuration: every setting, its default and why, read in one place.

Settings come from CONSENT_* environment variables over the defaults of
``documented.SETTINGS``.
Tests and embedding code pass overrides to ``create_app`` instead. Nothing else
in the package reads the environment.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass, field, fields
from pathlib import Path

from .documented import DOCUMENTED, SETTINGS, Setting  # noqa: F401 - the table, re-exported
from .retention import BadPeriod, Period, parse_period

ROOT = Path(__file__).resolve().parents[2]
MODES = ("demo", "production")
DATABASE_URL_SCHEMES = ("postgresql://", "postgres://")
BATCHING = ("machine", "process")
RATELIMIT_STORAGES = ("memory://", "redis://", "rediss://", "redis+unix://")
SCOPES = ("stats", "audit")


class ConfigurationError(Exception):
    """A setting is missing or wrong; the message names the setting."""


@dataclass(frozen=True)
class Settings:
    mode: str
    secret_key: str
    database: Path | str              # a SQLite file, or a postgresql:// URL (a str)
    retention: Period
    geoip_db: Path
    geoip_recheck: int
    proxy_hops: int
    country_header: str | None
    subdivision_header: str | None
    allowed_origins: tuple[str, ...]
    tokens: dict[str, tuple[str, ...]]
    data_dir: Path
    widget: str
    max_body: int
    ratelimit_config: str
    ratelimit_consents: str
    ratelimit_storage: str
    ratelimit_sign_in: str = "10/minute"
    ratelimit_rights: str = "30/minute"
    ratelimit_wrong_tokens: str = "10/minute"
    batching: str = "machine"
    admin_session_minutes: int = 480
    retired_keys: tuple[str, ...] = ()
    idempotency_days: int = 30
    anchor_file: Path | None = None
    generated: tuple[str, ...] = field(default=())

    @property
    def demo(self) -> bool:
        return self.mode == "demo"

    @property
    def demo_secrets(self) -> Path:
        return demo_secrets_path(self.database, self.data_dir)

    @property
    def database_shown(self) -> str:
        """The database as it may be printed or logged: a URL's password masked."""
        return mask_password(str(self.database))

    def describe(self) -> dict:
        """The effective configuration with secrets masked, for `flask consent settings`."""
        shown = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "secret_key":
                value = "*** (set)"
            elif f.name == "retired_keys":
                value = f"{len(value)} key(s)"
            elif f.name == "tokens":
                value = {scope: f"{len(tokens)} token(s)" for scope, tokens in value.items()}
            elif f.name in ("database", "ratelimit_storage"):
                value = mask_password(str(value))
            elif isinstance(value, (Path, Period)):
                value = str(value)
            elif isinstance(value, tuple):
                value = list(value)
            shown[f.name] = value
        return shown


def embedded_geoip_db() -> Path:
    import _maxminddb_geolite2

    return Path(_maxminddb_geolite2.geolite2_database())


def load(environ: dict | None = None, overrides: dict | None = None) -> Settings:
    """Build Settings from the environment and explicit overrides.

    :raise ConfigurationError: on an unknown mode, a malformed value, or, in
        production, a missing secret key or token.
    """
    raw = {s.name: s.default for s in SETTINGS}
    source = os.environ if environ is None else environ
    raw.update({k: v for k, v in source.items() if k in DOCUMENTED and v != ""})
    for key, value in (overrides or {}).items():
        if key not in DOCUMENTED:
            raise ConfigurationError(f"{key}: not a known setting")
        raw[key] = value

    mode = raw["CONSENT_MODE"]
    if mode not in MODES:
        raise ConfigurationError(f"CONSENT_MODE: must be one of {', '.join(MODES)}, not {mode!r}")

    database = _database(raw["CONSENT_DATABASE"])
    tokens = _parse_tokens(raw["CONSENT_TOKENS"]) if raw["CONSENT_TOKENS"] else {}
    secret_key = raw["CONSENT_SECRET_KEY"]
    retired_keys = _parse_retired_keys(raw["CONSENT_RETIRED_KEYS"] or "", secret_key,
                                       production=mode == "production")
    generated: list[str] = []
    if mode == "production":
        if not secret_key or len(secret_key) < 32:
            raise ConfigurationError(
                "CONSENT_SECRET_KEY: production needs a secret of at least 32 characters")
        missing = [scope for scope in SCOPES if scope not in tokens]
        if missing:
            raise ConfigurationError(
                f"CONSENT_TOKENS: production needs a token for each scope; missing: {', '.join(missing)}")
    else:
        demo = _demo_secrets(demo_secrets_path(database, _path(raw["CONSENT_DATA_DIR"])))
        if not secret_key:
            secret_key = demo["secret_key"]
            generated.append("CONSENT_SECRET_KEY")
        for scope in SCOPES:
            if scope not in tokens:
                tokens[scope] = (demo["tokens"][scope],)
                generated.append(f"CONSENT_TOKENS ({scope})")

    return Settings(
        mode=mode,
        secret_key=secret_key,
        database=database,
        retention=_period("CONSENT_RETENTION", raw["CONSENT_RETENTION"]),
        geoip_db=_path(raw["CONSENT_GEOIP_DB"]) if raw["CONSENT_GEOIP_DB"] else embedded_geoip_db(),
        geoip_recheck=_non_negative_int("CONSENT_GEOIP_RECHECK", raw["CONSENT_GEOIP_RECHECK"]),
        proxy_hops=_non_negative_int("CONSENT_PROXY_HOPS", raw["CONSENT_PROXY_HOPS"]),
        country_header=raw["CONSENT_COUNTRY_HEADER"] or None,
        subdivision_header=raw["CONSENT_SUBDIVISION_HEADER"] or None,
        allowed_origins=tuple(_parse_origins(raw["CONSENT_ALLOWED_ORIGINS"] or "")),
        tokens=tokens,
        data_dir=_path(raw["CONSENT_DATA_DIR"]),
        widget=str(_path(raw["CONSENT_WIDGET"])),
        max_body=_non_negative_int("CONSENT_MAX_BODY", raw["CONSENT_MAX_BODY"]),
        ratelimit_config=raw["CONSENT_RATELIMIT_CONFIG"].strip(),
        ratelimit_consents=raw["CONSENT_RATELIMIT_CONSENTS"].strip(),
        ratelimit_storage=_ratelimit_storage(raw["CONSENT_RATELIMIT_STORAGE"]),
        ratelimit_sign_in=raw["CONSENT_RATELIMIT_SIGN_IN"].strip(),
        ratelimit_rights=raw["CONSENT_RATELIMIT_RIGHTS"].strip(),
        ratelimit_wrong_tokens=raw["CONSENT_RATELIMIT_WRONG_TOKENS"].strip(),
        batching=_choice("CONSENT_BATCHING", raw["CONSENT_BATCHING"], BATCHING),
        admin_session_minutes=_positive_int("CONSENT_ADMIN_SESSION_MINUTES",
                                            raw["CONSENT_ADMIN_SESSION_MINUTES"]),
        retired_keys=retired_keys,
        idempotency_days=_positive_int("CONSENT_IDEMPOTENCY_DAYS",
                                       raw["CONSENT_IDEMPOTENCY_DAYS"]),
        anchor_file=_anchor_file(raw["CONSENT_ANCHOR_FILE"], database),
        generated=tuple(generated),
    )


def _path(value: str | os.PathLike) -> Path:
    path = Path(value).expanduser()
    # Defaults are relative to the project, so `make run` works from anywhere;
    # an operator's relative path means their working directory.
    if not path.is_absolute():
        path = (ROOT / path) if str(value) in {s.default for s in SETTINGS} else path.resolve()
    return path


def is_database_url(value) -> bool:
    return isinstance(value, str) and value.startswith(DATABASE_URL_SCHEMES)


def demo_secrets_path(database: Path | str, data_dir: Path) -> Path:
    """Next to a SQLite file; with PostgreSQL, in the data directory."""
    return (database.parent if isinstance(database, Path) else data_dir) / "demo-secrets.json"


def mask_password(value: str) -> str:
    """``postgresql://app:secret@db/consent`` -> ``postgresql://app:***@db/consent``."""
    if "://" not in value:
        return value
    scheme, _, rest = value.partition("://")
    credentials, at, place = rest.rpartition("@")
    if at and ":" in credentials:
        credentials = credentials.split(":", 1)[0] + ":***"
    return f"{scheme}://{credentials}{at}{place}"


def _database(value: str) -> Path | str:
    if is_database_url(value):
        return value
    if "://" in str(value):
        raise ConfigurationError(f"CONSENT_DATABASE: {mask_password(str(value))!r} is neither a "
                                 "file path nor a postgresql:// URL")
    return _path(value)


def _non_negative_int(name: str, value) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ConfigurationError(f"{name}: not a whole number: {value!r}") from None
    if number < 0:
        raise ConfigurationError(f"{name}: must not be negative")
    return number


def _period(name: str, value: str) -> Period:
    try:
        return parse_period(value)
    except BadPeriod as error:
        raise ConfigurationError(f"{name}: {error}") from None


def _ratelimit_storage(value: str) -> str:
    if not value.startswith(RATELIMIT_STORAGES):
        raise ConfigurationError(f"CONSENT_RATELIMIT_STORAGE: {mask_password(value)!r} is "
                                 f"neither memory:// nor a redis:// URL")
    return value


def _anchor_file(value: str, database: Path | str) -> Path | None:
    """auto: next to a SQLite file, none for a database server; off: none; else the path."""
    if value == "off":
        return None
    if value == "auto":
        return None if isinstance(database, str) else Path(f"{database}.anchor")
    return _path(value)


def _choice(name: str, value: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise ConfigurationError(f"{name}: must be one of {', '.join(allowed)}, not {value!r}")
    return value


def _positive_int(name: str, value) -> int:
    number = _non_negative_int(name, value)
    if number == 0:
        raise ConfigurationError(f"{name}: must be at least 1")
    return number


def _parse_origins(value: str) -> list[str]:
    origins = []
    for origin in filter(None, (o.strip().rstrip("/") for o in value.split(","))):
        if not origin.startswith(("http://", "https://")) or origin.count("/") != 2:
            raise ConfigurationError(
                f"CONSENT_ALLOWED_ORIGINS: {origin!r} is not an origin like https://shop.example")
        origins.append(origin)
    return origins


def _parse_retired_keys(value: str, current: str | None, production: bool) -> tuple[str, ...]:
    keys = tuple(dict.fromkeys(k.strip() for k in value.split(",") if k.strip()))
    if current and current in keys:
        raise ConfigurationError("CONSENT_RETIRED_KEYS: holds the current CONSENT_SECRET_KEY; "
                                 "a key that signs is not retired")
    if production and any(len(k) < 32 for k in keys):
        raise ConfigurationError("CONSENT_RETIRED_KEYS: a retired key is shorter than 32 "
                                 "characters; list the earlier secret keys exactly")
    return keys


def _parse_tokens(value: str) -> dict[str, tuple[str, ...]]:
    tokens: dict[str, list[str]] = {}
    for pair in filter(None, (p.strip() for p in value.split(","))):
        scope, sep, token = pair.partition(":")
        if not sep or scope not in SCOPES:
            raise ConfigurationError(
                f"CONSENT_TOKENS: {pair.split(':')[0]!r} is not `scope:token` with scope "
                f"one of {', '.join(SCOPES)}")
        if len(token) < 16:
            raise ConfigurationError(f"CONSENT_TOKENS: the {scope} token is shorter than 16 characters")
        tokens.setdefault(scope, []).append(token)
    return {scope: tuple(values) for scope, values in tokens.items()}


def _demo_secrets(path: Path) -> dict:
    """Demo secrets persist next to the database so receipts stay verifiable across restarts."""
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        pass
    secrets_ = {
        "secret_key": secrets.token_urlsafe(48),
        "tokens": {scope: secrets.token_urlsafe(24) for scope in SCOPES},
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written aside, then linked into place: link fails if another worker won the
    # race, and nobody ever reads a half-written file.
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        json.dump(secrets_, out)
    try:
        os.link(tmp, path)
    except FileExistsError:
        secrets_ = json.loads(path.read_text())
    finally:
        tmp.unlink()
    return secrets_
