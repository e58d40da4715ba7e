"""Who sees and changes what in the directory."""

from types import SimpleNamespace

import pytest

from eventing.identity import Caller
from services.teams import policy
from services.teams.exceptions import NotAllowed

TEAM = SimpleNamespace(id="t-1", community="铁道家园", status="active")
SUSPENDED = SimpleNamespace(id="t-2", community="铁道家园", status="suspended")
STAFF = Caller("u-1", "community_staff", community="铁道家园")
OTHER_STAFF = Caller("u-2", "community_staff", community="五号街坊")
LEADER = Caller("u-3", "team_leader", team_id="t-1")
RESIDENT = Caller("u-4", "resident", community="铁道家园")
VOLUNTEER = Caller("u-5", "volunteer", volunteer_id="v-1")
ADMIN = Caller("u-6", "admin")


@pytest.mark.parametrize(
    "caller, sees",
    [
        (None, False),
        (RESIDENT, True),
        (STAFF, True),
        (OTHER_STAFF, True),
        (ADMIN, True),
        (LEADER, True),
        (VOLUNTEER, False),
    ],
)
def test_the_contact_phone_goes_to_signed_in_residents_and_staff(caller, sees):
    assert policy.sees_contact(caller, TEAM) is sees


def test_visitors_and_residents_browse_the_active_professional_teams():
    assert policy.browse_limits(None) == {"kind": "professional", "status": "active"}
    assert policy.browse_limits(RESIDENT) == policy.browse_limits(None)
    assert policy.browse_limits(VOLUNTEER) == {"status": "active"}
    assert policy.browse_limits(STAFF) == {}


def test_a_suspended_team_is_seen_by_staff_and_its_leader_only():
    leader = Caller("u-7", "team_leader", team_id="t-2")

    assert policy.sees_team(STAFF, SUSPENDED) and policy.sees_team(leader, SUSPENDED)
    assert not policy.sees_team(None, SUSPENDED)
    assert not policy.sees_team(RESIDENT, SUSPENDED)
    assert not policy.sees_team(LEADER, SUSPENDED)


def test_a_leader_changes_their_teams_description_but_not_its_status():
    policy.check_team_change(LEADER, TEAM, {"description": "新的介绍"})

    with pytest.raises(NotAllowed, match="status"):
        policy.check_team_change(LEADER, TEAM, {"status": "suspended"})


def test_only_the_admin_moves_a_team_to_another_community():
    policy.check_team_change(ADMIN, TEAM, {"community": "五号街坊"})
    policy.check_team_change(STAFF, TEAM, {"community": "铁道家园", "name": "新名"})

    with pytest.raises(NotAllowed):
        policy.check_team_change(STAFF, TEAM, {"community": "五号街坊"})


def test_staff_of_another_community_may_not_change_the_team():
    with pytest.raises(NotAllowed):
        policy.check_team_change(OTHER_STAFF, TEAM, {"name": "新名"})


def test_a_member_may_leave_on_their_own_but_not_remove_another():
    policy.check_leaving(VOLUNTEER, TEAM, "v-1")

    with pytest.raises(NotAllowed):
        policy.check_leaving(VOLUNTEER, TEAM, "v-2")


def test_staff_search_their_own_communitys_volunteers():
    assert policy.volunteer_scope(STAFF, None, None) == ("铁道家园", None)
    assert policy.volunteer_scope(STAFF, None, "t-1", "铁道家园") == (None, "t-1")
    with pytest.raises(NotAllowed):
        policy.volunteer_scope(STAFF, "五号街坊", None)
    with pytest.raises(NotAllowed):
        policy.volunteer_scope(STAFF, None, "t-9", "五号街坊")


def test_a_leader_searches_their_own_teams_volunteers():
    assert policy.volunteer_scope(LEADER, None, None) == (None, "t-1")
    with pytest.raises(NotAllowed):
        policy.volunteer_scope(LEADER, None, "t-9")


def test_an_account_that_is_a_volunteer_already_may_not_apply_again():
    policy.check_apply(RESIDENT)

    with pytest.raises(NotAllowed):
        policy.check_apply(VOLUNTEER)
