"""The one error shape, produced here and nowhere else.

Every error the service answers, from a bad JSON body to an unexpected
exception, leaves as ``{"error": {"status", "message", "fields"?}}``: never
HTML, never a stack trace.
"""

from __future__ import annotations

import logging

from flask import Flask, jsonify
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException

from ..config.messages import flatten
from ..storage.errors import KeyErased, StoreUnavailable

log = logging.getLogger(__name__)

MESSAGES = {
    400: "The request body is not valid JSON.",
    401: "A bearer token is required.",
    403: "This token may not do that.",
    404: "Nothing is here.",
    405: "This method is not allowed here.",
    410: "That is gone.",
    413: "The request body is too large.",
    414: "The request target is too long.",
    415: "Send the body as application/json.",
    422: "The request did not validate.",
    429: "Too many requests; slow down.",
    431: "The request's header fields are too large.",
    500: "Something went wrong on our side. Nothing you sent was stored half-way.",
    503: "The service cannot take this right now; try again shortly.",
}


class ApiError(Exception):
    """An error the API reports to the client as-is."""

    def __init__(self, status: int, message: str | None = None, fields: dict | None = None,
                 headers: dict | None = None):
        super().__init__(message or MESSAGES.get(status, "Error."))
        self.status = status
        self.message = message or MESSAGES.get(status, "Error.")
        self.fields = fields
        self.headers = headers or {}


def error_response(status: int, message: str | None = None, fields: dict | None = None,
                   headers: dict | None = None):
    body = {"status": status, "message": message or MESSAGES.get(status, "Error.")}
    if fields:
        body["fields"] = fields
    response = jsonify(error=body)
    response.status_code = status
    response.headers.update(headers or {})
    return response


def init_app(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def api_error(error: ApiError):
        return error_response(error.status, error.message, error.fields, error.headers)

    @app.errorhandler(ValidationError)
    def validation_error(error: ValidationError):
        return error_response(422, fields=flatten(error.messages))

    @app.errorhandler(KeyErased)
    def key_erased(error: KeyErased):
        # A late copy of a choice whose record was erased since: nothing is recorded again.
        return error_response(410, "The receipt this idempotency key recorded has been "
                                   "erased; nothing was recorded.")

    @app.errorhandler(StoreUnavailable)
    def unavailable(error: StoreUnavailable):
        log.error("store unavailable: %s", error)
        return error_response(503, headers={"Retry-After": "5"})

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        status = error.code or 500
        headers = {}
        if status == 405 and error.valid_methods:
            headers["Allow"] = ", ".join(error.valid_methods)
        # werkzeug's own descriptions talk HTML-speak; ours are the documented ones.
        return error_response(status, MESSAGES.get(status, error.name), headers=headers)

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        log.exception("unhandled error")
        return error_response(500)
