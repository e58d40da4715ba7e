from types import SimpleNamespace

import pytest

from eventing.identity import Caller
from services.orders import policy
from services.orders.exceptions import NotAllowed


def order(**changes):
    fields = {
        "community": "铁道家园",
        "resident_id": "res-1",
        "team_id": "team-1",
        "assignments": [SimpleNamespace(volunteer_id="vol-1")],
    }
    return SimpleNamespace(**{**fields, **changes})


STAFF_HERE = Caller("staff-1", "community_staff", community="铁道家园")
STAFF_ELSEWHERE = Caller("staff-2", "community_staff", community="五号街坊")
LEADER = Caller("lead-1", "team_leader", team_id="team-1")
OTHER_LEADER = Caller("lead-2", "team_leader", team_id="team-2")
RESIDENT = Caller("res-1", "resident")
OTHER_RESIDENT = Caller("res-2", "resident")
VOLUNTEER = Caller("u-9", "volunteer", volunteer_id="vol-1")
ADMIN = Caller("admin", "admin")


def test_only_staff_of_the_orders_community_dispatch_it():
    policy.check_dispatch(STAFF_HERE, order())
    policy.check_dispatch(ADMIN, order())

    with pytest.raises(NotAllowed, match="staff of 铁道家园"):
        policy.check_dispatch(STAFF_ELSEWHERE, order())


def test_only_the_leader_of_the_dispatched_team_accepts_and_reports():
    policy.check_team_command(LEADER, order())

    with pytest.raises(NotAllowed):
        policy.check_team_command(OTHER_LEADER, order())
    with pytest.raises(NotAllowed):
        policy.check_team_command(LEADER, order(team_id=None))


def test_the_resident_who_placed_it_or_local_staff_confirm():
    policy.check_confirm(RESIDENT, order())
    policy.check_confirm(STAFF_HERE, order())

    for caller in (OTHER_RESIDENT, STAFF_ELSEWHERE, LEADER):
        with pytest.raises(NotAllowed):
            policy.check_confirm(caller, order())


@pytest.mark.parametrize("caller", [RESIDENT, STAFF_HERE, LEADER, VOLUNTEER, ADMIN])
def test_everyone_involved_sees_the_order(caller):
    policy.check_view(caller, order())


@pytest.mark.parametrize("caller", [OTHER_RESIDENT, STAFF_ELSEWHERE, OTHER_LEADER])
def test_nobody_else_sees_the_order(caller):
    with pytest.raises(NotAllowed):
        policy.check_view(caller, order())


def test_only_residents_place_orders():
    policy.check_place(RESIDENT)

    with pytest.raises(NotAllowed):
        policy.check_place(STAFF_HERE)
