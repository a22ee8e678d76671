"""/admin: marketing's and the privacy officer's dashboard, behind a token sign-in.

The page is HTML plus one bundled script (static/js/admin.js, chart.js inside)
under a strict Content-Security-Policy: no inline script or style, data only
from same-origin JSON. The session cookie is HttpOnly, SameSite=Strict,
Secure on https, and lasts CONSENT_ADMIN_SESSION_MINUTES from sign-in. Both
forms (sign-in and sign-out) carry a CSRF token and must come from our own
origin.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import (
    Blueprint,
    Flask,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.sessions import SecureCookieSessionInterface

from ..ledger.minimize import ip_prefix
from ..reports.queries import DEFAULT_DAYS, MAX_STATS_DAYS, today
from . import auth
from .context import get_book, get_settings
from .errors import ApiError

log = logging.getLogger(__name__)
bp = Blueprint("admin", __name__, url_prefix="/admin")

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")


class AdminSessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie, marked Secure whenever the request came over https."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return request.is_secure

    def open_session(self, app: Flask, request):
        # The widget's requests never carry this cookie: an empty session, without building
        # the signer for each of them (a tenth of a config answer's time).
        if not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)


@bp.get("")
def dashboard():
    credential = auth.session_credential()
    if credential is None:
        return _sign_in_page()
    catalog = get_book().catalog
    regions = [{"code": r.code, "name": r.name} for r in catalog.regions.values()]
    # Categories are data: their order and names come from data/ (English, the dashboard's).
    categories = [{"id": c, "title": catalog.category_title(c)}
                  for c in catalog.optional_categories]
    return render_template(
        "admin/dashboard.html", credential=credential, may_audit=credential.may("audit"),
        csrf=auth.csrf_token(), regions=regions, categories=categories,
        today=today().isoformat(),
        default_days=DEFAULT_DAYS, max_days=MAX_STATS_DAYS)


@bp.post("/sign-in")
def sign_in():
    """Exchange a token for a session.

    :raise 403: the form did not come from this page (CSRF token or Origin).
    Renders the form again with 401 for a wrong token.
    """
    _require_own_form()
    credential = auth.identify(request.form.get("token", ""))
    if credential is None:
        # The network, not the address: no full IP address in any log.
        log.warning("admin sign-in refused from %s", ip_prefix(request.remote_addr) or "unknown")
        return _sign_in_page("That token is not valid. Check for missing characters.", 401)
    auth.start_session(credential)
    log.info("admin sign-in: token %s (%s)", credential.token_id, credential.scope)
    return redirect(url_for("admin.dashboard"), 303)


@bp.post("/sign-out")
def sign_out():
    """:raise 403: the form did not come from this page (CSRF token or Origin)."""
    _require_own_form()
    auth.end_session()
    return redirect(url_for("admin.dashboard"), 303)


def _sign_in_page(error: str | None = None, status: int = 200):
    # A session that names a token but no longer stands for it: expired or revoked.
    expired = error is None and session.get(auth.SESSION_KEY) is not None
    return render_template("admin/sign_in.html", csrf=auth.csrf_token(), error=error,
                           expired=expired,
                           demo=get_settings().demo), status


def _require_own_form() -> None:
    """Both checks: a CSRF token from our page, and (when sent) our own Origin."""
    origin = request.headers.get("Origin")
    if origin and origin.rstrip("/") != request.host_url.rstrip("/"):
        raise ApiError(403, "This form must be sent from the dashboard itself.")
    if not auth.csrf_valid(request.form.get("csrf_token")):
        raise ApiError(403, "The form has expired; reload the page and try again.")


@bp.after_request
def _harden(response):
    response.headers["Content-Security-Policy"] = CSP
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    # Not no-referrer: with it, browsers send "Origin: null" on our own form posts.
    response.headers["Referrer-Policy"] = "same-origin"
    return response


def init_app(app: Flask, settings) -> None:
    app.session_interface = AdminSessionInterface()
    app.config.update(
        SESSION_COOKIE_NAME="cm_admin",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        SESSION_REFRESH_EACH_REQUEST=False,
        PERMANENT_SESSION_LIFETIME=timedelta(minutes=settings.admin_session_minutes),
    )
