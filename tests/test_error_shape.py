"""Every error leaves in the one shape: {"error": {"status", "message", "fields"?}}."""


from consent import create_app


def assert_error_shape(response, status):
    assert response.status_code == status
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error"}
    assert body["error"]["status"] == status
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    assert set(body["error"]) <= {"status", "message", "fields"}
    assert b"Traceback" not in response.data and b"<html" not in response.data.lower()
    return body["error"]


def test_400_bad_json(client):
    response = client.post("/api/v1/consents", data="{not json", content_type="application/json")
    assert_error_shape(response, 400)


def test_404_unknown_path(client):
    assert_error_shape(client.get("/api/v1/nothing-here"), 404)


def test_405_wrong_method(client):
    response = client.put("/api/v1/consents", json={})
    error = assert_error_shape(response, 405)
    assert "POST" in response.headers["Allow"]
    assert error["message"]


def test_413_oversized_body(client):
    response = client.post("/api/v1/consents", data="x" * 10_000, content_type="application/json")
    assert_error_shape(response, 413)


def test_415_wrong_content_type(client):
    response = client.post("/api/v1/consents", data="a=b",
                           content_type="application/x-www-form-urlencoded")
    assert_error_shape(response, 415)


def test_422_lists_fields(client):
    error = assert_error_shape(client.post("/api/v1/consents", json={"revision": 1}), 422)
    assert set(error["fields"]) >= {"choices", "method"}


def test_422_for_a_json_array(client):
    assert_error_shape(client.post("/api/v1/consents", json=[1, 2]), 422)


def test_500_hides_the_trace(settings_for):
    app = create_app(settings_for(), environ={})

    @app.get("/api/v1/boom")
    def boom():
        raise RuntimeError("secret internals")

    response = app.test_client().get("/api/v1/boom")
    assert_error_shape(response, 500)
    assert b"secret internals" not in response.data


def test_503_when_the_database_cannot_be_written(settings_for):
    # each worker commits its own receipts, on this thread's connection, which then refuses
    app = create_app(settings_for(CONSENT_BATCHING="process"), environ={})
    client = app.test_client()
    store = app.extensions["consent.store"]
    store.db.execute("PRAGMA query_only = ON")  # this connection now refuses every write
    response = client.post("/api/v1/consents", json={
        "revision": 1, "method": "reject_all",
        "choices": {"analytics": False, "personalization": False, "marketing": False}})
    assert_error_shape(response, 503)
    store.db.execute("PRAGMA query_only = OFF")
    assert store.count_receipts() == 0
