"""The widget API's request and response shapes (marshmallow).

Validation lives here; views only load, call and dump. Unknown fields are
errors (marshmallow's RAISE), so a typo in a category name is a 422, not a
silently dropped choice.
"""

from __future__ import annotations

from marshmallow import (
    Schema,
    ValidationError,
    fields,
    post_load,
    validate,
    validates_schema,
)

from ..policy.methods import METHODS

HEX32 = validate.Regexp(r"^[0-9a-f]{32}$", error="Not a consent id (32 lower-case hex digits).")
HEX64 = validate.Regexp(r"^[0-9a-f]{64}$", error="Not a sha256 hex digest.")
LANG_TAG = validate.Regexp(r"^[A-Za-z]{1,8}(?:[-_][A-Za-z0-9]{1,8}){0,4}$",
                           error="Not a language tag like de-DE.")


class StrictBoolean(fields.Boolean):
    """JSON true/false only: "yes", 1 or "true" are a client bug, not consent."""

    default_error_messages = {"invalid": "Not a valid boolean."}

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


class ConfigQuerySchema(Schema):
    class Meta:
        unknown = "exclude"     # cache-busters and tracking parameters are not our business

    lang = fields.String(validate=[validate.Length(max=35), LANG_TAG])
    region = fields.String(validate=validate.Length(max=10))


class ChoicesSchema(Schema):
    analytics = StrictBoolean(required=True)
    personalization = StrictBoolean(required=True)
    marketing = StrictBoolean(required=True)


class ConsentSchema(Schema):
    consent_id = fields.String(validate=HEX32)
    revision = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    choices = fields.Nested(ChoicesSchema, required=True)
    method = fields.String(required=True, validate=validate.OneOf(METHODS))
    gpc = StrictBoolean(load_default=False)
    lang = fields.String(validate=[validate.Length(max=35), LANG_TAG])
    page = fields.String(validate=validate.Length(max=2048))
    config_hash = fields.String(validate=HEX64)

    @validates_schema
    def _method_matches_choices(self, data, **kwargs):
        choices = data.get("choices") or {}
        method = data.get("method")
        if method == "accept_all" and not all(choices.values()):
            raise ValidationError("accept_all grants every category.", "choices")
        if method in ("reject_all", "withdraw") and any(choices.values()):
            raise ValidationError(f"{method} grants no category.", "choices")
        if method == "gpc" and not data.get("gpc"):
            raise ValidationError("method gpc needs gpc: true.", "gpc")


class ReceiptCreatedSchema(Schema):
    consent_id = fields.String(required=True)
    receipt_id = fields.String(required=True)
    recorded_at = fields.String(required=True)
    signature = fields.String(required=True)


class ConsentIdSchema(Schema):
    """The visitor's capability in a path: /api/v1/consents/<consent_id>."""
    consent_id = fields.String(required=True, validate=HEX32)


class ReceiptIdSchema(Schema):
    receipt_id = fields.String(required=True, validate=validate.Regexp(
        r"^[0-9a-f]{32}$", error="Not a receipt id (32 lower-case hex digits)."))


class SignatureCheckSchema(Schema):
    """The body of POST /api/v1/receipts/<receipt_id>/verify-signature."""
    signature = fields.String(required=True, validate=validate.Regexp(
        r"^[0-9a-f]{64}$", error="Not a receipt signature (64 lower-case hex digits)."))


class ChainQuerySchema(Schema):
    """GET /api/v1/receipts/verify?anchor=SEQ:HASH."""
    anchor = fields.String(validate=validate.Regexp(
        r"^[1-9][0-9]{0,17}:[0-9a-f]{64}$", error="Not an anchor like 1234:<64 hex digits>."))

    @post_load
    def _split_anchor(self, data, **kwargs):
        if "anchor" in data:
            seq, _, digest = data["anchor"].partition(":")
            data["anchor"] = (int(seq), digest)
        return data


class CategoryConfigSchema(Schema):
    id = fields.String(required=True)
    required = fields.Boolean(required=True)
    default = fields.Boolean(required=True)
    consent_mode = fields.List(fields.String(), required=True)
    cookies = fields.List(fields.String(), required=True)
    services = fields.List(fields.String(), required=True)
    title = fields.String(required=True)
    description = fields.String(required=True)


class GpcConfigSchema(Schema):
    signal = fields.Boolean(required=True)
    honored = fields.Boolean(required=True)
    categories = fields.List(fields.String(), required=True)


class ConfigSchema(Schema):
    region = fields.String(required=True)
    model = fields.String(required=True, validate=validate.OneOf(("opt-in", "opt-out", "notice")))
    revision = fields.Integer(required=True)
    config_hash = fields.String(required=True)
    lang = fields.String(required=True)
    lifetime_days = fields.Integer(required=True)
    categories = fields.List(fields.Nested(CategoryConfigSchema), required=True)
    texts = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    gpc = fields.Nested(GpcConfigSchema, required=True)


class ErrorBodySchema(Schema):
    status = fields.Integer(required=True)
    message = fields.String(required=True)
    fields_ = fields.Dict(keys=fields.String(), values=fields.List(fields.String()),
                          data_key="fields")


class ErrorSchema(Schema):
    """The one error shape (consent/web/errors.py)."""

    error = fields.Nested(ErrorBodySchema, required=True)


class LivenessSchema(Schema):
    status = fields.String(required=True)


class HealthSchema(Schema):
    status = fields.String(required=True, validate=validate.OneOf(("ok", "unavailable")))
    database = fields.String(required=True)
    geoip = fields.String(required=True)
    revision = fields.Integer(required=True)
    mode = fields.String(required=True)
