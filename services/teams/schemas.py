"""The shapes of the teams service's commands and queries, as callers send them."""

import datetime

from marshmallow import (
    RAISE,
    Schema,
    ValidationError,
    fields,
    post_load,
    validate,
    validates,
    validates_schema,
)

from eventing import district
from eventing.contracts import (
    ID,
    NOT_BLANK,
    TEAM_KINDS,
    TEAM_STATUSES,
    VOLUNTEER_STATUSES,
)
from services.teams import hours, idcard, paging

NAME = [validate.Length(min=1, max=200), NOT_BLANK]
PLACE = [validate.Length(min=1, max=100), NOT_BLANK]
PHONE_PATTERN = r"^[0-9+\- ]{5,20}$"
PHONE = validate.Regexp(PHONE_PATTERN, error="not a phone number")
LABEL = fields.String(validate=validate.Length(min=1, max=100))


class Command(Schema):
    class Meta:
        unknown = RAISE


class Day(fields.Date):
    """A date, also as the `date` the gateway already loaded and RPC carried."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, datetime.date) and not isinstance(
            value, datetime.datetime
        ):
            return value
        return super()._deserialize(value, attr, data, **kwargs)


class SlotSchema(Command):
    weekdays = fields.List(fields.Integer(strict=True), required=True)
    from_ = fields.String(required=True, data_key="from")
    to = fields.String(required=True)

    @post_load
    def checked(self, data, **kwargs):
        try:
            return hours.make_slot(data["weekdays"], data["from_"], data["to"])
        except hours.InvalidHours as exc:
            raise ValidationError(str(exc)) from None


def _slots():
    return fields.List(
        fields.Nested(SlotSchema), load_default=list, validate=validate.Length(max=14)
    )


def _categories(**kwargs):
    return fields.List(
        fields.String(validate=validate.Length(min=1, max=100)),
        validate=validate.Length(min=1, max=20),
        **kwargs,
    )


class RegisterTeamSchema(Command):
    name = fields.String(required=True, validate=NAME)
    kind = fields.String(load_default="general", validate=validate.OneOf(TEAM_KINDS))
    categories = _categories(required=True)
    community = fields.String(required=True, validate=PLACE)
    station_id = fields.String(load_default=None, validate=ID)
    contact_phone = fields.String(required=True, validate=PHONE)
    description = fields.String(load_default=None, validate=validate.Length(max=2000))
    founded_on = Day(load_default=None, validate=district.not_after_today)


class UpdateTeamSchema(Command):
    """Only the fields given change; `status` suspends or reactivates."""

    name = fields.String(validate=NAME)
    kind = fields.String(validate=validate.OneOf(TEAM_KINDS))
    categories = _categories()
    community = fields.String(validate=PLACE)
    station_id = fields.String(allow_none=True, validate=ID)
    contact_phone = fields.String(validate=PHONE)
    description = fields.String(allow_none=True, validate=validate.Length(max=2000))
    founded_on = Day(allow_none=True, validate=district.not_after_today)
    leader_ids = fields.List(
        fields.String(validate=ID), validate=validate.Length(max=10)
    )
    status = fields.String(validate=validate.OneOf(TEAM_STATUSES))
    reason = fields.String(validate=[validate.Length(min=1, max=500), NOT_BLANK])

    @validates_schema
    def says_something(self, data, **kwargs):
        if not data:
            raise ValidationError("name at least one field to change")
        if data.get("status") == "suspended" and not data.get("reason"):
            raise ValidationError("say why the team is suspended", "reason")


class ApplyVolunteerSchema(Command):
    """What a person says about themself when they ask to volunteer."""

    name = fields.String(
        required=True, validate=[validate.Length(min=1, max=100), NOT_BLANK]
    )
    phone = fields.String(required=True, validate=PHONE)
    community = fields.String(required=True, validate=PLACE)
    skills = fields.List(LABEL, load_default=list, validate=validate.Length(max=30))
    availability = _slots()
    id_card_no = fields.String(load_default=None)

    @validates("id_card_no")
    def a_real_number(self, value, **kwargs):
        if value is None:
            return
        try:
            idcard.normalise(value)
        except idcard.InvalidIdCard as exc:
            # say what is wrong, never echo the number
            raise ValidationError(str(exc)) from None


class RegisterVolunteerSchema(ApplyVolunteerSchema):
    joined_on = Day(load_default=None, validate=district.not_after_today)


class RejectVolunteerSchema(Command):
    reason = fields.String(
        required=True, validate=[validate.Length(min=1, max=500), NOT_BLANK]
    )


class AddMemberSchema(Command):
    volunteer_id = fields.String(required=True, validate=ID)


class PutStationSchema(Command):
    name = fields.String(required=True, validate=NAME)
    street = fields.String(required=True, validate=PLACE)
    community = fields.String(required=True, validate=PLACE)
    address = fields.String(required=True, validate=validate.Length(min=1, max=300))
    opening_hours = _slots()


class CursorField(fields.String):
    """An opaque cursor, or the (name, id) pair the gateway already read."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, list | tuple) and len(value) == 2:
            if all(isinstance(part, str) for part in value):
                return tuple(value)
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return paging.decode(text)
        except paging.InvalidCursor as exc:
            raise ValidationError(str(exc)) from None


class Query(Schema):
    class Meta:
        unknown = RAISE

    q = fields.String(load_default=None, validate=validate.Length(max=100))
    community = fields.String(load_default=None)
    cursor = CursorField(load_default=None)
    limit = fields.Integer(
        load_default=paging.DEFAULT_LIMIT,
        validate=validate.Range(min=1, max=paging.MAX_LIMIT),
    )


class TeamQuerySchema(Query):
    category = fields.String(load_default=None)
    street = fields.String(load_default=None)
    kind = fields.String(load_default=None, validate=validate.OneOf(TEAM_KINDS))
    status = fields.String(load_default=None, validate=validate.OneOf(TEAM_STATUSES))


class VolunteerQuerySchema(Query):
    team_id = fields.String(load_default=None, validate=ID)
    status = fields.String(
        load_default="active", validate=validate.OneOf(VOLUNTEER_STATUSES)
    )


class StationQuerySchema(Command):
    community = fields.String(load_default=None)


class ServiceRecordQuerySchema(Command):
    format = fields.String(
        load_default="json", validate=validate.OneOf(["json", "csv"])
    )
