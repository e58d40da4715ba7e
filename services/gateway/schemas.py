"""Bodies of the gateway's own calls (sign-in and accounts)."""

from marshmallow import (
    RAISE,
    Schema,
    ValidationError,
    fields,
    validate,
    validates_schema,
)

from eventing.identity import (
    BANK_OPERATOR,
    COMMUNITY_STAFF,
    ROLES,
    TEAM_LEADER,
)


class Body(Schema):
    class Meta:
        unknown = RAISE


class TokenRequestSchema(Body):
    username = fields.String(required=True, validate=validate.Length(min=1, max=80))
    password = fields.String(required=True, validate=validate.Length(min=1, max=200))


# what each role's account must say about where it belongs; a volunteer's
# account may come before their record: they apply, and staff's approval
# links the two
SCOPE_FIELD = {
    COMMUNITY_STAFF: "community",
    TEAM_LEADER: "team_id",
    BANK_OPERATOR: "bank_id",
}


class CreateUserSchema(Body):
    username = fields.String(
        required=True,
        validate=validate.Regexp(
            r"^[\w.\-@]{3,80}$", error="3-80 letters, digits or ._-@"
        ),
    )
    password = fields.String(required=True, validate=validate.Length(min=8, max=200))
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    display_name = fields.String(
        required=True, validate=validate.Length(min=1, max=100)
    )
    community = fields.String(
        load_default=None, validate=validate.Length(min=1, max=100)
    )
    team_id = fields.String(load_default=None, validate=validate.Length(min=1, max=64))
    volunteer_id = fields.String(
        load_default=None, validate=validate.Length(min=1, max=64)
    )
    bank_id = fields.String(load_default=None, validate=validate.Length(min=1, max=64))

    @validates_schema
    def scope_given(self, data, **kwargs):
        field = SCOPE_FIELD.get(data.get("role"))
        if field and not data.get(field):
            raise ValidationError(f"a {data['role']} account needs {field}", field)


class RefreshRequestSchema(Body):
    refresh_token = fields.String(
        required=True, validate=validate.Length(min=1, max=200)
    )


class UpdateUserSchema(Body):
    disabled = fields.Boolean(
        required=True,
        metadata={"description": "a disabled account's tokens stop working at once"},
    )
