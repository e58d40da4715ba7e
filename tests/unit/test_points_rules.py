from datetime import date
from zoneinfo import ZoneInfo

import pytest

from services.points.rules import (
    DEFAULT_POINTS_PER_HOUR,
    PER_DAY,
    PER_ORDER,
    Caps,
    credit_for,
    local_day,
    points_for,
)

NO_CAPS = Caps()


def test_ninety_minutes_at_the_default_rate_is_fifteen_points():
    assert points_for(90, DEFAULT_POINTS_PER_HOUR) == 15


def test_a_part_point_is_not_paid():
    assert points_for(95, 10) == 15
    assert points_for(5, 10) == 0


def test_negative_minutes_are_refused():
    with pytest.raises(ValueError):
        points_for(-1, 10)


def test_without_caps_the_whole_credit_is_paid():
    credit = credit_for(120, 10, NO_CAPS, credited_that_day=500)

    assert (credit.points, credit.capped_points, credit.cap_rule) == (20, 0, None)


def test_the_per_order_cap_keeps_the_rest_and_says_so():
    credit = credit_for(180, 10, Caps(per_order=25), credited_that_day=0)

    assert (credit.points, credit.capped_points, credit.cap_rule) == (
        25,
        5,
        PER_ORDER,
    )


def test_the_per_day_cap_counts_what_the_day_already_paid():
    credit = credit_for(120, 10, Caps(per_day=30), credited_that_day=25)

    assert (credit.points, credit.capped_points, credit.cap_rule) == (5, 15, PER_DAY)


def test_a_full_day_pays_nothing_more():
    credit = credit_for(60, 10, Caps(per_day=30), credited_that_day=40)

    assert (credit.points, credit.uncapped_points) == (0, 10)


def test_zero_in_the_config_means_no_cap():
    assert Caps.from_config("0", None) == NO_CAPS
    assert Caps.from_config(40, "100") == Caps(per_order=40, per_day=100)


def test_the_completion_day_is_the_districts_calendar_day():
    shanghai = ZoneInfo("Asia/Shanghai")

    assert local_day("2026-12-03T17:30:00+00:00", shanghai) == date(2026, 12, 4)
    assert local_day("2026-12-03T15:59:00+00:00", shanghai) == date(2026, 12, 3)
