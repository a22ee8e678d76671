"""Response shapes of the visitor-rights and proof endpoints, for the OpenAPI document.

The ledger builds these documents in consent/ledger/record.py, erasure.py and
chain.py; these schemas describe them (and schemathesis checks every
answer against them).
"""

from __future__ import annotations

from marshmallow import Schema, fields


class RecordedReceiptSchema(Schema):
    receipt_id = fields.String(required=True)
    recorded_at = fields.String(required=True)
    consent_id = fields.String(required=True)
    site = fields.String(allow_none=True)
    page = fields.String(allow_none=True)
    region = fields.String(required=True)
    country = fields.String(allow_none=True)
    subdivision = fields.String(allow_none=True)
    model = fields.String(required=True)
    revision = fields.Integer(required=True)
    config_hash = fields.String(required=True)
    lang = fields.String(allow_none=True)
    method = fields.String(required=True)
    choices = fields.Dict(keys=fields.String(), values=fields.Boolean(), required=True)
    gpc = fields.Boolean(required=True)
    ip_prefix = fields.String(allow_none=True)
    user_agent = fields.String(allow_none=True)
    payload_hash = fields.String(required=True)
    prev_hash = fields.String(required=True)
    hash = fields.String(required=True)
    signature = fields.String(required=True)


class ErasureLogSchema(Schema):
    reason = fields.String(required=True)
    erased_at = fields.String(required=True)
    receipts = fields.Integer(required=True)


class ConsentRecordSchema(Schema):
    """GET /api/v1/consents/<consent_id>: format consent-record/1."""

    format = fields.String(required=True)
    consent_id = fields.String(required=True)
    exported_at = fields.String(required=True)
    erased = fields.Boolean(required=True)
    receipts = fields.List(fields.Nested(RecordedReceiptSchema), required=True)
    configurations = fields.Dict(keys=fields.String(), values=fields.Dict(), required=True)
    erasures = fields.List(fields.Nested(ErasureLogSchema), required=True)


class ErasureResultSchema(Schema):
    consent_id = fields.String(required=True)
    erased = fields.Boolean(required=True)
    erased_at = fields.String(required=True)
    receipts = fields.Integer(required=True)


class ChainRowSchema(Schema):
    seq = fields.Integer(required=True)
    receipt_id = fields.String(required=True)
    recorded_at = fields.String(required=True)
    hash = fields.String(required=True)


class ChainBreakSchema(Schema):
    seq = fields.Integer(allow_none=True)
    receipt_id = fields.String(allow_none=True)
    reason = fields.String(required=True)
    message = fields.String(required=True)


class ChainReportSchema(Schema):
    ok = fields.Boolean(required=True)
    receipts = fields.Integer(required=True)
    erased = fields.Integer(required=True)
    first = fields.Nested(ChainRowSchema, allow_none=True, required=True)
    last = fields.Nested(ChainRowSchema, allow_none=True, required=True)
    broken = fields.Nested(ChainBreakSchema, allow_none=True, required=True)
    erasure_seals_checked = fields.Boolean(required=True)
    anchor = fields.Dict(allow_none=True)       # seq, hash, source (given, or the anchor file)


class SignatureResultSchema(Schema):
    receipt_id = fields.String(required=True)
    valid = fields.Boolean(required=True)
    reason = fields.String(allow_none=True)
