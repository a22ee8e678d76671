import json

import pytest

from consent import create_app
from consent.config.settings import ROOT
from consent.policy.data import PolicyDataError, load_catalog


def test_shipped_data_loads_with_six_languages():
    catalog = load_catalog(ROOT / "data")
    assert {"en", "de", "fr", "es", "it", "nl"} <= set(catalog.locales)
    assert catalog.regions["eea"].model == "opt-in"
    assert catalog.regions["us-opt-out"].model == "opt-out"
    assert catalog.regions[catalog.unknown].model == "opt-in"
    assert catalog.regions[catalog.rest_of_world].model == "notice"


def test_translations_are_real_not_copies_of_english():
    catalog = load_catalog(ROOT / "data")
    english = catalog.locales["en"]
    for lang, locale in catalog.locales.items():
        if lang == "en":
            continue
        for key in ("accept_all", "reject_all", "customize", "do_not_sell"):
            assert locale["buttons"][key] != english["buttons"][key], (lang, key)
        for category in ("analytics", "personalization", "marketing"):
            assert locale["categories"][category]["description"] != \
                english["categories"][category]["description"], (lang, category)


def test_consent_mode_mapping_follows_google_v2():
    categories = load_catalog(ROOT / "data").categories
    assert categories["analytics"].consent_mode == ("analytics_storage",)
    assert categories["personalization"].consent_mode == ("personalization_storage",)
    assert set(categories["marketing"].consent_mode) == {"ad_storage", "ad_user_data",
                                                          "ad_personalization"}
    assert set(categories["necessary"].consent_mode) == {"security_storage",
                                                          "functionality_storage"}
    assert {"_ga", "_ga_*", "_gid"} <= set(categories["analytics"].cookies)
    assert "_fbp" in categories["marketing"].cookies
    assert any(c.startswith("_hj") for c in categories["analytics"].cookies)


def _edit(path, change):
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))


@pytest.mark.parametrize("file, change, where", [
    ("regions.json", lambda d: d["regions"][3].update(model="opt-maybe"),
     "regions.json: regions.3.model"),
    ("regions.json", lambda d: d["regions"][0].update(countries=["DEU"]),
     "regions.json: regions.0.countries.0"),
    ("regions.json", lambda d: d["regions"][1].update(countries=["DE"]),
     "regions.json: regions.1.countries.0"),
    ("regions.json", lambda d: d.update(unknown="nowhere"), "regions.json: unknown"),
    ("regions.json", lambda d: d["regions"][0].update(categories=["necessary", "tracking"]),
     "regions.json: regions.0.categories.1"),
    ("regions.json", lambda d: d["regions"][0].pop("lifetime_days"),
     "regions.json: regions.0.lifetime_days"),
    ("regions.json", lambda d: d["regions"][0].update(default_lang="pt"),
     "regions.json: regions.0.default_lang"),
    ("categories.json", lambda d: d["categories"][1].update(consent_mode=["analytics"]),
     "categories.json: categories.1.consent_mode.0"),
    ("categories.json", lambda d: d["categories"][3]["services"].append("nobody"),
     "categories.json: categories.3.services.5"),
    ("locales/de.json", lambda d: d["buttons"].pop("reject_all"),
     "de.json: buttons.reject_all"),
    ("locales/fr.json", lambda d: d["categories"].pop("marketing"),
     "fr.json: categories.marketing"),
])
def test_broken_file_names_file_and_field(data_copy, file, change, where):
    _edit(data_copy / file, change)
    with pytest.raises(PolicyDataError) as error:
        load_catalog(data_copy)
    assert where in str(error.value)


def test_invalid_json_names_the_line(data_copy):
    (data_copy / "regions.json").write_text('{"revision": 1,\n  "regions": [,]}')
    with pytest.raises(PolicyDataError, match=r"regions.json: line 2"):
        load_catalog(data_copy)


def test_broken_data_stops_app_start_up(data_copy, settings_for):
    _edit(data_copy / "regions.json", lambda d: d["regions"][0].update(model="maybe"))
    with pytest.raises(PolicyDataError, match="regions.0.model"):
        create_app(settings_for(CONSENT_DATA_DIR=str(data_copy)), environ={})
