"""/admin: token sign-in, the session cookie, CSRF, expiry, scopes and the strict CSP."""

import re
import time

import pytest

from .conftest import TOKENS
from .test_error_shape import assert_error_shape

HOST = "http://localhost"

@pytest.fixture
def database(any_database):
    """Every test here runs on SQLite and on PostgreSQL."""
    return any_database



def csrf_from(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def sign_in(client, scope="stats", token=None):
    csrf = csrf_from(client.get("/admin").get_data(as_text=True))
    return client.post("/admin/sign-in", data={"token": token or TOKENS[scope], "csrf_token": csrf},
                       headers={"Origin": HOST})


def session_cookie(response) -> str:
    return next(v for v in response.headers.getlist("Set-Cookie") if v.startswith("cm_admin="))


def test_signed_out_admin_shows_the_sign_in_form(client):
    response = client.get("/admin")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'name="token"' in page and 'type="password"' in page
    assert "admin.js" not in page


def test_sign_in_sets_a_strict_httponly_session_cookie_without_the_token(client):
    response = sign_in(client)
    assert response.status_code == 303 and response.headers["Location"].endswith("/admin")
    cookie = session_cookie(response)
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert "Secure" not in cookie                   # plain http in this test
    assert "Expires=" in cookie                      # a permanent session that ends
    assert TOKENS["stats"] not in cookie
    page = client.get("/admin").get_data(as_text=True)
    assert 'id="dashboard"' in page and "admin.js" in page


def test_cookie_is_secure_over_https(client):
    csrf = csrf_from(client.get("/admin", base_url="https://localhost").get_data(as_text=True))
    response = client.post("/admin/sign-in", base_url="https://localhost",
                           data={"token": TOKENS["stats"], "csrf_token": csrf},
                           headers={"Origin": "https://localhost"})
    assert "Secure" in session_cookie(response)


def test_a_wrong_token_is_refused_with_the_form_again(client):
    response = sign_in(client, token="certainly-not-a-token-0000")
    assert response.status_code == 401
    assert "not valid" in response.get_data(as_text=True)
    assert client.get("/api/v1/stats").status_code == 401


def test_sign_in_without_the_csrf_token_or_from_another_origin_is_refused(client):
    client.get("/admin")
    assert_error_shape(client.post("/admin/sign-in", data={"token": TOKENS["stats"]}), 403)
    csrf = csrf_from(client.get("/admin").get_data(as_text=True))
    response = client.post("/admin/sign-in", data={"token": TOKENS["stats"], "csrf_token": csrf},
                           headers={"Origin": "https://evil.example"})
    assert_error_shape(response, 403)
    assert client.get("/api/v1/stats").status_code == 401


def test_the_session_reads_stats_but_not_receipts_with_a_stats_token(client):
    sign_in(client, "stats")
    assert client.get("/api/v1/stats").status_code == 200
    assert_error_shape(client.get("/api/v1/receipts"), 403)
    page = client.get("/admin").get_data(as_text=True)
    assert "download-stats-csv" in page and "download-receipts" not in page


def test_an_audit_session_gets_receipt_downloads(client, app):
    sign_in(client, "audit")
    assert "download-receipts-csv" in client.get("/admin").get_data(as_text=True)
    assert client.get("/api/v1/receipts?format=csv").status_code == 200
    entry = app.extensions["consent.store"].access_log()[0]
    assert (entry["action"], entry["via"], entry["scope"]) == ("receipts", "admin", "audit")


def test_the_session_never_authorises_a_state_change(settings_for):
    """Cookies ride along on cross-site requests; only GET and HEAD may lean on them."""
    from flask import Blueprint

    from consent import create_app
    from consent.web.auth import require_scope

    app = create_app(settings_for(), environ={})
    probe = Blueprint("probe", __name__)

    @probe.post("/api/v1/probe")
    @require_scope("audit")
    def change():
        return {"changed": True}

    app.register_blueprint(probe)
    client = app.test_client()
    sign_in(client, "audit")
    assert client.get("/api/v1/receipts").status_code == 200
    assert_error_shape(client.post("/api/v1/probe"), 401)
    assert client.post("/api/v1/probe", headers={"Authorization": f"Bearer {TOKENS['audit']}"}
                       ).status_code == 200


def test_sign_out_needs_the_csrf_token_and_ends_the_session(client):
    sign_in(client)
    assert_error_shape(client.post("/admin/sign-out", headers={"Origin": HOST}), 403)
    assert client.get("/api/v1/stats").status_code == 200
    csrf = csrf_from(client.get("/admin").get_data(as_text=True))
    response = client.post("/admin/sign-out", data={"csrf_token": csrf}, headers={"Origin": HOST})
    assert response.status_code == 303
    assert client.get("/api/v1/stats").status_code == 401
    assert 'name="token"' in client.get("/admin").get_data(as_text=True)


def test_a_session_expires_counted_from_sign_in(client, app):
    sign_in(client)
    lifetime = app.permanent_session_lifetime.total_seconds()
    with client.session_transaction() as session:
        session["admin"] = {**session["admin"], "since": time.time() - lifetime - 1}
    assert client.get("/api/v1/stats").status_code == 401
    page = client.get("/admin").get_data(as_text=True)
    assert "session has ended" in page


def test_the_session_lifetime_is_a_setting(settings_for):
    from consent import create_app

    app = create_app(settings_for(CONSENT_ADMIN_SESSION_MINUTES="15"), environ={})
    assert app.permanent_session_lifetime.total_seconds() == 15 * 60


def test_revoking_a_token_ends_its_sessions(client, settings_for):
    from consent import create_app

    sign_in(client, "audit")
    with client.session_transaction() as session:
        saved = dict(session)
    # the same secret key, but the audit token is no longer configured
    other = create_app(settings_for(CONSENT_TOKENS=f"stats:{TOKENS['stats']},audit:"
                                    "a-brand-new-audit-token-0000"), environ={}).test_client()
    with other.session_transaction() as session:
        session.update(saved)
    assert other.get("/api/v1/stats").status_code == 401


def test_a_forged_session_cookie_is_ignored(client):
    client.set_cookie("cm_admin", "eyJhZG1pbiI6eyJzY29wZSI6ImF1ZGl0In19.forged.signature")
    assert client.get("/api/v1/receipts").status_code == 401


@pytest.mark.parametrize("signed_in", [False, True])
def test_admin_pages_carry_a_strict_csp_and_are_never_cached(client, signed_in):
    if signed_in:
        sign_in(client)
    response = client.get("/admin")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page), "inline script"
    assert " style=" not in page and "<style" not in page


def test_sign_in_attempts_are_rate_limited(settings_for):
    from consent import create_app

    client = create_app(settings_for(CONSENT_RATELIMIT_SIGN_IN="2/minute"),
                        environ={}).test_client()
    assert sign_in(client, token="wrong-token-number-one-000").status_code == 401
    assert sign_in(client, token="wrong-token-number-two-000").status_code == 401
    assert_error_shape(sign_in(client), 429)          # even the right token waits now
