def test_demo_shop_renders_in_a_real_browser(page, demo_server):
    page.goto(f"{demo_server.url}/?region=DE")
    assert page.title().startswith("SeleneGleam")
    assert page.locator(".product").count() == 4
    assert "European Economic Area" in page.locator(".demo-panel").inner_text()


def test_demo_shop_banner_works_under_the_shops_own_strict_csp(page, demo_server):
    """The demo page is served with script-src 'self' and no unsafe-inline (consent/headers.py)."""
    violations = []
    page.on("console", lambda m: "Content Security Policy" in m.text and violations.append(m.text))
    response = page.goto(f"{demo_server.url}/?region=DE")
    assert "unsafe-inline" not in response.headers["content-security-policy"]
    banner = page.locator("[data-cm-host] section")
    banner.get_by_role("button", name="Accept all").click()
    page.locator("#recently-viewed").wait_for(state="visible")   # the gated script ran
    assert violations == []
