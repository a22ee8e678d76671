import pytest

from consent.config.settings import ROOT
from consent.policy.book import PolicyBook
from consent.policy.data import load_catalog
from consent.policy.geo import Location


@pytest.fixture(scope="module")
def book():
    return PolicyBook(load_catalog(ROOT / "data"))


@pytest.mark.parametrize("country, subdivision, region, model", [
    ("DE", "DE-BE", "eea", "opt-in"),
    ("FR", None, "eea", "opt-in"),
    ("NO", None, "eea", "opt-in"),
    ("GB", "GB-ENG", "uk", "opt-in"),
    ("CH", None, "ch", "opt-in"),
    ("US", "US-CA", "us-opt-out", "opt-out"),
    ("US", "US-TX", "us-opt-out", "opt-out"),
    ("US", "US-NY", "rest-of-world", "notice"),
    ("US", None, "rest-of-world", "notice"),
    ("CA", "CA-QC", "ca-qc", "opt-in"),
    ("CA", "CA-ON", "rest-of-world", "notice"),
    ("BR", None, "br", "opt-in"),
    ("JP", "JP-13", "rest-of-world", "notice"),
    (None, None, "unknown", "opt-in"),
])
def test_most_specific_region_wins(book, country, subdivision, region, model):
    policy = book.policy_for(Location(country, subdivision, "test"))
    assert (policy.code, policy.model) == (region, model)


@pytest.mark.parametrize("wanted, region, lang", [
    (["de-AT"], "eea", "de"), (["xx"], "eea", "en"), (["FR_ca", "en"], "eea", "fr"),
    ([], "ca-qc", "fr"), (["xx"], "ch", "de"), (["nl-BE", "de"], "eea", "nl"),
])
def test_language_negotiation_falls_back(book, wanted, region, lang):
    assert book.negotiate(wanted, book.catalog.regions[region]) == lang


def test_opt_in_defaults_off_opt_out_and_notice_on(book):
    for code, expected in (("eea", False), ("us-opt-out", True), ("rest-of-world", True)):
        region = book.catalog.regions[code]
        config = book.visitor_config(region, "en", gpc=False)
        optional = [c["default"] for c in config["categories"] if not c["required"]]
        assert optional and all(d is expected for d in optional), code
        assert next(c for c in config["categories"] if c["required"])["default"] is True


def test_gpc_turns_off_sale_and_share_in_opt_out_regions_only(book):
    california = book.catalog.regions["us-opt-out"]
    config = book.visitor_config(california, "en", gpc=True)
    defaults = {c["id"]: c["default"] for c in config["categories"]}
    assert defaults == {"necessary": True, "analytics": True, "personalization": False,
                        "marketing": False}
    assert config["gpc"] == {"signal": True, "honored": True,
                             "categories": ["marketing", "personalization"]}
    japan = book.catalog.regions["rest-of-world"]
    assert book.visitor_config(japan, "en", gpc=True)["gpc"][
        "honored"] is False


def test_config_hash_identifies_exact_texts(book):
    eea = book.catalog.regions["eea"]
    german, french = book.banner(eea, "de"), book.banner(eea, "fr")
    assert german.config_hash != french.config_hash
    assert book.snapshots[german.config_hash]["texts"]["accept_all"] == "Alle akzeptieren"
    # the visitor's own facts do not change what was shown
    a = book.visitor_config(eea, "de", gpc=False)
    b = book.visitor_config(eea, "de", gpc=True)
    assert a["config_hash"] == b["config_hash"] == german.config_hash


def test_opt_out_banner_carries_do_not_sell_text(book):
    config = book.visitor_config(book.catalog.regions["us-opt-out"],
                                 "en", gpc=False)
    assert config["texts"]["do_not_sell"] == "Do not sell or share my personal information"
    assert config["lifetime_days"] == 365
