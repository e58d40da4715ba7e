import pytest

from services.points.rules import DEFAULT_POINTS_PER_HOUR, points_for, rate_for


def test_ninety_minutes_at_the_default_rate_is_fifteen_points():
    assert points_for(90, DEFAULT_POINTS_PER_HOUR) == 15


def test_a_part_point_is_not_paid():
    assert points_for(95, 10) == 15
    assert points_for(5, 10) == 0


def test_a_category_rate_overrides_the_default():
    rates = {"助老": 12}

    assert rate_for("助老", rates) == 12
    assert rate_for("演出", rates) == DEFAULT_POINTS_PER_HOUR
    assert rate_for("演出", rates, default=8) == 8


def test_negative_minutes_are_refused():
    with pytest.raises(ValueError):
        points_for(-1, 10)
