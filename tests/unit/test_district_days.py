"""Days that have not yet come in the district are refused wherever a person
says when something happened: a team's founding, a volunteer's joining."""

from datetime import UTC, date, datetime

import pytest
from marshmallow import ValidationError

from eventing import district
from services.teams.schemas import (
    RegisterTeamSchema,
    RegisterVolunteerSchema,
    UpdateTeamSchema,
)
from tests.unit.commands import TEAM, VOLUNTEER

CASES = [
    (RegisterTeamSchema, TEAM, "founded_on"),
    (UpdateTeamSchema, {}, "founded_on"),
    (RegisterVolunteerSchema, VOLUNTEER, "joined_on"),
]


@pytest.fixture(autouse=True)
def just_after_midnight_in_the_district(monkeypatch):
    # 04:00 of 10 December in Shanghai, still 9 December in UTC
    monkeypatch.setattr(district, "now", lambda: datetime(2026, 12, 9, 20, tzinfo=UTC))


@pytest.mark.parametrize("schema, body, field", CASES)
def test_the_districts_today_is_taken(schema, body, field):
    loaded = schema().load({**body, field: "2026-12-10"})

    assert loaded[field] == date(2026, 12, 10)


@pytest.mark.parametrize("schema, body, field", CASES)
def test_a_day_after_the_districts_today_is_refused(schema, body, field):
    with pytest.raises(ValidationError) as refused:
        schema().load({**body, field: "2026-12-11"})

    assert refused.value.messages == {field: ["must not be after today (2026-12-10)"]}
