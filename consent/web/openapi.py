"""The OpenAPI document, generated from the marshmallow schemas (apispec).

Operations are listed as data below; a test fails when a route of the app is
missing here, so the document cannot drift from the code.
"""

from __future__ import annotations

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Blueprint, current_app, jsonify

from ..reports import queries
from . import record_schemas, schemas
from .context import get_consent_schema

bp = Blueprint("openapi", __name__)
VERSION = "1.0.0"


def _errors(*statuses: int) -> dict:
    return {str(s): {"description": "error", "content": {"application/json": {
        "schema": "Error"}}} for s in statuses}


def _ok(status: int, schema: str, description: str, headers: dict | None = None) -> dict:
    answer = {"description": description,
              "content": {"application/json": {"schema": schema}}}
    if headers:
        answer["headers"] = headers
    return {str(status): answer}


OPERATIONS = {
    "/api/v1/config": {"get": {
        "summary": "The banner configuration for this visitor (region, model, texts).",
        "parameters": [{"in": "query", "schema": schemas.ConfigQuerySchema}],
        "responses": {**_ok(200, "BannerConfig", "the configuration",
                            {"ETag": {"schema": {"type": "string"}}}),
                      "304": {"description": "unchanged since If-None-Match"},
                      **_errors(422, 429)},
    }},
    "/widget.js": {"get": {
        "summary": "The one-request tag: the widget's first layer with this visitor's banner "
                   "configuration in it (a script, not JSON).",
        "parameters": [{"in": "query", "schema": schemas.ConfigQuerySchema}],
        "responses": {"200": {"description": "the script", "headers": {
                          "ETag": {"schema": {"type": "string"}}},
                          "content": {"text/javascript": {"schema": {"type": "string"}}}},
                      "304": {"description": "unchanged since If-None-Match"},
                      **_errors(422, 429)},
    }},
    "/api/v1/consents": {"post": {
        "summary": "Record a visitor's choice as a consent receipt.",
        "parameters": [{"in": "header", "name": "Idempotency-Key", "required": False,
                        "description": "The client's key for this receipt: a repeat within "
                                       "CONSENT_IDEMPOTENCY_DAYS answers the first receipt "
                                       "(or idempotency_key in the body).",
                        "schema": {"type": "string", "minLength": 1, "maxLength": 257}}],
        "requestBody": {"required": True, "content": {
            "application/json": {"schema": "Consent"},
            "text/plain": {"schema": "Consent"}}},
        "responses": {**_ok(201, "ReceiptCreated", "recorded and committed, or the first "
                                                   "receipt again for a repeated key",
                            {"Idempotent-Replayed": {"schema": {"type": "string"}}}),
                      **_errors(400, 403, 410, 413, 415, 422, 429, 503)},
    }},
    "/api/v1/consents/{consent_id}": {
        "get": {
            "summary": "The visitor's consent record (access, portability), as a download.",
            "parameters": [{"in": "path", "schema": schemas.ConsentIdSchema}],
            "responses": {**_ok(200, "ConsentRecord", "the record, or that it was erased"),
                          **_errors(404, 422, 429, 503)},
        },
        "delete": {
            "summary": "Erase the visitor's personal data; the chain still verifies.",
            "parameters": [{"in": "path", "schema": schemas.ConsentIdSchema}],
            "responses": {**_ok(200, "ErasureResult", "erased (idempotent)"),
                          **_errors(403, 404, 422, 429, 503)},
        },
    },
    "/api/v1/receipts/verify": {"get": {
        "summary": "Walk the whole receipt chain (scope audit).",
        "security": [{"bearer": []}],
        "parameters": [{"in": "query", "schema": schemas.ChainQuerySchema}],
        "responses": {**_ok(200, "ChainReport", "OK with counts, or the first broken row"),
                      **_errors(401, 403, 422, 429, 503)},
    }},
    "/api/v1/receipts/{receipt_id}/verify-signature": {"post": {
        "summary": "Check a receipt's signature; public, says only valid or not.",
        "parameters": [{"in": "path", "schema": schemas.ReceiptIdSchema}],
        "requestBody": {"required": True, "content": {
            "application/json": {"schema": "SignatureCheck"},
            "text/plain": {"schema": "SignatureCheck"}}},
        "responses": {**_ok(200, "SignatureResult", "the verdict"),
                      **_errors(400, 401, 404, 413, 415, 422, 429, 503)},
    }},
    "/api/v1/stats": {"get": {
        "summary": "Answers, answer mix and opt-in rates per day, region, site or revision "
                   "(scope stats), from the daily roll-ups.",
        "security": [{"bearer": []}],
        "parameters": [{"in": "query", "schema": queries.StatsQuerySchema}],
        "responses": {"200": {"description": "the report (JSON), or one CSV line per group",
                              "content": {"application/json": {"schema": "StatsReport"},
                                          "text/csv": {"schema": {"type": "string"}}}},
                      **_errors(401, 403, 422, 429, 503)},
    }},
    "/api/v1/stats/overview": {"get": {
        "summary": "By day and by region for the filters, and every site, as one request and "
                   "one access-log entry: what the dashboard draws (scope stats).",
        "security": [{"bearer": []}],
        "parameters": [{"in": "query", "schema": queries.OverviewQuerySchema}],
        "responses": {**_ok(200, "StatsOverview", "three reports"),
                      **_errors(401, 403, 422, 429, 503)},
    }},
    "/api/v1/receipts": {"get": {
        "summary": "Every receipt of a date range, streamed as JSON Lines or CSV (scope audit).",
        "security": [{"bearer": []}],
        "parameters": [{"in": "query", "schema": queries.ReceiptsQuerySchema}],
        "responses": {"200": {"description": "one receipt per line; erased ones as erased",
                              "content": {"application/x-ndjson": {"schema": {"type": "string"}},
                                          "text/csv": {"schema": {"type": "string"}}}},
                      **_errors(401, 403, 422, 429, 503)},
    }},
    "/api/v1/access-log": {"get": {
        "summary": "The latest stats requests and exports: who, what, when, rows (scope audit).",
        "security": [{"bearer": []}],
        "parameters": [{"in": "query", "schema": queries.AccessLogQuerySchema}],
        "responses": {**_ok(200, "AccessLog", "latest first"),
                      **_errors(401, 403, 422, 429, 503)},
    }},
    "/healthz": {"get": {
        "summary": "Readiness: database and GeoIP status.",
        "responses": {**_ok(200, "Health", "ready"), **_ok(503, "Health", "not ready")},
    }},
    "/livez": {"get": {
        "summary": "Liveness: the process answers.",
        "responses": _ok(200, "Liveness", "alive"),
    }},
}
COMPONENTS = {
    "BannerConfig": schemas.ConfigSchema,
    "ReceiptCreated": schemas.ReceiptCreatedSchema, "Error": schemas.ErrorSchema,
    "Health": schemas.HealthSchema, "Liveness": schemas.LivenessSchema,
    "ConsentRecord": record_schemas.ConsentRecordSchema,
    "ErasureResult": record_schemas.ErasureResultSchema,
    "ChainReport": record_schemas.ChainReportSchema,
    "SignatureCheck": schemas.SignatureCheckSchema,
    "SignatureResult": record_schemas.SignatureResultSchema,
    "StatsReport": queries.StatsReportSchema,
    "StatsOverview": queries.StatsOverviewSchema,
    "AccessLog": queries.AccessLogSchema,
}


def build_spec(consent_schema) -> dict:
    """The document; ``consent_schema`` is this service's receipt schema (its categories)."""
    spec = APISpec(title="Consent service", version=VERSION, openapi_version="3.0.3",
                   plugins=[MarshmallowPlugin()],
                   info={"description": "Region-aware cookie banners and consent receipts."})
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    for name, schema in {**COMPONENTS, "Consent": consent_schema}.items():
        spec.components.schema(name, schema=schema)
    for path, operations in OPERATIONS.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()


@bp.get("/api/openapi.json")
def openapi_document():
    document = current_app.extensions.get("consent.openapi")
    if document is None:
        document = current_app.extensions["consent.openapi"] = build_spec(get_consent_schema())
    return jsonify(document)
