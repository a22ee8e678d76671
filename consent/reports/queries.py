"""Query-string shapes of the stats and export endpoints (marshmallow).

Unknown parameters are errors: a misspelt filter (``regoin=eea``) must not
quietly return unfiltered figures that end up in a marketing deck.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from marshmallow import (
    RAISE,
    Schema,
    ValidationError,
    fields,
    post_load,
    validate,
    validates_schema,
)

from ..policy.data import MAX_REVISION
from ..storage.columns import EXPORT_FILTERS
from ..storage.rollups import STATS_GROUPS

MAX_STATS_DAYS = 366        # a year, leap day included; longer trends go through CSV exports
DEFAULT_DAYS = 30
STATS_FORMATS = ("json", "csv")
RECEIPT_FORMATS = ("jsonl", "csv")
REGION_CODE = validate.Regexp(r"^[a-z0-9][a-z0-9-]{0,31}\Z", error="Not a region code like eea.")
SITE = validate.Regexp(r"^[A-Za-z0-9._:-]{1,253}\Z", error="Not a site host name like shop.example.")


# The days a query may name: wide, but inside what dates (and the day after) can represent.
FIRST_DAY, LAST_DAY = date(1970, 1, 1), date(9998, 12, 31)
DAY = validate.Range(min=FIRST_DAY, max=LAST_DAY,
                     error=f"A day from {FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()}.")


def today() -> date:
    """Days are UTC days, as in the roll-ups."""
    return datetime.now(timezone.utc).date()


class DateRangeSchema(Schema):
    """``from``/``to``: ISO dates, both days included; by default the last 30 days."""

    class Meta:
        unknown = RAISE

    start = fields.Date(data_key="from", validate=DAY)
    end = fields.Date(data_key="to", validate=DAY)
    max_days: int | None = None

    @validates_schema
    def _range(self, data, **kwargs):
        start, end = self._bounds(data)
        if start > end:
            raise ValidationError("from is after to.", "from")
        if self.max_days and (end - start).days + 1 > self.max_days:
            raise ValidationError(f"A range covers at most {self.max_days} days.", "to")

    @post_load
    def _defaults(self, data, **kwargs):
        data["start"], data["end"] = self._bounds(data)
        return data

    @staticmethod
    def _bounds(data) -> tuple[date, date]:
        end = data.get("end") or today()
        start = data.get("start") or end - timedelta(days=DEFAULT_DAYS - 1)
        return start, end


class StatsQuerySchema(DateRangeSchema):
    max_days = MAX_STATS_DAYS
    group = fields.String(load_default="day", validate=validate.OneOf(tuple(STATS_GROUPS)))
    format = fields.String(load_default="json", validate=validate.OneOf(STATS_FORMATS))
    region = fields.String(validate=REGION_CODE)
    site = fields.String(validate=SITE)
    revision = fields.Integer(validate=validate.Range(min=1, max=MAX_REVISION))

    @post_load
    def _filters(self, data, **kwargs):
        data["filters"] = {k: data.pop(k) for k in ("region", "site", "revision") if k in data}
        return data


class OverviewQuerySchema(DateRangeSchema):
    """The dashboard's one request: the stats filters, no group or format (JSON, several groups)."""

    max_days = MAX_STATS_DAYS
    region = fields.String(validate=REGION_CODE)
    site = fields.String(validate=SITE)
    revision = fields.Integer(validate=validate.Range(min=1, max=MAX_REVISION))

    @post_load
    def _filters(self, data, **kwargs):
        data["filters"] = {k: data.pop(k) for k in ("region", "site", "revision") if k in data}
        return data


class ReceiptsQuerySchema(DateRangeSchema):
    """No maximum range: the export streams, so a year costs time, not memory."""

    format = fields.String(load_default="jsonl", validate=validate.OneOf(RECEIPT_FORMATS))
    region = fields.String(validate=REGION_CODE)
    site = fields.String(validate=SITE)

    @post_load
    def _filters(self, data, **kwargs):
        data["filters"] = {k: data.pop(k) for k in EXPORT_FILTERS if k in data}
        return data


class AccessLogQuerySchema(Schema):
    class Meta:
        unknown = RAISE

    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))


# ---- response shapes (for the OpenAPI document; the views build these in stats.py) ----

class FiguresSchema(Schema):
    answered = fields.Integer(required=True)
    accept_all = fields.Integer(required=True)
    reject_all = fields.Integer(required=True)
    custom = fields.Integer(required=True)
    gpc = fields.Integer(required=True)
    withdraw = fields.Integer(required=True)
    notice = fields.Integer(required=True)
    gpc_signal = fields.Integer(required=True)
    granted = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    opt_in_rate = fields.Dict(keys=fields.String(), values=fields.Float(allow_none=True),
                              required=True)


class StatsRowSchema(FiguresSchema):
    """One group: its key under the group's own name (day, region, site or revision)."""

    day = fields.String()
    region = fields.String()
    site = fields.String()
    revision = fields.Integer()


class StatsReportSchema(Schema):
    start = fields.String(data_key="from", required=True)
    end = fields.String(data_key="to", required=True)
    group = fields.String(required=True)
    filters = fields.Dict(required=True)
    categories = fields.List(fields.String(), required=True)
    totals = fields.Nested(FiguresSchema, required=True)
    rows = fields.List(fields.Nested(StatsRowSchema), required=True)


class StatsOverviewSchema(Schema):
    start = fields.String(data_key="from", required=True)
    end = fields.String(data_key="to", required=True)
    filters = fields.Dict(required=True)
    categories = fields.List(fields.String(), required=True)
    day = fields.Nested(StatsReportSchema, required=True)
    region = fields.Nested(StatsReportSchema, required=True)
    site = fields.Nested(StatsReportSchema, required=True)


class AccessEntrySchema(Schema):
    id = fields.Integer(required=True)
    at = fields.String(required=True)
    who = fields.String(required=True)
    scope = fields.String(required=True)
    via = fields.String(required=True)
    action = fields.String(required=True)
    params = fields.Dict(required=True)
    rows = fields.Integer(allow_none=True, required=True)
    finished_at = fields.String(allow_none=True, required=True)


class AccessLogSchema(Schema):
    entries = fields.List(fields.Nested(AccessEntrySchema), required=True)
