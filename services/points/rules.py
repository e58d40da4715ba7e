"""How confirmed minutes become points. Pure rules, no I/O."""

from dataclasses import dataclass
from datetime import datetime

DEFAULT_POINTS_PER_HOUR = 10
PER_ORDER = "per_order"
PER_DAY = "per_day"


@dataclass(frozen=True)
class Caps:
    """The district's optional caps on credited points; None means no cap."""

    per_order: int | None = None
    per_day: int | None = None

    @classmethod
    def from_config(cls, per_order, per_day):
        # 0 or nothing in the config means the district set no cap
        return cls(int(per_order or 0) or None, int(per_day or 0) or None)


@dataclass(frozen=True)
class Credit:
    points: int
    uncapped_points: int
    cap_rule: str | None

    @property
    def capped_points(self):
        return self.uncapped_points - self.points


def points_for(minutes, points_per_hour):
    """Points earned for `minutes` of service at `points_per_hour`.

    Points are whole numbers; a part point is not paid (90 minutes at 10 an
    hour is 15, 95 minutes is 15 too), so nobody is paid for time not served.
    """
    if minutes < 0 or points_per_hour < 0:
        raise ValueError("minutes and rate are never negative")
    return minutes * points_per_hour // 60


def credit_for(minutes, points_per_hour, caps, credited_that_day):
    """The credit for one volunteer's minutes on one order, after the caps.

    `credited_that_day` is what the volunteer was already credited for orders
    completed on the same day; the per-day cap counts it.
    """
    earned = points_for(minutes, points_per_hour)
    points, rule = earned, None
    if caps.per_order is not None and points > caps.per_order:
        points, rule = caps.per_order, PER_ORDER
    if caps.per_day is not None:
        room = max(caps.per_day - credited_that_day, 0)
        if points > room:
            points, rule = room, PER_DAY
    return Credit(points, earned, rule)


def local_day(timestamp, zone):
    """The district's calendar day of an ISO 8601 timestamp."""
    return datetime.fromisoformat(timestamp).astimezone(zone).date()
