"""The shapes of the points service's commands and queries, as callers send
them. The gateway loads HTTP bodies and query strings with these same schemas."""

from marshmallow import (
    RAISE,
    Schema,
    ValidationError,
    fields,
    validate,
    validates_schema,
)

from eventing.contracts import ID, NOT_BLANK

REASON = [validate.Length(min=1, max=500), NOT_BLANK]
MAX_POINTS = 1_000_000


class Command(Schema):
    class Meta:
        unknown = RAISE


class SetRateSchema(Command):
    category = fields.String(required=True, validate=validate.Length(min=1, max=100))
    points_per_hour = fields.Integer(
        strict=True, required=True, validate=validate.Range(min=0, max=1000)
    )
    effective_from = fields.Date(required=True)


class AdjustPointsSchema(Command):
    volunteer_id = fields.String(required=True, validate=ID)
    points = fields.Integer(
        strict=True,
        required=True,
        validate=[
            validate.Range(min=-MAX_POINTS, max=MAX_POINTS),
            validate.NoneOf([0], error="must not be zero"),
        ],
    )
    reason = fields.String(required=True, validate=REASON)


class ReverseTransferSchema(Command):
    reason = fields.String(required=True, validate=REASON)


class StatementQuerySchema(Command):
    cursor = fields.String(load_default=None, validate=validate.Length(max=400))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class LeaderboardQuerySchema(Command):
    by = fields.String(
        load_default="volunteer",
        validate=validate.OneOf(["volunteer", "team", "community"]),
    )
    start = fields.Date(data_key="from", load_default=None)
    end = fields.Date(data_key="to", load_default=None)
    community = fields.String(load_default=None, validate=validate.Length(max=100))
    team_id = fields.String(load_default=None, validate=ID)
    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))

    @validates_schema
    def period_in_order(self, data, **kwargs):
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            raise ValidationError("the period ends before it starts", "to")
