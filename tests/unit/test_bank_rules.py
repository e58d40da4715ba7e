from datetime import UTC, datetime, timedelta

import pytest

from eventing.identity import Caller
from services.gateway.errors import REMOTE_ERRORS
from services.inventory import policy
from services.inventory.catalogue import merged
from services.inventory.distributions import family_key
from services.inventory.exceptions import NotAllowed
from services.inventory.redemptions import Timing


class Bank:
    id, name, community = "b-1", "铁道家园互助银行", "铁道家园"


OPERATOR = Caller("u-op", "bank_operator", bank_id="b-1")
OTHER_OPERATOR = Caller("u-op2", "bank_operator", bank_id="b-2")
STAFF = Caller("u-s", "community_staff", community="铁道家园")
OTHER_STAFF = Caller("u-t", "community_staff", community="五号街坊")
VOLUNTEER = Caller("u-v", "volunteer", volunteer_id="v-1")


def test_an_operator_acts_on_their_own_bank_only():
    policy.check_operates(OPERATOR, Bank)

    with pytest.raises(NotAllowed):
        policy.check_operates(OTHER_OPERATOR, Bank)
    with pytest.raises(NotAllowed):
        policy.check_operates(STAFF, Bank)


def test_a_volunteer_redeems_for_themselves_and_an_operator_at_their_bank():
    policy.check_may_redeem(VOLUNTEER, Bank, "v-1")
    policy.check_may_redeem(OPERATOR, Bank, "v-2")

    with pytest.raises(NotAllowed):
        policy.check_may_redeem(VOLUNTEER, Bank, "v-2")
    with pytest.raises(NotAllowed):
        policy.check_may_redeem(OTHER_OPERATOR, Bank, "v-1")
    with pytest.raises(NotAllowed):
        policy.check_may_redeem(STAFF, Bank, "v-1")


def test_staff_give_goods_from_their_own_communitys_bank():
    policy.check_may_distribute(STAFF, Bank)
    policy.check_may_distribute(OPERATOR, Bank)

    with pytest.raises(NotAllowed):
        policy.check_may_distribute(OTHER_STAFF, Bank)


def test_reports_narrow_to_the_callers_bank_or_community():
    assert policy.visible_bank_filter(Caller("u-a", "admin")) is None
    assert policy.visible_bank_filter(OPERATOR) == ("bank", "b-1")
    assert policy.visible_bank_filter(STAFF) == ("community", "铁道家园")
    with pytest.raises(NotAllowed):
        policy.visible_bank_filter(VOLUNTEER)


def test_one_family_however_its_name_is_typed():
    assert family_key({"name": " 王  秀英", "community": "铁道家园 "}) == family_key(
        {"name": "王 秀英", "community": "铁道家园"}
    )
    assert family_key({"name": "Wang", "community": "x"}) == family_key(
        {"name": "WANG", "community": "X"}
    )


def test_lines_merge_by_item_in_the_order_stock_rows_are_locked():
    lines = [
        {"item_id": "b", "quantity": 1},
        {"item_id": "a", "quantity": 2},
        {"item_id": "b", "quantity": 3},
    ]

    assert merged(lines) == [("a", 2), ("b", 4)]


def test_the_timer_asks_again_at_doubling_intervals_until_the_deadline():
    timing = Timing(timedelta(seconds=30), timedelta(minutes=3))
    start = datetime(2026, 12, 3, tzinfo=UTC)
    deadline = start + timing.deadline

    checks = [timing.next_check(start, n, deadline) - start for n in (1, 2, 3, 4)]

    assert checks == [
        timedelta(seconds=30),
        timedelta(seconds=60),
        timedelta(seconds=120),
        timedelta(minutes=3),
    ]


@pytest.mark.parametrize(
    "error, status",
    [
        ("OutOfStock", 409),
        ("FamilyLimitReached", 409),
        ("InsufficientPoints", 409),
        ("ItemNotRedeemable", 422),
        ("BankNotFound", 404),
        ("RedemptionNotFound", 404),
        ("BadCursor", 400),
    ],
)
def test_the_banks_refusals_map_to_the_http_codes_callers_expect(error, status):
    assert REMOTE_ERRORS[error].status == status
