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
    kind = _text()
    categories = fields.List(fields.String(), required=True)
    community = _text()
    street = fields.String(allow_none=True)
    station_id = _maybe()
    description = _maybe()
    founded_on = _maybe(metadata={"format": "date"})
    status = _text()
    leader_ids = fields.List(fields.String(), required=True)
    member_count = fields.Integer(required=True)
    contact_phone = fields.String(
        metadata={"description": "for signed-in residents, staff and its leader"}
    )
    member_ids = fields.List(
        fields.String(), metadata={"description": "for staff and its leader"}
    )


class TeamPageSchema(Answer):
    items = fields.List(fields.Nested(TeamSchema), required=True)
    total = fields.Integer(required=True, metadata={"description": "on all pages"})
    next_cursor = fields.String(
        allow_none=True,
        metadata={"description": "pass back as `cursor`; null at the end"},
    )


class VolunteerSchema(Answer):
    id = _text()
    name = _text()
    community = _text()
    phone = fields.String()
    skills = fields.List(fields.String())
    availability = fields.Raw(metadata={"description": "weekly slots"})
    joined_on = fields.String(allow_none=True, metadata={"format": "date"})
    status = fields.String()
    id_card_on_file = fields.Boolean()
    user_id = fields.String(allow_none=True)
    team_ids = fields.List(fields.String())


class AssignmentSchema(Answer):
    volunteer_id = _text()
    minutes = fields.Integer(required=True, allow_none=True)


class HistoryEntrySchema(Answer):
    status = _text()
    by = _text(metadata={"description": "the account that made the move"})
    at = _moment("when the move was made")
    reason = fields.String(allow_none=True)
    reason_code = fields.String(allow_none=True)


class RatingSchema(Answer):
    stars = fields.Integer(required=True)
    comment = fields.String(allow_none=True)


class OrderSummarySchema(Answer):
    id = _text()
    status = _text()
    category = _text()
    title = _text()
    description = _text()
    community = _text()
    address = _text()
    priority = _text()
    wanted_from = _maybe(metadata={"format": "date-time"})
    wanted_until = _maybe(metadata={"format": "date-time"})
    resident_id = _text()
    entered_by = _text()
    team_id = _maybe()
    volunteers = fields.List(fields.Nested(AssignmentSchema), required=True)
    rating = fields.Nested(RatingSchema, allow_none=True)
    placed_at = _moment("when the resident placed the order")
    updated_at = _moment("when the order last moved")
    due_at = _maybe(
        metadata={"format": "date-time", "description": "when a timer moves it"}
    )


class OrderSchema(OrderSummarySchema):
    declined_by_teams = fields.List(fields.String())
    history = fields.List(fields.Nested(HistoryEntrySchema), required=True)


class PointsEntrySchema(Answer):
    transfer_id = _text()
    kind = _text()
    amount = fields.Integer(required=True, metadata={"description": "signed"})
    at = _moment("when the points moved")
    order_id = fields.String(metadata={"description": "when the entry has one"})
    minutes = fields.Integer()
    rate_per_hour = fields.Integer()
    redemption_id = fields.String()
    reverses = fields.String()
    reason = fields.String()


class PointsSchema(Answer):
    volunteer_id = _text()
    balance = fields.Integer(required=True)
    certified_minutes = fields.Integer(required=True)
    entries = fields.List(
        fields.Nested(PointsEntrySchema),
        required=True,
        metadata={"description": "the newest first"},
    )
    next_cursor = fields.String(allow_none=True)


class BankSchema(Answer):
    id = _text()
    name = _text()
    community = _text()


class BankListSchema(Answer):
    items = fields.List(fields.Nested(BankSchema), required=True)


def _open(description):
    """A field whose inner shape the owning service documents."""
    return fields.Raw(metadata={"description": description})


def _items(schema, description="the items of this page"):
    return fields.List(
        fields.Nested(schema), required=True, metadata={"description": description}
    )


def _cursor():
    return fields.String(
        allow_none=True,
        metadata={"description": "pass back as `cursor`; null at the end"},
    )


class StationSchema(Answer):
    id = _text()
    name = _text()
    street = _text()
    community = _text()
    address = _text()
    opening_hours = _open("weekly slots: `[{weekdays, from, to}]`")


class StationListSchema(Answer):
    items = _items(StationSchema)


class PlacesSchema(Answer):
    district = fields.String()
    streets = _open("`[{name, communities: [{name, stations}]}]`")


class VolunteerPageSchema(Answer):
    items = _items(VolunteerSchema)
    next_cursor = _cursor()


class ServiceRecordSchema(Answer):
    volunteer_id = fields.String()
    name = fields.String()
    community = fields.String()
    entries = _open("`[{order_id, date, category, community, team_id, team, minutes}]`")
    years = _open("`[{year, orders, minutes}]`")
    total_minutes = fields.Integer()


class OrderPageSchema(Answer):
    items = _items(OrderSummarySchema, "newest first")
    next_cursor = _cursor()


class BoardSchema(Answer):
    community = fields.String()
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    total = fields.Integer()
    waiting_longest = _open("the orders waiting longest")
    near_expiry = _open("the orders nearest their deadline")


class SuggestionSchema(Answer):
    team_id = _text()
    name = _text()


class SuggestionsSchema(Answer):
    order_id = _text()
    items = _items(SuggestionSchema, "fewest open orders and best rated first")


class IdSchema(Answer):
    id = _text(metadata={"description": "the new record's id"})


class NamedSchema(Answer):
    id = _text()
    name = _text()


class DonorListSchema(Answer):
    items = _items(NamedSchema)


class ItemListSchema(Answer):
    items = _items(NamedSchema)


class DonationCreatedSchema(IdSchema):
    receipt_no = _text()


class DonationSchema(Answer):
    id = _text()
    receipt_no = _text()
    bank = _open("`{id, name, community}`")
    donor = _open("`{id, name, kind}`")
    donated_on = fields.String(metadata={"format": "date"})
    estimated_value = fields.String(
        allow_none=True, metadata={"description": "yuan, two decimals"}
    )
    lines = _open("`[{item_id, name, unit, quantity}]`")


class StockLineSchema(Answer):
    item_id = _text()
    name = _text()
    unit = fields.String()
    quantity = fields.Integer(required=True)
    points_price = fields.Integer(required=True)
    free_only = fields.Boolean(metadata={"description": "given free, never redeemed"})
    low = fields.Boolean(metadata={"description": "below the item's threshold"})


class StockSchema(Answer):
    bank_id = fields.String()
    items = _items(StockLineSchema)


class StocktakeResultSchema(IdSchema):
    lines = _open("`[{item_id, counted, difference}]`")


class RedemptionSchema(IdSchema):
    status = _text(metadata={"enum": ["pending", "completed", "cancelled"]})
    reason = fields.String(allow_none=True)
    bank_id = fields.String(metadata={"description": "when read back"})
    volunteer_id = fields.String(metadata={"description": "when read back"})
    points = fields.Integer(metadata={"description": "when read back"})
    lines = _open("`[{item_id, quantity}]`, when read back")


class ReportSchema(Answer):
    """Each report's own shape: see the README's bank reports."""


class LeaderboardSchema(Answer):
    by = fields.String()
    start = fields.String(data_key="from", metadata={"format": "date"})
    end = fields.String(data_key="to", metadata={"format": "date"})
    community = fields.String(allow_none=True)
    team_id = fields.String(allow_none=True)
    items = _open("`[{rank, …_id, points, minutes}]`")


class RateSchema(Answer):
    category = _text()
    effective_from = _text(metadata={"format": "date"})
    points_per_hour = fields.Integer(required=True)
    set_by = fields.String(allow_none=True)


class RateListSchema(Answer):
    items = _items(RateSchema)


class TransferSchema(PointsEntrySchema):
    """The ledger entry a correction wrote."""
