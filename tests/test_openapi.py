"""The OpenAPI document matches the app, and schemathesis finds no 5xx or off-schema answer."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from consent import create_app
from consent.web.openapi import OPERATIONS

EXAMPLES_PER_OPERATION = 300   # per operation and mode; the suite runs well over 1000 cases
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
# HTML pages (the demo shop, the admin dashboard and its two forms) are not API.
UNDOCUMENTED = {"/static/<path:filename>", "/", "/api/openapi.json",
                "/admin", "/admin/sign-in", "/admin/sign-out"}
cases_run: list[str] = []


@pytest.fixture(scope="module")
def fuzzed_app(tmp_path_factory, geoip_db):
    tmp = tmp_path_factory.mktemp("fuzz")
    return create_app({
        "CONSENT_MODE": "production", "CONSENT_SECRET_KEY": "f" * 40,
        "CONSENT_TOKENS": "stats:" + "s" * 20 + ",audit:" + "a" * 20,
        "CONSENT_DATABASE": str(tmp / "fuzz.db"), "CONSENT_GEOIP_DB": str(geoip_db),
        "CONSENT_RATELIMIT_CONFIG": "off", "CONSENT_RATELIMIT_CONSENTS": "off",
    }, environ={})


@pytest.fixture(scope="module")
def api_schema(fuzzed_app):
    yield schemathesis.openapi.from_wsgi("/api/openapi.json", fuzzed_app)
    assert len(cases_run) >= 1000, f"only {len(cases_run)} generated cases ran"


# schemathesis' own pytest plugin trips over pytest 9 (request.node._nodeid), so each
# operation's hypothesis strategy is driven directly.
def fuzzable():
    """Every operation with valid input; those that take input also with invalid input."""
    for path, operations in OPERATIONS.items():
        for method, operation in operations.items():
            yield path, method, GenerationMode.POSITIVE
            if operation.get("parameters") or operation.get("requestBody"):
                yield path, method, GenerationMode.NEGATIVE


@pytest.mark.parametrize("path, method, mode", list(fuzzable()))
def test_no_server_errors_and_every_answer_matches_the_schema(api_schema, path, method, mode):
    """Valid inputs and deliberately invalid ones (wrong types, missing fields, junk)."""
    operation = api_schema[path][method.upper()]

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    def call(case):
        cases_run.append(operation.label)
        # the WSGI transport does not decompress; compression has its own tests
        case.call_and_validate(checks=CHECKS, headers={"Accept-Encoding": "identity"})

    call()


def test_every_route_is_documented(app):
    document = app.test_client().get("/api/openapi.json").get_json()
    documented = {path: set(ops) for path, ops in document["paths"].items()}
    for rule in app.url_map.iter_rules():
        if rule.rule in UNDOCUMENTED:
            continue
        path = rule.rule.replace("<", "{").replace(">", "}")
        path = path.replace("{path:", "{").replace("{int:", "{")
        methods = {m.lower() for m in rule.methods} - {"head", "options"}
        assert path in documented, f"{rule.rule} is not in the OpenAPI document"
        assert methods <= documented[path], f"{rule.rule}: {methods - documented[path]}"


def test_document_is_served_as_openapi_3(client):
    document = client.get("/api/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    assert {"BannerConfig", "Consent", "Error"} <= set(document["components"]["schemas"])


def test_the_documented_receipt_has_exactly_the_stored_fields_and_its_signature():
    from consent.storage.columns import RECEIPT_FIELDS
    from consent.web.record_schemas import RecordedReceiptSchema

    assert set(RecordedReceiptSchema().fields) == {*RECEIPT_FIELDS, "signature"}
