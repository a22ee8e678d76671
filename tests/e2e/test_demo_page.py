def test_demo_shop_renders_in_a_real_browser(page, demo_server):
    page.goto(f"{demo_server.url}/?region=DE")
    assert page.title().startswith("SeleneGleam")
    assert page.locator(".product").count() == 4
    assert "European Economic Area" in page.locator(".demo-panel").inner_text()
