import pytest
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from consent.config.settings import ConfigurationError, load
from consent.policy.geo import Location, Locator, open_database

from .mmdb import ADDRESSES


def request_from(address, headers=None, query=""):
    builder = EnvironBuilder(path="/", query_string=query, headers=headers or {},
                             environ_base={"REMOTE_ADDR": address})
    return Request(builder.get_environ())


@pytest.fixture
def locator_for(tmp_path, geoip_db):
    def make(**overrides):
        environ = {"CONSENT_DATABASE": str(tmp_path / "c.db"), "CONSENT_GEOIP_DB": str(geoip_db),
                   "CONSENT_MODE": "production", "CONSENT_SECRET_KEY": "k" * 40,
                   "CONSENT_TOKENS": "stats:" + "s" * 20 + ",audit:" + "a" * 20}
        environ.update(overrides)
        return Locator(load(environ))
    return make


@pytest.mark.parametrize("place, country, subdivision", [
    ("DE", "DE", "DE-BE"), ("DE6", "DE", None), ("GB", "GB", "GB-ENG"),
    ("US-CA", "US", "US-CA"), ("JP", "JP", "JP-13"), ("CA-QC", "CA", "CA-QC"),
])
def test_city_database_gives_country_and_subdivision(locator_for, place, country, subdivision):
    location = locator_for().locate(request_from(ADDRESSES[place]))
    assert location == Location(country, subdivision, "geoip")


def test_country_database_gives_country_only(locator_for, geoip_country_db):
    locator = locator_for(CONSENT_GEOIP_DB=str(geoip_country_db))
    assert locator.locate(request_from(ADDRESSES["US-CA"])) == Location("US", None, "geoip")


@pytest.mark.parametrize("address", ["127.0.0.1", "10.1.2.3", "192.168.0.7", "::1", "fe80::1"])
def test_private_addresses_are_not_located(locator_for, address):
    location = locator_for().locate(request_from(address))
    assert (location.country, location.source) == (None, "private")


@pytest.mark.parametrize("address", [ADDRESSES["NOWHERE"], "not-an-ip", ""])
def test_unlisted_or_bad_addresses_are_unknown(locator_for, address):
    assert locator_for().locate(request_from(address)).country is None


def test_cdn_header_ignored_unless_configured(locator_for):
    request = request_from(ADDRESSES["JP"], {"CF-IPCountry": "DE"})
    assert locator_for().locate(request).country == "JP"


def test_trusted_cdn_headers_win(locator_for):
    locator = locator_for(CONSENT_COUNTRY_HEADER="CloudFront-Viewer-Country",
                          CONSENT_SUBDIVISION_HEADER="CloudFront-Viewer-Country-Region")
    request = request_from(ADDRESSES["JP"], {"CloudFront-Viewer-Country": "US",
                                              "CloudFront-Viewer-Country-Region": "CA"})
    assert locator.locate(request) == Location("US", "US-CA", "header")


@pytest.mark.parametrize("value", ["XX", "T1", "garbage", ""])
def test_trusted_header_without_a_country_falls_back_to_geoip(locator_for, value):
    locator = locator_for(CONSENT_COUNTRY_HEADER="CF-IPCountry")
    assert locator.locate(request_from(ADDRESSES["DE"], {"CF-IPCountry": value})).country == "DE"


def test_region_override_only_in_demo_mode(locator_for):
    request = request_from(ADDRESSES["DE"], query="region=US-CA")
    assert locator_for().locate(request).country == "DE"
    demo = locator_for(CONSENT_MODE="demo")
    assert demo.locate(request) == Location("US", "US-CA", "override")
    assert demo.locate(request_from(ADDRESSES["DE"], query="region=unknown")).country is None


def test_missing_database_is_a_clear_start_up_error(tmp_path):
    with pytest.raises(ConfigurationError, match="CONSENT_GEOIP_DB: no such file"):
        open_database(tmp_path / "absent.mmdb")


def test_unreadable_database_is_a_clear_start_up_error(tmp_path):
    bogus = tmp_path / "bogus.mmdb"
    bogus.write_bytes(b"this is not a maxmind database" * 10)
    with pytest.raises(ConfigurationError, match="CONSENT_GEOIP_DB: cannot read"):
        open_database(bogus)


def test_embedded_geolite2_database_is_the_default(tmp_path):
    settings = load({"CONSENT_DATABASE": str(tmp_path / "c.db")})
    locator = Locator(settings)
    assert "GeoLite2-City" in locator.database_type
    # Strato's Berlin network has been German since long before the 2018 file.
    assert locator.lookup("85.214.0.1").country == "DE"


def test_missing_database_at_runtime_degrades_to_strictest_and_recovers(tmp_path, geoip_db,
                                                                        settings_for):
    from consent import create_app

    live_copy = tmp_path / "current.mmdb"
    live_copy.write_bytes(geoip_db.read_bytes())
    client = create_app(settings_for(CONSENT_GEOIP_DB=str(live_copy), CONSENT_GEOIP_RECHECK="0"),
                        environ={}).test_client()
    german = {"X-Forwarded-For": ADDRESSES["DE"]}
    assert client.get("/api/v1/config", headers=german).get_json()["region"] == "eea"
    live_copy.unlink()
    degraded = client.get("/api/v1/config", headers=german)
    assert degraded.status_code == 200
    assert (degraded.get_json()["region"], degraded.get_json()["model"]) == ("unknown", "opt-in")
    assert client.get("/healthz").get_json()["geoip"] == "unavailable"
    live_copy.write_bytes(geoip_db.read_bytes())
    assert client.get("/api/v1/config", headers=german).get_json()["region"] == "eea"


def test_replaced_database_is_picked_up_without_restart(tmp_path, geoip_db, geoip_country_db,
                                                        locator_for):
    live_copy = tmp_path / "current.mmdb"
    live_copy.write_bytes(geoip_db.read_bytes())
    locator = locator_for(CONSENT_GEOIP_DB=str(live_copy), CONSENT_GEOIP_RECHECK="0")
    assert locator.lookup(ADDRESSES["US-CA"]).subdivision == "US-CA"
    replacement = tmp_path / "next.mmdb"
    replacement.write_bytes(geoip_country_db.read_bytes())
    replacement.rename(live_copy)          # how geoipupdate swaps files: atomically
    assert locator.lookup(ADDRESSES["US-CA"]) == Location("US", None, "geoip")


def test_corrupt_replacement_degrades_instead_of_failing(tmp_path, geoip_db, locator_for):
    live_copy = tmp_path / "current.mmdb"
    live_copy.write_bytes(geoip_db.read_bytes())
    locator = locator_for(CONSENT_GEOIP_DB=str(live_copy), CONSENT_GEOIP_RECHECK="0")
    broken = tmp_path / "broken.mmdb"
    broken.write_bytes(b"garbage" * 100)
    broken.rename(live_copy)
    assert locator.lookup(ADDRESSES["DE"]).country is None
