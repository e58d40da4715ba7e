"""The event catalogue: one marshmallow schema per event, keyed by its type.

These are public contracts. Other district systems consume them from the
`<service>.events` exchanges without any of our code, so a field is never
renamed or removed in place; a new meaning gets a new field or a new event.

Producers are strict and consumers tolerant: `dump` refuses a field the
contract does not name, while `load` ignores one, so a producer may add an
optional field before its consumers know it, and a rolling upgrade never
dead-letters events.
"""

import functools
from dataclasses import dataclass
from datetime import datetime

from marshmallow import EXCLUDE, RAISE, Schema, ValidationError, fields, validate

# whole minutes for one volunteer on one order: 1 minute up to 24 hours
MINUTES = validate.Range(min=1, max=24 * 60)
ID = validate.Length(min=1, max=64)
# text that is only spaces (or tabs, newlines, the ideographic space U+3000)
# says nothing: a name or a reason has one character at least that is not one
NOT_BLANK = validate.Regexp(r"\s*\S", error="must not be blank")
# why staff turn a request down; counted by category and community as unmet demand
REJECT_REASON_CODES = ("out_of_scope", "duplicate", "no_capacity", "unsafe", "other")
PRIORITIES = ("normal", "urgent")
STARS = validate.Range(min=1, max=5)


class Contract(Schema):
    class Meta:
        unknown = EXCLUDE
        ordered = True


def _id(**kwargs):
    return fields.String(required=True, validate=ID, **kwargs)


def _optional(**kwargs):
    return fields.String(
        load_default=None, dump_default=None, allow_none=True, **kwargs
    )


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


TEAM_KINDS = ("professional", "general")
TEAM_STATUSES = ("active", "suspended")
VOLUNTEER_STATUSES = ("pending", "active", "inactive", "rejected")


def _version():
    # each team, volunteer and membership counts its changes: a copy applies
    # an event only if it is newer than what it holds, whatever the order of
    # arrival (events of different types travel on different queues)
    return fields.Integer(strict=True, load_default=0, validate=validate.Range(min=0))


class TeamRegisteredSchema(Contract):
    team_id = _id()
    name = fields.String(required=True)
    categories = fields.List(fields.String(), required=True)
    community = fields.String(required=True)
    street = fields.String(load_default=None, allow_none=True)
    leader_ids = fields.List(fields.String(), load_default=list, dump_default=list)
    kind = fields.String(load_default="general", validate=validate.OneOf(TEAM_KINDS))
    station_id = fields.String(load_default=None, allow_none=True)
    version = _version()


class TeamUpdatedSchema(Contract):
    """The whole team as it is after the change; `changed` names what moved."""

    team_id = _id()
    name = fields.String(required=True)
    categories = fields.List(fields.String(), required=True)
    community = fields.String(required=True)
    street = fields.String(load_default=None, allow_none=True)
    leader_ids = fields.List(fields.String(), required=True)
    kind = fields.String(required=True, validate=validate.OneOf(TEAM_KINDS))
    station_id = fields.String(load_default=None, allow_none=True)
    status = fields.String(required=True, validate=validate.OneOf(TEAM_STATUSES))
    changed = fields.List(fields.String(), required=True)
    updated_by = _id()
    version = _version()


class TeamSuspendedSchema(Contract):
    team_id = _id()
    reason = fields.String(required=True)
    suspended_by = _id()
    version = _version()


class TeamReactivatedSchema(Contract):
    team_id = _id()
    reactivated_by = _id()
    version = _version()


class VolunteerRegisteredSchema(Contract):
    volunteer_id = _id()
    name = fields.String(required=True)
    community = fields.String(required=True)
    skills = fields.List(fields.String(), load_default=list, dump_default=list)


class VolunteerUpdatedSchema(Contract):
    """The whole volunteer as they are after the change (never the ID card)."""

    volunteer_id = _id()
    name = fields.String(required=True)
    community = fields.String(required=True)
    skills = fields.List(fields.String(), required=True)
    status = fields.String(required=True, validate=validate.OneOf(VOLUNTEER_STATUSES))
    changed = fields.List(fields.String(), required=True)
    version = _version()


class VolunteerJoinedTeamSchema(Contract):
    team_id = _id()
    volunteer_id = _id()
    version = _version()


class VolunteerLeftTeamSchema(Contract):
    team_id = _id()
    volunteer_id = _id()
    removed_by = _id()
    version = _version()


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
    priority = fields.String(
        load_default="normal",
        dump_default="normal",
        validate=validate.OneOf(PRIORITIES),
    )
    wanted_from = _optional()
    wanted_until = _optional()


class OrderRejectedSchema(Contract):
    order_id = _id()
    category = fields.String(required=True)
    community = fields.String(required=True)
    reason_code = fields.String(
        required=True, validate=validate.OneOf(REJECT_REASON_CODES)
    )
    note = _optional()
    rejected_by = _id()


class OrderDispatchedSchema(Contract):
    order_id = _id()
    team_id = _id()
    community = fields.String(required=True)
    dispatched_by = _id()


class OrderDeclinedSchema(Contract):
    order_id = _id()
    team_id = _id()
    category = fields.String(required=True)
    community = fields.String(required=True)
    reason = fields.String(required=True)
    declined_by = _id()


class OrderAcceptedSchema(Contract):
    order_id = _id()
    team_id = _id()
    volunteer_ids = fields.List(
        fields.String(validate=ID), required=True, validate=validate.Length(min=1)
    )
    accepted_by = _id()


class OrderStartedSchema(Contract):
    order_id = _id()
    team_id = _id()
    category = fields.String(required=True)
    community = fields.String(required=True)
    started_by = _id()
    # set when a volunteer checked in rather than the leader recording the start
    volunteer_id = _optional(validate=ID)


class OrderServiceReportedSchema(Contract):
    order_id = _id()
    team_id = _id()
    minutes = _minutes_by_volunteer()
    reported_by = _id()


class OrderDisputedSchema(Contract):
    order_id = _id()
    team_id = _id()
    category = fields.String(required=True)
    community = fields.String(required=True)
    reason = fields.String(required=True)
    disputed_by = _id()


class OrderReportRequestedSchema(Contract):
    order_id = _id()
    team_id = _id()
    category = fields.String(required=True)
    community = fields.String(required=True)
    reason = _optional()
    requested_by = _id()


class OrderCompletedSchema(Contract):
    order_id = _id()
    category = fields.String(required=True)
    community = fields.String(required=True)
    team_id = _id()
    minutes = _minutes_by_volunteer()
    completed_at = _timestamp(
        "when the service was confirmed; rates in force then apply"
    )
    # a person's id, or "system:auto-complete" when the quiet period passed
    confirmed_by = _id()


class OrderRatedSchema(Contract):
    order_id = _id()
    team_id = _id()
    category = fields.String(required=True)
    community = fields.String(required=True)
    stars = fields.Integer(strict=True, required=True, validate=STARS)
    comment = _optional()
    rated_by = _id()


class OrderCancelledSchema(Contract):
    order_id = _id()
    category = fields.String(required=True)
    community = fields.String(required=True)
    team_id = _optional(validate=ID)
    # the status the order was in when it was cancelled
    stage = fields.String(required=True)
    reason = fields.String(required=True)
    cancelled_by = _id()


class OrderExpiredSchema(Contract):
    order_id = _id()
    category = fields.String(required=True)
    community = fields.String(required=True)
    priority = fields.String(required=True, validate=validate.OneOf(PRIORITIES))
    # where the order waited too long: for dispatch (placed) or acceptance
    stage = fields.String(
        required=True, validate=validate.OneOf(("placed", "dispatched"))
    )
    # the team that let it lapse, when it was dispatched
    team_id = _optional(validate=ID)
    # expired for good, or returned to the community to be dispatched again
    outcome = fields.String(
        required=True, validate=validate.OneOf(("expired", "returned"))
    )


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
            "TeamUpdated",
            "teams",
            TeamUpdatedSchema,
            "A team's details or leaders changed.",
        ),
        EventType(
            "TeamSuspended",
            "teams",
            TeamSuspendedSchema,
            "A team was suspended: no order may be dispatched to it.",
        ),
        EventType(
            "TeamReactivated",
            "teams",
            TeamReactivatedSchema,
            "A suspended team may take orders again.",
        ),
        EventType(
            "VolunteerUpdated",
            "teams",
            VolunteerUpdatedSchema,
            "A volunteer's details or status changed.",
        ),
        EventType(
            "VolunteerJoinedTeam",
            "teams",
            VolunteerJoinedTeamSchema,
            "A volunteer became a member of a team.",
        ),
        EventType(
            "VolunteerLeftTeam",
            "teams",
            VolunteerLeftTeamSchema,
            "A volunteer stopped being a member of a team.",
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
            "OrderRejected",
            "orders",
            OrderRejectedSchema,
            "Community staff turned an order down, with a reason code.",
        ),
        EventType(
            "OrderDeclined",
            "orders",
            OrderDeclinedSchema,
            "The team turned a dispatched order down; it awaits another dispatch.",
        ),
        EventType(
            "OrderAccepted",
            "orders",
            OrderAcceptedSchema,
            "The team accepted the order and assigned volunteers.",
        ),
        EventType(
            "OrderStarted",
            "orders",
            OrderStartedSchema,
            "The service began: the leader recorded it or a volunteer checked in.",
        ),
        EventType(
            "OrderServiceReported",
            "orders",
            OrderServiceReportedSchema,
            "The team reported the minutes each volunteer served.",
        ),
        EventType(
            "OrderDisputed",
            "orders",
            OrderDisputedSchema,
            "The resident disputed the team's report; staff will resolve it.",
        ),
        EventType(
            "OrderReportRequested",
            "orders",
            OrderReportRequestedSchema,
            "Staff resolved a dispute by asking the team to report again.",
        ),
        EventType(
            "OrderCompleted",
            "orders",
            OrderCompletedSchema,
            "The service was confirmed; its minutes are final.",
        ),
        EventType(
            "OrderRated",
            "orders",
            OrderRatedSchema,
            "The resident rated the completed service.",
        ),
        EventType(
            "OrderCancelled",
            "orders",
            OrderCancelledSchema,
            "The resident or staff cancelled the order before service started.",
        ),
        EventType(
            "OrderExpired",
            "orders",
            OrderExpiredSchema,
            "Nobody dispatched or accepted the order in time.",
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


@functools.cache
def _schema(event_type, unknown):
    # one instance per contract and direction: marshmallow schemas keep no
    # state between calls, and building one costs more than using it
    return contract_for(event_type).schema(unknown=unknown)


def dump(event_type, data):
    """Validate outgoing data against its contract and return plain JSON types.

    Validating on the way out means a producer bug fails the producer's
    transaction instead of reaching every consumer.
    """
    schema = _schema(event_type, RAISE)
    errors = schema.validate(data)
    if errors:
        raise ValidationError(errors)
    return schema.dump(data)


def load(event_type, data):
    """Validate incoming data against its contract, ignoring fields it does not
    name; raises ValidationError."""
    return _schema(event_type, EXCLUDE).load(data)
