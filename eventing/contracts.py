"""The event catalogue: one marshmallow schema per event, keyed by its type.

These are public contracts. Other district systems consume them from the
`<service>.events` exchanges without any of our code, so a field is never
renamed or removed in place; a new meaning gets a new field or a new event.

Producers are strict and consumers tolerant: `dump` refuses a field the
contract does not name, while `load` ignores one, so a producer may add an
optional field before its consumers know it, and a rolling upgrade never
dead-letters events.
"""

from dataclasses import dataclass
from datetime import datetime

from marshmallow import EXCLUDE, RAISE, Schema, ValidationError, fields, validate

# whole minutes for one volunteer on one order: 1 minute up to 24 hours
MINUTES = validate.Range(min=1, max=24 * 60)
ID = validate.Length(min=1, max=64)


class Contract(Schema):
    class Meta:
        unknown = EXCLUDE
        ordered = True


def _id(**kwargs):
    return fields.String(required=True, validate=ID, **kwargs)


def _iso8601(value):
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValidationError("not an ISO 8601 date and time") from None
    if moment.tzinfo is None:
        raise ValidationError("the time zone is missing")


def _timestamp(description):
    return fields.String(
        required=True,
        validate=_iso8601,
        metadata={"format": "date-time", "description": description},
    )


def _minutes_by_volunteer():
    return fields.Dict(
        keys=fields.String(validate=ID),
        values=fields.Integer(strict=True, validate=MINUTES),
        required=True,
        validate=validate.Length(min=1),
        metadata={"description": "whole minutes served, keyed by volunteer id"},
    )


# ---- teams -----------------------------------------------------------------


class TeamRegisteredSchema(Contract):
    team_id = _id()
    name = fields.String(required=True)
    categories = fields.List(fields.String(), required=True)
    community = fields.String(required=True)
    leader_ids = fields.List(fields.String(), load_default=list, dump_default=list)


class VolunteerRegisteredSchema(Contract):
    volunteer_id = _id()
    name = fields.String(required=True)
    community = fields.String(required=True)
    skills = fields.List(fields.String(), load_default=list, dump_default=list)


class VolunteerJoinedTeamSchema(Contract):
    team_id = _id()
    volunteer_id = _id()


# ---- orders ----------------------------------------------------------------


class OrderPlacedSchema(Contract):
    order_id = _id()
    resident_id = _id()
    entered_by = _id()
    category = fields.String(required=True)
    title = fields.String(required=True)
    description = fields.String(required=True)
    community = fields.String(required=True)
    address = fields.String(required=True)
    placed_at = _timestamp("when the resident placed the order")


class OrderDispatchedSchema(Contract):
    order_id = _id()
    team_id = _id()
    community = fields.String(required=True)
    dispatched_by = _id()


class OrderAcceptedSchema(Contract):
    order_id = _id()
    team_id = _id()
    volunteer_ids = fields.List(
        fields.String(validate=ID), required=True, validate=validate.Length(min=1)
    )
    accepted_by = _id()


class OrderServiceReportedSchema(Contract):
    order_id = _id()
    team_id = _id()
    minutes = _minutes_by_volunteer()
    reported_by = _id()


class OrderCompletedSchema(Contract):
    order_id = _id()
    category = fields.String(required=True)
    community = fields.String(required=True)
    team_id = _id()
    minutes = _minutes_by_volunteer()
    completed_at = _timestamp(
        "when the service was confirmed; rates in force then apply"
    )
    confirmed_by = _id()


# ---- points ----------------------------------------------------------------


class PointsCreditedSchema(Contract):
    transfer_id = _id()
    volunteer_id = _id()
    order_id = _id()
    minutes = fields.Integer(
        strict=True,
        required=True,
        validate=MINUTES,
        metadata={"description": "confirmed minutes this credit pays for"},
    )
    points = fields.Integer(
        strict=True,
        required=True,
        validate=validate.Range(min=0),
        metadata={"description": "points credited; part points are not paid"},
    )
    rate_per_hour = fields.Integer(
        strict=True,
        required=True,
        validate=validate.Range(min=0),
        metadata={"description": "points an hour that applied"},
    )
    balance = fields.Integer(
        strict=True,
        required=True,
        validate=validate.Range(min=0),
        metadata={"description": "the volunteer's balance after this credit"},
    )
    capped_points = fields.Integer(
        strict=True,
        load_default=0,
        dump_default=0,
        validate=validate.Range(min=0),
        metadata={"description": "points the district's caps withheld"},
    )


def _points(description, minimum=0, **kwargs):
    return fields.Integer(
        strict=True,
        validate=validate.Range(min=minimum),
        metadata={"description": description},
        **kwargs,
    )


class PointsDebitedSchema(Contract):
    transfer_id = _id()
    redemption_id = _id()
    volunteer_id = _id()
    bank_id = _id()
    points = _points("points taken for the reserved goods", 1, required=True)
    balance = _points("the volunteer's balance after this debit", required=True)


class PointsDebitRejectedSchema(Contract):
    redemption_id = _id()
    volunteer_id = _id()
    bank_id = _id()
    points = _points("points the redemption would have cost", 1, required=True)
    reason = fields.String(required=True)
    balance = _points(
        "the volunteer's balance, or null without an account",
        required=True,
        allow_none=True,
    )


class PointsAdjustedSchema(Contract):
    transfer_id = _id()
    volunteer_id = _id()
    kind = fields.String(
        required=True,
        validate=validate.OneOf(["adjustment", "reversal", "redemption_refund"]),
        metadata={"description": "a manual adjustment, a reversing entry or a refund"},
    )
    points = fields.Integer(
        strict=True,
        required=True,
        metadata={"description": "signed: positive when the volunteer received"},
    )
    reason = fields.String(required=True)
    author = fields.String(
        load_default=None,
        dump_default=None,
        allow_none=True,
        metadata={"description": "who made a correction; null for a refund"},
    )
    reverses = fields.String(
        load_default=None,
        dump_default=None,
        allow_none=True,
        metadata={"description": "the transfer a reversing entry undoes"},
    )
    redemption_id = fields.String(load_default=None, dump_default=None, allow_none=True)
    balance = _points("the volunteer's balance after this entry", required=True)


# ---- inventory ---------------------------------------------------------------


class LineSchema(Contract):
    item_id = _id()
    quantity = _points("units of the item", 1, required=True)


class PricedLineSchema(LineSchema):
    points_price = _points("points per unit when reserved", required=True)


class CountedLineSchema(Contract):
    item_id = _id()
    counted = _points("units found by the stock-take", required=True)
    difference = fields.Integer(
        strict=True,
        required=True,
        metadata={"description": "counted minus expected: booked as an adjustment"},
    )


def _lines(schema=LineSchema):
    return fields.List(
        fields.Nested(schema), required=True, validate=validate.Length(min=1)
    )


class DonationReceivedSchema(Contract):
    donation_id = _id()
    receipt_no = fields.String(
        required=True, metadata={"description": "the number printed for the donor"}
    )
    bank_id = _id()
    donor_id = _id()
    donated_on = fields.Date(required=True)
    lines = _lines()
    estimated_value = fields.Decimal(
        places=2,
        as_string=True,
        load_default=None,
        dump_default=None,
        allow_none=True,
        metadata={"description": "the donor's estimate in yuan, if given"},
    )


class StockReservedSchema(Contract):
    redemption_id = _id()
    bank_id = _id()
    volunteer_id = _id()
    points = _points("points the goods cost", 1, required=True)
    lines = _lines(PricedLineSchema)
    attempt = _points(
        "1 when first reserved; more when the bank asks the ledger again",
        1,
        load_default=1,
        dump_default=1,
    )


class RedemptionCompletedSchema(Contract):
    redemption_id = _id()
    bank_id = _id()
    volunteer_id = _id()
    points = _points("points paid", 1, required=True)
    transfer_id = _id(metadata={"description": "the ledger's debit"})
    lines = _lines(PricedLineSchema)


class RedemptionCancelledSchema(Contract):
    redemption_id = _id()
    bank_id = _id()
    volunteer_id = _id()
    points = _points("points the goods would have cost", 1, required=True)
    reason = fields.String(required=True)
    lines = _lines(PricedLineSchema)


class GoodsDistributedSchema(Contract):
    distribution_id = _id()
    bank_id = _id()
    community = fields.String(
        required=True,
        metadata={"description": "the family's community; the name stays in the bank"},
    )
    reason = fields.String(required=True)
    approved_by = fields.String(required=True)
    lines = _lines()


class StockLowSchema(Contract):
    bank_id = _id()
    item_id = _id()
    item_name = fields.String(required=True)
    quantity = _points("units left", required=True)
    threshold = _points("the item's low-stock threshold", required=True)


class StockAdjustedSchema(Contract):
    stocktake_id = _id()
    bank_id = _id()
    reason = fields.String(required=True)
    counted_by = _id()
    lines = _lines(CountedLineSchema)


@dataclass(frozen=True)
class EventType:
    name: str
    source: str
    schema: type[Contract]
    summary: str


CATALOGUE = {
    e.name: e
    for e in [
        EventType(
            "TeamRegistered",
            "teams",
            TeamRegisteredSchema,
            "A team joined the district's directory.",
        ),
        EventType(
            "VolunteerRegistered",
            "teams",
            VolunteerRegisteredSchema,
            "A volunteer was registered.",
        ),
        EventType(
            "VolunteerJoinedTeam",
            "teams",
            VolunteerJoinedTeamSchema,
            "A volunteer became a member of a team.",
        ),
        EventType(
            "OrderPlaced",
            "orders",
            OrderPlacedSchema,
            "A resident asked for a service.",
        ),
        EventType(
            "OrderDispatched",
            "orders",
            OrderDispatchedSchema,
            "Community staff handed an order to a team.",
        ),
        EventType(
            "OrderAccepted",
            "orders",
            OrderAcceptedSchema,
            "The team accepted the order and assigned volunteers.",
        ),
        EventType(
            "OrderServiceReported",
            "orders",
            OrderServiceReportedSchema,
            "The team reported the minutes each volunteer served.",
        ),
        EventType(
            "OrderCompleted",
            "orders",
            OrderCompletedSchema,
            "The service was confirmed; its minutes are final.",
        ),
        EventType(
            "PointsCredited",
            "points",
            PointsCreditedSchema,
            "Confirmed minutes became points for one volunteer.",
        ),
        EventType(
            "PointsDebited",
            "points",
            PointsDebitedSchema,
            "A redemption's points were taken from the volunteer.",
        ),
        EventType(
            "PointsDebitRejected",
            "points",
            PointsDebitRejectedSchema,
            "The ledger refused a redemption's debit; nothing was taken.",
        ),
        EventType(
            "PointsAdjusted",
            "points",
            PointsAdjustedSchema,
            "A correction, reversal or refund changed a volunteer's balance.",
        ),
        EventType(
            "DonationReceived",
            "inventory",
            DonationReceivedSchema,
            "A donor's goods entered a bank's stock, with a receipt.",
        ),
        EventType(
            "StockReserved",
            "inventory",
            StockReservedSchema,
            "Goods were set aside for a redemption awaiting its points.",
        ),
        EventType(
            "RedemptionCompleted",
            "inventory",
            RedemptionCompletedSchema,
            "A volunteer's points paid for the reserved goods.",
        ),
        EventType(
            "RedemptionCancelled",
            "inventory",
            RedemptionCancelledSchema,
            "A redemption ended unpaid; its reserved goods went back to stock.",
        ),
        EventType(
            "GoodsDistributed",
            "inventory",
            GoodsDistributedSchema,
            "Goods were given free to a family in difficulty.",
        ),
        EventType(
            "StockLow",
            "inventory",
            StockLowSchema,
            "An item's stock in a bank fell below its threshold.",
        ),
        EventType(
            "StockAdjusted",
            "inventory",
            StockAdjustedSchema,
            "A stock-take booked the difference between counted and expected.",
        ),
    ]
}


class UnknownEventType(Exception):
    """No contract exists for this event type."""


def contract_for(event_type):
    try:
        return CATALOGUE[event_type]
    except KeyError:
        raise UnknownEventType(event_type) from None


def dump(event_type, data):
    """Validate outgoing data against its contract and return plain JSON types.

    Validating on the way out means a producer bug fails the producer's
    transaction instead of reaching every consumer.
    """
    schema = contract_for(event_type).schema(unknown=RAISE)
    errors = schema.validate(data)
    if errors:
        raise ValidationError(errors)
    return schema.dump(data)


def load(event_type, data):
    """Validate incoming data against its contract, ignoring fields it does not
    name; raises ValidationError."""
    return contract_for(event_type).schema().load(data)
