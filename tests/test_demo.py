from consent import create_app


def test_demo_shop_shows_gated_scripts_and_script_tag(settings_for):
    client = create_app(settings_for(CONSENT_MODE="demo"), environ={}).test_client()
    page = client.get("/").get_data(as_text=True)
    # The one-request tag, in the page's own language.
    assert '<html lang="en">' in page and '<script src="http://localhost/widget.js?lang=en"></script>' in page
    for category in ("analytics", "personalization", "marketing"):
        assert f'type="text/plain" data-category="{category}"' in page
    assert "data-cm-open" in page


def test_region_override_is_remembered_for_the_widget(settings_for):
    client = create_app(settings_for(CONSENT_MODE="demo"), environ={}).test_client()
    response = client.get("/?region=US-CA")
    assert "cm_demo_region=US-CA" in response.headers["Set-Cookie"]
    assert client.get("/api/v1/config").get_json()["model"] == "opt-out"
    assert '"model":"opt-out"' in client.get("/widget.js").get_data(as_text=True)
    client.get("/?region=")
    assert client.get("/api/v1/config").get_json()["model"] == "opt-in"  # loopback: unknown


def test_no_demo_shop_in_production(client):
    assert client.get("/").status_code == 404


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json()["database"] == "ok"


def test_demo_config_is_revalidated_so_a_region_switch_shows_at_once(settings_for):
    client = create_app(settings_for(CONSENT_MODE="demo"), environ={}).test_client()
    first = client.get("/api/v1/config")
    assert first.headers["Cache-Control"] == "private, no-cache" and first.headers["ETag"]
    client.get("/?region=US-CA")
    switched = client.get("/api/v1/config", headers={"If-None-Match": first.headers["ETag"]})
    assert switched.status_code == 200 and switched.get_json()["model"] == "opt-out"
