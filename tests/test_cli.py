import json

from .mmdb import ADDRESSES


def test_init_creates_the_schema(runner, app):
    result = runner.invoke(args=["consent", "init"])
    assert result.exit_code == 0, result.output
    assert "up to date" in result.output   # create_app already migrated
    tables = set(app.extensions["consent.store"].db.table_names())
    assert {"receipts", "config_snapshots", "daily_answers", "daily_grants"} <= tables


def test_policy_for_an_ip_address(runner):
    result = runner.invoke(args=["consent", "policy", ADDRESSES["DE"]])
    assert result.exit_code == 0, result.output
    assert "DE-BE" in result.output and "eea" in result.output and "opt-in" in result.output


def test_policy_for_a_code_as_json(runner):
    result = runner.invoke(args=["consent", "policy", "US-CA", "--json", "--lang", "es"])
    config = json.loads(result.output)
    assert config["model"] == "opt-out" and config["lang"] == "es"


def test_policy_for_private_address_is_strictest(runner):
    result = runner.invoke(args=["consent", "policy", "127.0.0.1"])
    assert "unknown" in result.output and "opt-in" in result.output


def test_policy_rejects_garbage(runner):
    result = runner.invoke(args=["consent", "policy", "Germany!"])
    assert result.exit_code != 0 and "neither an IP address nor an ISO code" in result.output


def test_settings_masks_secrets(runner, app):
    result = runner.invoke(args=["consent", "settings"])
    shown = json.loads(result.output)
    assert shown["mode"] == "production"
    assert app.config["SECRET_KEY"] not in result.output
    assert shown["tokens"] == {"stats": "1 token(s)", "audit": "1 token(s)"}
