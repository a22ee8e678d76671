"""Google Consent Mode v2: denied defaults before any tag, the visitor's choice after."""

from .conftest import banner, dialog, in_region, receipt_posted, serve_page

SNAPSHOT = "JSON.parse(JSON.stringify(window.dataLayer))"
TAGS = f"""
<script>window.atFirstTag = {SNAPSHOT};</script>
<script type="text/plain" data-category="analytics">window.atAnalyticsTag = {SNAPSHOT};</script>
<script type="text/plain" data-category="marketing">window.atMarketingTag = {SNAPSHOT};</script>
<script type="text/plain" data-category="personalization">window.atPersonalizationTag = 1;</script>
"""
DENIED = {"ad_storage": "denied", "ad_user_data": "denied", "ad_personalization": "denied",
          "analytics_storage": "denied", "personalization_storage": "denied",
          "security_storage": "granted", "functionality_storage": "granted"}


def consent_calls(layer, kind):
    return [entry["2"] for entry in layer if entry.get("0") == "consent" and entry.get("1") == kind]


def test_defaults_come_first_and_the_update_follows_the_choice(visitor, shop):
    page = visitor()
    in_region(page, shop, "DE")
    page.goto(serve_page(page, f"{shop.url}/consent-mode", head=TAGS))
    # Pushed synchronously by the widget's own script, before the page's next tag.
    first = page.evaluate("window.atFirstTag")
    assert first == [{"0": "consent", "1": "default", "2": {**DENIED, "wait_for_update": 500}}]
    banner(page).get_by_role("button", name="Customize").click()
    dialog(page).get_by_role("switch", name="Performance monitoring").check()
    dialog(page).get_by_role("switch", name="Marketing").check()
    with page.expect_response(receipt_posted):
        dialog(page).get_by_role("button", name="Save my choices").click()
    page.wait_for_function("window.atAnalyticsTag && window.atMarketingTag")
    assert page.evaluate("window.atPersonalizationTag") is None

    at_tag = page.evaluate("window.atAnalyticsTag")
    assert consent_calls(at_tag, "default") == [{**DENIED, "wait_for_update": 500}]
    granted = consent_calls(at_tag, "update")[-1]
    assert granted == {**DENIED, "analytics_storage": "granted", "ad_storage": "granted",
                       "ad_user_data": "granted", "ad_personalization": "granted"}
    layer = page.evaluate(SNAPSHOT)
    assert consent_calls(layer, "update")[-1] == granted
    event = [e for e in layer if e.get("event") == "cm_consent_update"][-1]
    assert event["cm_method"] == "custom"
    assert event["cm_choices"] == {"necessary": True, "analytics": True,
                                   "personalization": False, "marketing": True}


def test_a_returning_visitor_gets_the_update_at_once(visitor, shop):
    page = visitor()
    in_region(page, shop, "DE")
    url = serve_page(page, f"{shop.url}/consent-mode", head=TAGS)
    page.goto(url)
    with page.expect_response(receipt_posted):
        banner(page).get_by_role("button", name="Reject all").click()
    page.reload()
    first = page.evaluate("window.atFirstTag")   # the stored choice applies synchronously
    assert consent_calls(first, "default") == [{**DENIED, "wait_for_update": 500}]
    assert consent_calls(first, "update") == [DENIED]
    assert page.evaluate("window.atAnalyticsTag") is None
