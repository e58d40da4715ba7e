"""The event catalogue: one marshmallow schema per event, keyed by its type.

These are public contracts. Other district systems consume them from the
`<service>.events` exchanges without any of our code, so a field is never
renamed or removed in place; a new meaning gets a new field or a new event.
"""

from dataclasses import dataclass

from marshmallow import RAISE, Schema, ValidationError, fields, validate

# whole minutes for one volunteer on one order: 1 minute up to 24 hours
MINUTES = validate.Range(min=1, max=24 * 60)
ID = validate.Length(min=1, max=64)


class Contract(Schema):
    class Meta:
        unknown = RAISE
        ordered = True


def _id(**kwargs):
    return fields.String(required=True, validate=ID, **kwargs)


def _minutes_by_volunteer():
    return fields.Dict(
        keys=fields.String(validate=ID),
        values=fields.Integer(strict=True, validate=MINUTES),
        required=True,
        validate=validate.Length(min=1),
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
    placed_at = fields.String(required=True)


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
    completed_at = fields.String(required=True)
    confirmed_by = _id()


# ---- points ----------------------------------------------------------------


class PointsCreditedSchema(Contract):
    transfer_id = _id()
    volunteer_id = _id()
    order_id = _id()
    minutes = fields.Integer(strict=True, required=True, validate=MINUTES)
    points = fields.Integer(strict=True, required=True, validate=validate.Range(min=0))
    rate_per_hour = fields.Integer(strict=True, required=True)
    balance = fields.Integer(strict=True, required=True, validate=validate.Range(min=0))


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
    schema = contract_for(event_type).schema()
    errors = schema.validate(data)
    if errors:
        raise ValidationError(errors)
    return schema.dump(data)


def load(event_type, data):
    """Validate incoming data against its contract; raises ValidationError."""
    return contract_for(event_type).schema().load(data)
