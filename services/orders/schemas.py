"""The shapes of the orders service's commands, as callers send them.

The gateway validates HTTP bodies with these same schemas, so a bad field is
named in a 400 before any service is called; the service loads them again at
its own RPC boundary.
"""

from marshmallow import RAISE, Schema, fields, validate

from eventing.contracts import ID, MINUTES

TEXT = validate.Length(min=1, max=200)


class Command(Schema):
    class Meta:
        unknown = RAISE


class PlaceOrderSchema(Command):
    category = fields.String(required=True, validate=validate.Length(min=1, max=100))
    title = fields.String(required=True, validate=TEXT)
    description = fields.String(required=True, validate=validate.Length(max=4000))
    community = fields.String(required=True, validate=validate.Length(min=1, max=100))
    address = fields.String(required=True, validate=validate.Length(min=1, max=300))


class DispatchOrderSchema(Command):
    team_id = fields.String(required=True, validate=ID)


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


class ConfirmOrderSchema(Command):
    pass
