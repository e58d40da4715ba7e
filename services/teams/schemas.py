"""The shapes of the teams service's commands, as callers send them."""

from marshmallow import RAISE, Schema, fields, validate

from eventing.contracts import ID
from eventing.paging import PageQuerySchema

NAME = validate.Length(min=1, max=200)
PHONE = validate.Regexp(r"^[0-9+\- ]{5,20}$", error="not a phone number")


class Command(Schema):
    class Meta:
        unknown = RAISE


class RegisterTeamSchema(Command):
    name = fields.String(required=True, validate=NAME)
    categories = fields.List(
        fields.String(validate=validate.Length(min=1, max=100)),
        required=True,
        validate=validate.Length(min=1, max=20),
    )
    community = fields.String(required=True, validate=validate.Length(min=1, max=100))
    contact_phone = fields.String(required=True, validate=PHONE)
    description = fields.String(load_default=None, validate=validate.Length(max=2000))


class RegisterVolunteerSchema(Command):
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    phone = fields.String(required=True, validate=PHONE)
    community = fields.String(required=True, validate=validate.Length(min=1, max=100))
    skills = fields.List(
        fields.String(validate=validate.Length(min=1, max=100)),
        load_default=list,
        validate=validate.Length(max=30),
    )


class AddMemberSchema(Command):
    volunteer_id = fields.String(required=True, validate=ID)


class TeamQuerySchema(PageQuerySchema):
    class Meta:
        unknown = RAISE

    category = fields.String(load_default=None)
    community = fields.String(load_default=None)
