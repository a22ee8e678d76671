import json
import re

import pytest

from consent import create_app
from consent.config.settings import ROOT, SETTINGS, ConfigurationError, load


def test_defaults_are_documented_and_demo_generates_secrets(tmp_path):
    settings = load({"CONSENT_DATABASE": str(tmp_path / "c.db")})
    assert settings.mode == "demo"
    assert settings.proxy_hops == 0
    assert settings.country_header is None
    assert "http://127.0.0.1:5000" in settings.allowed_origins
    assert set(settings.tokens) == {"stats", "audit"}
    assert "CONSENT_SECRET_KEY" in settings.generated
    stored = json.loads((tmp_path / "demo-secrets.json").read_text())
    assert stored["secret_key"] == settings.secret_key
    # a restart (another worker) keeps the same secrets, so signatures stay verifiable
    assert load({"CONSENT_DATABASE": str(tmp_path / "c.db")}).secret_key == settings.secret_key


def test_environment_overrides_defaults(tmp_path):
    settings = load({"CONSENT_DATABASE": str(tmp_path / "other.db"), "CONSENT_PROXY_HOPS": "2",
                     "CONSENT_COUNTRY_HEADER": "CF-IPCountry",
                     "CONSENT_ALLOWED_ORIGINS": "https://a.example, https://b.example/"})
    assert settings.database == tmp_path / "other.db"
    assert settings.proxy_hops == 2
    assert settings.country_header == "CF-IPCountry"
    assert settings.allowed_origins == ("https://a.example", "https://b.example")


def test_explicit_overrides_beat_environment(tmp_path):
    settings = load({"CONSENT_PROXY_HOPS": "3", "CONSENT_DATABASE": str(tmp_path / "c.db")},
                    {"CONSENT_PROXY_HOPS": "1"})
    assert settings.proxy_hops == 1


@pytest.mark.parametrize("environ, named", [
    ({"CONSENT_MODE": "production"}, "CONSENT_SECRET_KEY"),
    ({"CONSENT_MODE": "production", "CONSENT_SECRET_KEY": "x" * 40}, "CONSENT_TOKENS"),
    ({"CONSENT_MODE": "production", "CONSENT_SECRET_KEY": "x" * 40,
      "CONSENT_TOKENS": "stats:" + "s" * 20}, "audit"),
    ({"CONSENT_MODE": "staging"}, "CONSENT_MODE"),
    ({"CONSENT_PROXY_HOPS": "two"}, "CONSENT_PROXY_HOPS"),
    ({"CONSENT_PROXY_HOPS": "-1"}, "CONSENT_PROXY_HOPS"),
    ({"CONSENT_ALLOWED_ORIGINS": "shop.example"}, "CONSENT_ALLOWED_ORIGINS"),
    ({"CONSENT_ALLOWED_ORIGINS": "https://shop.example/path"}, "CONSENT_ALLOWED_ORIGINS"),
    ({"CONSENT_TOKENS": "admin:" + "a" * 20}, "CONSENT_TOKENS"),
    ({"CONSENT_TOKENS": "stats:short"}, "CONSENT_TOKENS"),
    ({"CONSENT_DATABASE": "mysql://app:pw@db/consent"}, "CONSENT_DATABASE"),
    ({"CONSENT_RATELIMIT_STORAGE": "memcached://cache:11211"}, "CONSENT_RATELIMIT_STORAGE"),
    ({"CONSENT_BATCHING": "thread"}, "CONSENT_BATCHING"),
])
def test_bad_configuration_names_the_setting(tmp_path, environ, named):
    environ = {"CONSENT_DATABASE": str(tmp_path / "c.db"), **environ}
    with pytest.raises(ConfigurationError, match=named) as raised:
        load(environ)
    assert "pw@" not in str(raised.value)       # a password in a URL is never repeated


def test_a_postgresql_url_is_kept_as_a_url_and_its_password_never_shown(tmp_path):
    url = "postgresql://consent:s3cret-pw@db.internal:5432/consent"
    settings = load({"CONSENT_DATABASE": url, "CONSENT_DATA_DIR": str(tmp_path),
                     "CONSENT_RATELIMIT_STORAGE": "redis://:r3dis-pw@cache:6379/0"})
    assert settings.database == url
    assert settings.database_shown == "postgresql://consent:***@db.internal:5432/consent"
    assert settings.demo_secrets == tmp_path / "demo-secrets.json"
    shown = json.dumps(settings.describe())
    assert "s3cret-pw" not in shown and "r3dis-pw" not in shown
    assert "db.internal" in shown and "cache:6379" in shown


def test_production_starts_with_secret_and_tokens(settings_for):
    app = create_app(settings_for(), environ={})
    assert app.extensions["consent.settings"].generated == ()


def test_unknown_override_is_refused():
    with pytest.raises(ConfigurationError, match="CONSENT_NOPE"):
        load({}, {"CONSENT_NOPE": "1"})


def test_every_setting_is_documented_in_readme_and_design_table():
    readme = (ROOT / "README.md").read_text()
    for setting in SETTINGS:
        assert re.search(rf"\|\s*`?{setting.name}`?", readme), f"{setting.name} missing from README"


def test_describe_masks_secrets(tmp_path):
    shown = load({"CONSENT_DATABASE": str(tmp_path / "c.db")}).describe()
    text = json.dumps(shown)
    settings = load({"CONSENT_DATABASE": str(tmp_path / "c.db")})
    assert settings.secret_key not in text
    assert all(token not in text for tokens in settings.tokens.values() for token in tokens)
