"""How confirmed minutes become points. Pure rules, no I/O."""

DEFAULT_POINTS_PER_HOUR = 10


def points_for(minutes, points_per_hour):
    """Points earned for `minutes` of service at `points_per_hour`.

    Points are whole numbers; a part point is not paid (90 minutes at 10 an
    hour is 15, 95 minutes is 15 too), so nobody is paid for time not served.
    """
    if minutes < 0 or points_per_hour < 0:
        raise ValueError("minutes and rate are never negative")
    return minutes * points_per_hour // 60


def rate_for(category, rates, default=DEFAULT_POINTS_PER_HOUR):
    """The rate for a service category, or the district's default."""
    return int(rates.get(category, default))
