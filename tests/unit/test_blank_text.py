"""A name or a reason that is only whitespace says nothing: every service's
commands refuse it, naming the field."""

import pytest
from marshmallow import ValidationError

from services.inventory.schemas import AddItemSchema, DistributeSchema, FamilySchema
from services.orders.schemas import ReasonSchema
from services.points.schemas import AdjustPointsSchema
from services.teams.schemas import (
    RegisterTeamSchema,
    RegisterVolunteerSchema,
    RejectVolunteerSchema,
)
from tests.unit.commands import TEAM, VOLUNTEER

ITEM = {"name": "大米", "unit": "袋", "points_price": 20}
DISTRIBUTION = {
    "bank_id": "bank-1",
    "family": {"name": "困难家庭", "community": "铁道家园"},
    "reason": "低保户",
    "lines": [{"item_id": "i-1", "quantity": 1}],
}
ADJUSTMENT = {"volunteer_id": "v-1", "points": 5, "reason": "补记"}

CASES = [
    (RegisterTeamSchema, TEAM, "name"),
    (RegisterTeamSchema, TEAM, "community"),
    (RegisterVolunteerSchema, VOLUNTEER, "name"),
    (AddItemSchema, ITEM, "name"),
    (DistributeSchema, DISTRIBUTION, "reason"),
    (FamilySchema, DISTRIBUTION["family"], "name"),
    (AdjustPointsSchema, ADJUSTMENT, "reason"),
    (ReasonSchema, {"reason": "排练冲突"}, "reason"),
    (RejectVolunteerSchema, {"reason": "资料不全"}, "reason"),
]


@pytest.mark.parametrize("schema, body, field", CASES)
def test_the_body_as_given_is_accepted(schema, body, field):
    assert schema().load(body)[field] == body[field]


@pytest.mark.parametrize("blank", ["", "   ", "\t\n", "\u3000"])
@pytest.mark.parametrize("schema, body, field", CASES)
def test_a_blank_name_or_reason_is_refused_naming_it(schema, body, field, blank):
    with pytest.raises(ValidationError) as refused:
        schema().load({**body, field: blank})

    assert set(refused.value.messages) == {field}
