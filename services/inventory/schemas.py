"""The shapes of the inventory service's commands and queries, as callers send
them. The gateway loads HTTP bodies and query strings with these same schemas."""

from marshmallow import (
    RAISE,
    Schema,
    ValidationError,
    fields,
    validate,
    validates_schema,
)

from eventing import district
from eventing.contracts import ID, NOT_BLANK
from services.inventory.models import DONOR_KINDS

NAME = [validate.Length(min=1, max=200), NOT_BLANK]
TEXT = [validate.Length(min=1, max=500), NOT_BLANK]
MAX_UNITS = 100_000


class Command(Schema):
    class Meta:
        unknown = RAISE


class OpenBankSchema(Command):
    name = fields.String(required=True, validate=NAME)
    community = fields.String(required=True, validate=validate.Length(min=1, max=100))


class RegisterDonorSchema(Command):
    name = fields.String(required=True, validate=NAME)
    kind = fields.String(required=True, validate=validate.OneOf(DONOR_KINDS))


class AddItemSchema(Command):
    name = fields.String(required=True, validate=NAME)
    unit = fields.String(required=True, validate=validate.Length(min=1, max=20))
    category = fields.String(load_default=None, validate=validate.Length(max=100))
    points_price = fields.Integer(
        strict=True, required=True, validate=validate.Range(min=0, max=1_000_000)
    )
    free_only = fields.Boolean(load_default=False)
    low_stock_threshold = fields.Integer(
        strict=True, load_default=0, validate=validate.Range(min=0, max=MAX_UNITS)
    )

    @validates_schema
    def redeemable_items_cost_points(self, data, **kwargs):
        if not data.get("free_only") and data.get("points_price") == 0:
            raise ValidationError(
                "an item that may be redeemed costs at least 1 point", "points_price"
            )


class LineSchema(Command):
    item_id = fields.String(required=True, validate=ID)
    quantity = fields.Integer(
        strict=True, required=True, validate=validate.Range(min=1, max=MAX_UNITS)
    )


def _lines():
    return fields.List(
        fields.Nested(LineSchema),
        required=True,
        validate=validate.Length(min=1, max=50),
    )


class RecordDonationSchema(Command):
    donor_id = fields.String(required=True, validate=ID)
    lines = _lines()
    estimated_value = fields.Decimal(
        places=2,
        as_string=True,
        load_default=None,
        allow_nan=False,
        validate=validate.Range(min=0, max=100_000_000),
    )
    # a receipt for goods not yet given: the district's today, not UTC's
    donated_on = fields.Date(load_default=None, validate=district.not_after_today)


class RequestRedemptionSchema(Command):
    bank_id = fields.String(required=True, validate=ID)
    volunteer_id = fields.String(required=True, validate=ID)
    lines = _lines()


class FamilySchema(Command):
    name = fields.String(
        required=True, validate=[validate.Length(min=1, max=100), NOT_BLANK]
    )
    community = fields.String(
        required=True, validate=[validate.Length(min=1, max=100), NOT_BLANK]
    )


class DistributeSchema(Command):
    bank_id = fields.String(required=True, validate=ID)
    family = fields.Nested(FamilySchema, required=True)
    reason = fields.String(required=True, validate=TEXT)
    lines = _lines()
    approved_by = fields.String(load_default=None, validate=validate.Length(max=100))


class CountSchema(Command):
    item_id = fields.String(required=True, validate=ID)
    quantity = fields.Integer(
        strict=True, required=True, validate=validate.Range(min=0, max=MAX_UNITS)
    )


class StocktakeSchema(Command):
    reason = fields.String(required=True, validate=TEXT)
    counts = fields.List(
        fields.Nested(CountSchema),
        required=True,
        validate=validate.Length(min=1, max=500),
    )

    @validates_schema
    def each_item_counted_once(self, data, **kwargs):
        ids = [count["item_id"] for count in data.get("counts", [])]
        if len(ids) != len(set(ids)):
            raise ValidationError("each item is counted once", "counts")


class PeriodQuerySchema(Command):
    start = fields.Date(data_key="from", required=True)
    end = fields.Date(data_key="to", required=True)
    bank_id = fields.String(load_default=None, validate=ID)

    @validates_schema
    def period_in_order(self, data, **kwargs):
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise ValidationError("the period ends before it starts", "to")


class DonorPeriodQuerySchema(PeriodQuerySchema):
    donor_id = fields.String(load_default=None, validate=ID)


class BankQuerySchema(Command):
    bank_id = fields.String(load_default=None, validate=ID)


class ReportQuerySchema(Command):
    """Every parameter any report takes, for the gateway's route and its
    document; the report's own schema below then says which it needs."""

    start = fields.Date(data_key="from", load_default=None)
    end = fields.Date(data_key="to", load_default=None)
    bank_id = fields.String(load_default=None, validate=ID)
    donor_id = fields.String(load_default=None, validate=ID)


# the query each report takes, by the report's name in its path
REPORT_QUERIES = {
    "donations": DonorPeriodQuerySchema,
    "stock": BankQuerySchema,
    "redemptions": PeriodQuerySchema,
    "distributions": PeriodQuerySchema,
    "destinations": DonorPeriodQuerySchema,
}
