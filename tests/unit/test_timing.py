from datetime import UTC, datetime, timedelta

import pytest

from services.orders.timing import Timings

MOMENT = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)


def test_by_default_a_placed_order_waits_48_hours_and_a_dispatched_one_24():
    timings = Timings()

    assert timings.due_at("placed", "normal", MOMENT) == MOMENT + timedelta(hours=48)
    assert timings.due_at("dispatched", "normal", MOMENT) == MOMENT + timedelta(
        hours=24
    )


def test_the_quiet_period_after_a_report_is_72_hours_whatever_the_priority():
    for priority in ("normal", "urgent"):
        assert Timings().due_at("reported", priority, MOMENT) == MOMENT + timedelta(
            hours=72
        )


def test_urgent_orders_wait_less_for_a_team():
    timings = Timings()

    for status in ("placed", "dispatched"):
        assert timings.period(status, "urgent") < timings.period(status, "normal")


@pytest.mark.parametrize("status", ["accepted", "in_service", "disputed", "rated"])
def test_other_statuses_have_no_timer(status):
    assert Timings().due_at(status, "normal", MOMENT) is None


def test_every_period_and_the_unaccepted_action_come_from_config():
    timings = Timings.from_config(
        {
            "ORDER_PLACED_EXPIRY_SECONDS": "2",
            "ORDER_DISPATCHED_EXPIRY_SECONDS": 3,
            "ORDER_URGENT_PLACED_EXPIRY_SECONDS": 0.5,
            "ORDER_URGENT_DISPATCHED_EXPIRY_SECONDS": 0.25,
            "ORDER_QUIET_PERIOD_SECONDS": 4,
            "ORDER_UNACCEPTED_ACTION": "expire",
        }
    )

    assert timings == Timings(2, 3, 0.5, 0.25, 4, return_unaccepted=False)
    assert Timings.from_config({}) == Timings()


def test_an_unknown_unaccepted_action_is_a_configuration_error():
    with pytest.raises(ValueError, match="ORDER_UNACCEPTED_ACTION"):
        Timings.from_config({"ORDER_UNACCEPTED_ACTION": "forget"})
