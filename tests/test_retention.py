"""Retention: periods, cut-offs, and the purge that erases payloads past them."""

import json
from datetime import datetime, timezone

import pytest

from consent import create_app
from consent.config.retention import (
    BadPeriod,
    Period,
    check_covers_lifetime,
    parse_period,
)
from consent.config.settings import ConfigurationError
from consent.ledger import chain, erasure
from consent.ledger.keys import KeyRing
from consent.storage import columns, sealing

from .visitors import SNAPSHOT, draft, rollups, rows, tables

KEY = KeyRing("retention-test-secret-key-0123456789abc")
NOW = datetime(2026, 6, 15, 12, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("text, period", [
    ("400d", Period(400, "d")), ("13mo", Period(13, "mo")), ("2y", Period(2, "y")),
    ("8w", Period(8, "w")), (" 13 mo ", Period(13, "mo")),
])
def test_periods_parse(text, period):
    assert parse_period(text) == period
    assert str(parse_period(str(period))) == str(period)


@pytest.mark.parametrize("text", ["13", "13m", "month", "-1d", "0d", "1.5y", "", "13mo2"])
def test_bad_periods_are_refused(text):
    with pytest.raises(BadPeriod):
        parse_period(text)


@pytest.mark.parametrize("text, now, cutoff", [
    ("13mo", datetime(2026, 6, 15, 12, 0), datetime(2025, 5, 15, 12, 0)),
    ("1mo", datetime(2026, 3, 31), datetime(2026, 2, 28)),        # no 31 February
    ("2y", datetime(2028, 2, 29), datetime(2026, 2, 28)),
    ("400d", datetime(2026, 6, 15), datetime(2025, 5, 11)),
    ("2w", datetime(2026, 1, 3), datetime(2025, 12, 20)),
])
def test_cutoffs_count_calendar_months(text, now, cutoff):
    assert parse_period(text).cutoff(now) == cutoff


def test_a_period_must_outlive_the_consent_it_proves():
    check_covers_lifetime(parse_period("13mo"), 365, NOW)
    with pytest.raises(BadPeriod, match="longest consent lifetime"):
        check_covers_lifetime(parse_period("11mo"), 365, NOW)


def test_retention_setting_is_checked_at_start(settings_for):
    app = create_app(settings_for(CONSENT_RETENTION="2y"), environ={})
    assert str(app.extensions["consent.settings"].retention) == "2y"
    with pytest.raises(ConfigurationError, match="CONSENT_RETENTION"):
        create_app(settings_for(CONSENT_RETENTION="13 months"), environ={})
    # data/regions.json keeps some consents 365 days: 6 months cannot prove them
    with pytest.raises(ConfigurationError, match="CONSENT_RETENTION.*365 days"):
        create_app(settings_for(CONSENT_RETENTION="6mo"), environ={})


@pytest.fixture
def store(app):
    """Receipts 20, 14 and 12 months old and one from today, plus one erased on request."""
    store = app.extensions["consent.store"]
    for n, months in enumerate((20, 14, 12, 0, 16), start=1):
        store.record_receipt(draft(n), SNAPSHOT, now=Period(months, "mo").cutoff(NOW))
    erasure.erase_visitor(store, KEY, draft(5)["consent_id"], now=Period(15, "mo").cutoff(NOW))
    return store


def test_dry_run_counts_and_changes_nothing(store):
    before = tables(store.path)
    result = erasure.purge(store, KEY, Period(13, "mo").cutoff(NOW), dry_run=True, now=NOW)
    assert (result.receipts, result.subjects, result.dry_run) == (2, 1, True)
    assert result.cutoff == "2025-05-15T12:00:00.000000Z"
    assert tables(store.path) == before


def test_purge_erases_only_payloads_past_retention(store):
    counted = rollups(store.path)
    result = erasure.purge(store, KEY, Period(13, "mo").cutoff(NOW), now=NOW)
    assert (result.receipts, result.subjects, result.dry_run) == (2, 1, False)
    after = {r["seq"]: r for r in rows(store.path)}
    # the 20- and 14-month-old receipts are emptied; 12 months and today are kept whole
    for seq in (1, 2):
        assert after[seq]["erased_at"] == sealing.utc_timestamp(NOW)
        assert all(after[seq][field] is None for field in columns.PAYLOAD_FIELDS)
    for seq in (3, 4):
        assert after[seq]["erased_at"] is None
        assert after[seq]["consent_id"] == draft(seq)["consent_id"]
    log = rows(store.path, "SELECT reason, subject, receipts, cutoff FROM erasures ORDER BY id")
    # the visitor's old request no longer names them; the purge is logged with its cut-off
    assert log == [{"reason": "request", "subject": None, "receipts": 1, "cutoff": None},
                   {"reason": "retention", "subject": None, "receipts": 2,
                    "cutoff": result.cutoff}]
    report = chain.verify(store, KEY)
    assert report.ok and (report.receipts, report.erased) == (5, 3)
    assert rollups(store.path) == counted


def test_purge_is_idempotent_and_works_in_batches(store):
    cutoff = Period(13, "mo").cutoff(NOW)
    first = store.erase_recorded_before(sealing.utc_timestamp(cutoff), "x", lambda *a: "s",
                                        batch=1)
    assert first == 2
    log = rows(store.path, "SELECT receipts FROM erasures WHERE reason = 'retention'")
    assert log == [{"receipts": 2}]     # one logged erasure across both batches
    again = erasure.purge(store, KEY, cutoff, now=NOW)
    assert (again.receipts, again.subjects) == (0, 1)


def test_settings_show_the_retention(runner):
    shown = json.loads(runner.invoke(args=["consent", "settings"]).output)
    assert shown["retention"] == "13mo"
