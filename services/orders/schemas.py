"""The shapes of the orders service's commands and queries, as callers send them.

The gateway validates HTTP bodies and query strings with these same schemas,
so a bad field is named in a 400 before any service is called; the service
loads them again at its own RPC boundary.
"""

import base64
import binascii
import json
from datetime import UTC, datetime

from marshmallow import (
    RAISE,
    Schema,
    ValidationError,
    fields,
    validate,
    validates_schema,
)

from eventing import district
from eventing.contracts import (
    ID,
    MINUTES,
    NOT_BLANK,
    PRIORITIES,
    REJECT_REASON_CODES,
    STARS,
)
from services.orders.lifecycle import STATES

TEXT = [validate.Length(min=1, max=200), NOT_BLANK]
REASON = [validate.Length(min=1, max=1000), NOT_BLANK]


class Command(Schema):
    class Meta:
        unknown = RAISE


def _moment(**kwargs):
    # a time without a UTC offset is the district's local time
    return fields.AwareDateTime(
        default_timezone=district.zone(),
        metadata={
            "description": "ISO 8601; without a UTC offset, the district's local time"
        },
        **kwargs,
    )


class PlaceOrderSchema(Command):
    category = fields.String(required=True, validate=validate.Length(min=1, max=100))
    title = fields.String(required=True, validate=TEXT)
    # may be left empty, as it always could
    description = fields.String(required=True, validate=validate.Length(max=4000))
    community = fields.String(required=True, validate=validate.Length(min=1, max=100))
    address = fields.String(
        required=True, validate=[validate.Length(min=1, max=300), NOT_BLANK]
    )
    priority = fields.String(load_default="normal", validate=validate.OneOf(PRIORITIES))
    wanted_from = _moment(load_default=None, allow_none=True)
    wanted_until = _moment(load_default=None, allow_none=True)
    # staff entering the order for a resident who phoned or walked in
    on_behalf_of = fields.String(load_default=None, validate=ID)

    @validates_schema
    def window_in_order(self, data, **kwargs):
        start, end = data.get("wanted_from"), data.get("wanted_until")
        if start and end and end <= start:
            raise ValidationError("must be later than wanted_from", "wanted_until")


class NoBodySchema(Command):
    """A command that takes nothing but the order: any field is a mistake."""


class DispatchOrderSchema(Command):
    team_id = fields.String(required=True, validate=ID)


class RejectOrderSchema(Command):
    reason_code = fields.String(
        required=True, validate=validate.OneOf(REJECT_REASON_CODES)
    )
    note = fields.String(load_default=None, validate=REASON)

    @validates_schema
    def other_says_why(self, data, **kwargs):
        if data.get("reason_code") == "other" and not data.get("note"):
            raise ValidationError("say why when the reason is other", "note")


class ReasonSchema(Command):
    """decline, dispute and cancel: why, in the caller's words."""

    reason = fields.String(required=True, validate=REASON)


class RequestReportSchema(Command):
    reason = fields.String(load_default=None, validate=REASON)


class AcceptOrderSchema(Command):
    volunteer_ids = fields.List(
        fields.String(validate=ID),
        required=True,
        validate=validate.Length(min=1, max=100),
    )


class ReportServiceSchema(Command):
    minutes = fields.Dict(
        keys=fields.String(validate=ID),
        values=fields.Integer(strict=True, validate=MINUTES),
        required=True,
        validate=validate.Length(min=1, max=100),
    )


class RateOrderSchema(Command):
    stars = fields.Integer(required=True, strict=True, validate=STARS)
    comment = fields.String(load_default=None, validate=validate.Length(max=1000))


def encode_cursor(placed_at, order_id):
    """An opaque token for the page after the order placed at `placed_at`."""
    if placed_at.tzinfo is None:
        placed_at = placed_at.replace(tzinfo=UTC)
    raw = json.dumps([placed_at.isoformat(), order_id]).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii")


class Cursor(fields.Field):
    """The `next_cursor` of a page, read back as (placed_at, order id)."""

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            placed_at, order_id = json.loads(base64.urlsafe_b64decode(value))
            return datetime.fromisoformat(placed_at).astimezone(UTC), str(order_id)
        except (TypeError, ValueError, binascii.Error):
            raise ValidationError("not a cursor this service gave") from None

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else encode_cursor(*value)


class StatusList(fields.String):
    """One status or several, comma-separated."""

    def _deserialize(self, value, attr, data, **kwargs):
        statuses = super()._deserialize(value, attr, data, **kwargs).split(",")
        unknown = sorted(set(statuses) - STATES)
        if unknown:
            raise ValidationError(f"unknown status: {', '.join(unknown)}")
        return statuses

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else ",".join(value)


class ListOrdersSchema(Command):
    status = StatusList(load_default=None)
    community = fields.String(load_default=None, validate=validate.Length(max=100))
    team = fields.String(load_default=None, validate=ID)
    category = fields.String(load_default=None, validate=validate.Length(max=100))
    resident = fields.String(load_default=None, validate=ID)
    volunteer = fields.String(load_default=None, validate=ID)
    placed_from = _moment(load_default=None)
    placed_to = _moment(load_default=None)
    cursor = Cursor(load_default=None)
    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


class BoardQuerySchema(Command):
    community = fields.String(load_default=None, validate=validate.Length(max=100))
    limit = fields.Integer(load_default=10, validate=validate.Range(min=1, max=50))


class SuggestQuerySchema(Command):
    limit = fields.Integer(load_default=10, validate=validate.Range(min=1, max=50))
