"""The teams events: new fields load with defaults from older producers."""

import pytest
from marshmallow import ValidationError

from eventing import contracts


def test_a_team_registered_before_kinds_and_streets_loads_as_a_general_team():
    older = {
        "team_id": "t-1",
        "name": "俏玫瑰",
        "categories": ["演出"],
        "community": "铁道家园",
    }

    loaded = contracts.load("TeamRegistered", older)

    assert loaded["kind"] == "general"
    assert loaded["street"] is None and loaded["station_id"] is None
    assert loaded["version"] == 0 and loaded["leader_ids"] == []


def test_a_membership_event_without_a_version_loads_as_version_zero():
    loaded = contracts.load(
        "VolunteerJoinedTeam", {"team_id": "t", "volunteer_id": "v"}
    )

    assert loaded["version"] == 0


def test_a_team_update_carries_the_whole_team_and_what_changed():
    data = {
        "team_id": "t-1",
        "name": "俏玫瑰舞蹈队",
        "categories": ["演出"],
        "community": "铁道家园",
        "street": "长江路",
        "leader_ids": ["v-1"],
        "kind": "professional",
        "station_id": None,
        "status": "active",
        "changed": ["name"],
        "updated_by": "u-1",
        "version": 2,
    }

    assert contracts.dump("TeamUpdated", data) == data
    with pytest.raises(ValidationError):
        contracts.dump("TeamUpdated", {**data, "status": "closed"})


def test_the_teams_events_come_from_the_teams_service():
    names = {"TeamUpdated", "TeamSuspended", "TeamReactivated"}
    names |= {"VolunteerUpdated", "VolunteerLeftTeam"}

    assert {contracts.contract_for(name).source for name in names} == {"teams"}
