"""What the gateway's routes answer, as marshmallow schemas for the document.

They describe the answers; nothing dumps through them. Each is open (more
fields may come) so a service can add a field before the document names it.
"""

from marshmallow import EXCLUDE, Schema, fields

from eventing.identity import ROLES


class Answer(Schema):
    class Meta:
        unknown = EXCLUDE


def _text(**kwargs):
    return fields.String(required=True, **kwargs)


def _maybe(**kwargs):
    return fields.String(required=True, allow_none=True, **kwargs)


def _moment(description):
    return _text(metadata={"format": "date-time", "description": description})


class ErrorSchema(Answer):
    error = _text(metadata={"description": "a stable code, e.g. `not_found`"})
    message = _text(metadata={"description": "what went wrong, for people"})
    # `fields` would shadow the Schema's own attribute
    invalid_fields = fields.Dict(
        data_key="fields",
        metadata={"description": "the fields that are not valid, and why"},
    )


class StatusSchema(Answer):
    status = _text(metadata={"enum": ["ok"]})


class ReadySchema(Answer):
    status = _text(metadata={"enum": ["ok", "unavailable"]})
    checks = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        required=True,
        metadata={"description": "`ok` or the reason, per dependency"},
    )


class UserSchema(Answer):
    id = _text()
    username = _text()
    role = _text(metadata={"enum": list(ROLES)})
    display_name = _text()
    community = _maybe()
    team_id = _maybe()
    volunteer_id = _maybe()
    bank_id = _maybe()
    disabled = fields.Boolean(required=True)


class TokenSchema(Answer):
    access_token = _text(metadata={"description": "send as `Bearer <token>`"})
    token_type = _text(metadata={"enum": ["bearer"]})
    expires_in = fields.Integer(
        required=True, metadata={"description": "seconds the access token lives"}
    )
    refresh_token = _text(
        metadata={"description": "for /api/auth/refresh; each works once"}
    )
    refresh_expires_in = fields.Integer(required=True)
    role = _text(metadata={"enum": list(ROLES)})
    user = fields.Nested(UserSchema, required=True)


class TeamSchema(Answer):
    id = _text()
    name = _text()
    categories = fields.List(fields.String(), required=True)
    community = _text()
    contact_phone = _text()
    description = _maybe()
    member_ids = fields.List(
        fields.String(), metadata={"description": "volunteers, oldest member first"}
    )


class TeamPageSchema(Answer):
    items = fields.List(fields.Nested(TeamSchema), required=True)
    total = fields.Integer(required=True, metadata={"description": "on all pages"})


class VolunteerSchema(Answer):
    id = _text()
    name = _text()
    community = _text()


class AssignmentSchema(Answer):
    volunteer_id = _text()
    minutes = fields.Integer(required=True, allow_none=True)


class HistoryEntrySchema(Answer):
    status = _text()
    by = _text(metadata={"description": "the account that made the move"})
    at = _moment("when the move was made")
    reason = fields.String()


class OrderSchema(Answer):
    id = _text()
    status = _text()
    category = _text()
    title = _text()
    description = _text()
    community = _text()
    address = _text()
    resident_id = _text()
    entered_by = _text()
    team_id = _maybe()
    volunteers = fields.List(fields.Nested(AssignmentSchema), required=True)
    placed_at = _moment("when the resident placed the order")
    updated_at = _moment("when the order last moved")
    history = fields.List(fields.Nested(HistoryEntrySchema), required=True)


class PointsEntrySchema(Answer):
    transfer_id = _text()
    kind = _text()
    amount = fields.Integer(required=True, metadata={"description": "signed"})
    order_id = _maybe()
    minutes = fields.Integer(required=True, allow_none=True)
    rate_per_hour = fields.Integer(required=True, allow_none=True)
    at = _moment("when the points moved")


class PointsSchema(Answer):
    volunteer_id = _text()
    balance = fields.Integer(required=True)
    certified_minutes = fields.Integer(required=True)
    entries = fields.List(
        fields.Nested(PointsEntrySchema),
        required=True,
        metadata={"description": "the newest first"},
    )


class BankSchema(Answer):
    id = _text()
    name = _text()
    community = _text()


class BankListSchema(Answer):
    items = fields.List(fields.Nested(BankSchema), required=True)
