"""The widget API's request and response shapes (marshmallow).

Validation of shapes lives here; views only load, call and dump. Unknown
fields are errors (marshmallow's RAISE), so a typo in a category name is a
422, not a silently dropped choice. Whether an answer fits the visitor's
region (methods, what they grant, GPC) is policy: ``consent.policy.answers``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from marshmallow import (
    Schema,
    fields,
    post_load,
    validate,
)

from ..ledger.keys import TAGGED
from ..policy.data import MAX_REVISION
from ..policy.methods import METHODS

HEX32 = validate.Regexp(r"^[0-9a-f]{32}\Z", error="Not a consent id (32 lower-case hex digits).")
HEX64 = validate.Regexp(r"^[0-9a-f]{64}\Z", error="Not a sha256 hex digest.")
# What the IETF's Idempotency-Key draft allows in practice: printable ASCII, no spaces.
IDEMPOTENCY_KEY = validate.Regexp(r"^[\x21-\x7e]{1,255}\Z",
                                  error="Not an idempotency key (1 to 255 printable characters).")
LANG_TAG = validate.Regexp(r"^[A-Za-z]{1,8}(?:[-_][A-Za-z0-9]{1,8}){0,4}\Z",
                           error="Not a language tag like de-DE.")


class Text(fields.String):
    """Text a browser could have sent: no control characters, no lone surrogates.

    A lone surrogate ("\\ud800" in JSON) is valid JSON but not Unicode: it
    cannot be stored or encoded, so it is refused here instead of failing later.
    """

    default_error_messages = {"text": "Not text: it holds control characters or broken Unicode."}
    _unprintable = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if self._unprintable.search(text):
            raise self.make_error("text")
        return text


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


class ConsentSchema(Schema):
    """A receipt as posted; ``consent_schema`` gives it the catalogue's categories."""

    consent_id = fields.String(validate=HEX32)
    revision = fields.Integer(required=True, strict=True,
                              validate=validate.Range(min=1, max=MAX_REVISION))
    choices = fields.Dict(required=True)    # replaced by one boolean per category
    method = fields.String(required=True, validate=validate.OneOf(METHODS))
    gpc = StrictBoolean(load_default=False)
    lang = fields.String(validate=[validate.Length(max=35), LANG_TAG])
    page = Text(validate=validate.Length(max=2048))
    config_hash = fields.String(validate=HEX64)
    # The widget's own id for this receipt (it must not preflight, so not a header).
    idempotency_key = fields.String(validate=IDEMPOTENCY_KEY)


def consent_schema(categories: Sequence[str]) -> ConsentSchema:
    """The receipt schema for these categories (data/categories.json's optional ones).

    Every category is required and any other refused, so a widget built for
    other categories is a 422 naming the category, never a receipt that
    silently means something else.
    """
    choices = Schema.from_dict({c: StrictBoolean(required=True) for c in categories},
                               name="Choices")
    schema = type("CatalogueConsentSchema", (ConsentSchema,), {"choices": fields.Nested(choices, required=True)})
    return schema()


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
        r"^[0-9a-f]{32}\Z", error="Not a receipt id (32 lower-case hex digits)."))


class SignatureCheckSchema(Schema):
    """The body of POST /api/v1/receipts/<receipt_id>/verify-signature."""
    signature = fields.String(required=True, validate=validate.Regexp(
        TAGGED, error="Not a receipt signature (a key id, a dot and 64 lower-case hex digits)."))


class ChainQuerySchema(Schema):
    """GET /api/v1/receipts/verify?anchor=SEQ:HASH."""
    anchor = fields.String(validate=validate.Regexp(
        r"^[1-9][0-9]{0,17}:[0-9a-f]{64}\Z", error="Not an anchor like 1234:<64 hex digits>."))

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
