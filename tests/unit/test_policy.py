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
        "status": "reported",
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


def test_residents_place_their_own_orders_and_staff_only_for_a_resident():
    policy.check_place(RESIDENT, "铁道家园")
    policy.check_place(STAFF_HERE, "铁道家园", on_behalf_of="res-1")

    with pytest.raises(NotAllowed, match="on_behalf_of"):
        policy.check_place(STAFF_HERE, "铁道家园")
    with pytest.raises(NotAllowed):
        policy.check_place(RESIDENT, "铁道家园", on_behalf_of="res-2")


def test_a_resident_of_a_community_places_orders_only_there():
    resident_here = Caller("res-3", "resident", community="铁道家园")

    policy.check_place(resident_here, "铁道家园")
    with pytest.raises(NotAllowed, match="not 五号街坊"):
        policy.check_place(resident_here, "五号街坊")


def test_staff_enter_orders_only_for_their_own_community():
    with pytest.raises(NotAllowed, match="五号街坊"):
        policy.check_place(STAFF_HERE, "五号街坊", on_behalf_of="res-1")


def test_the_leader_or_an_assigned_volunteer_starts_the_service():
    policy.check_start(LEADER, order())
    policy.check_start(VOLUNTEER, order())

    for caller in (OTHER_LEADER, Caller("u-8", "volunteer", volunteer_id="vol-2")):
        with pytest.raises(NotAllowed):
            policy.check_start(caller, order())


def test_only_the_resident_the_order_is_for_disputes_and_rates_it():
    policy.check_resident(RESIDENT, order())

    for caller in (OTHER_RESIDENT, STAFF_HERE, LEADER):
        with pytest.raises(NotAllowed):
            policy.check_resident(caller, order())


def test_a_disputed_order_is_confirmed_by_staff_alone():
    policy.check_confirm(STAFF_HERE, order(status="disputed"))

    with pytest.raises(NotAllowed, match="resolved by staff"):
        policy.check_confirm(RESIDENT, order(status="disputed"))


def test_the_resident_or_local_staff_cancel():
    policy.check_cancel(RESIDENT, order())
    policy.check_cancel(STAFF_HERE, order())

    for caller in (OTHER_RESIDENT, STAFF_ELSEWHERE, LEADER, VOLUNTEER):
        with pytest.raises(NotAllowed):
            policy.check_cancel(caller, order())


@pytest.mark.parametrize(
    "caller, scope",
    [
        (RESIDENT, {"resident": "res-1"}),
        (LEADER, {"team": "team-1"}),
        (VOLUNTEER, {"volunteer": "vol-1"}),
        (STAFF_HERE, {"community": "铁道家园"}),
        (ADMIN, {}),
    ],
)
def test_each_role_lists_only_its_own_orders(caller, scope):
    assert policy.list_scope(caller, {}) == scope


@pytest.mark.parametrize(
    "caller, filters",
    [
        (RESIDENT, {"resident": "res-2"}),
        (LEADER, {"team": "team-2"}),
        (STAFF_HERE, {"community": "五号街坊"}),
        (Caller("b-1", "bank_operator", bank_id="bank-1"), {}),
    ],
)
def test_asking_for_someone_elses_orders_is_refused(caller, filters):
    with pytest.raises(NotAllowed):
        policy.list_scope(caller, filters)


def test_anyone_who_also_volunteers_lists_the_orders_assigned_to_them():
    resident = Caller("res-3", "resident", volunteer_id="vol-3")
    leader = Caller("lead-3", "team_leader", team_id="team-1", volunteer_id="vol-4")

    assert policy.list_scope(resident, {"volunteer": "vol-3"}) == {"volunteer": "vol-3"}
    assert policy.list_scope(resident, {}) == {"resident": "res-3"}
    assert policy.list_scope(leader, {"volunteer": "vol-4"}) == {"volunteer": "vol-4"}
    with pytest.raises(NotAllowed):
        policy.list_scope(resident, {"volunteer": "vol-1", "resident": "res-2"})
