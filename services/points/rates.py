"""Points an hour per service category, versioned by the day they take effect.

Every credit names the rate row that paid it (its category and the day it took
effect), and a rate only ever takes effect after today, so a credit is always
explained by the rate in force on its order's completion day and nothing
already credited is ever re-priced. The config's rates seed the table once,
as rates in force since forever; after that the table is the truth.
"""

import logging
from datetime import date

from sqlalchemy import select

from services.points import policy
from services.points.exceptions import RateNotAllowed
from services.points.ledger import dialect_insert, now
from services.points.models import ANY_CATEGORY, Rate

logger = logging.getLogger(__name__)

SINCE_FOREVER = date(2000, 1, 1)
SEEDED_BY = "config"


def seed(session, default_rate, category_rates):
    """Insert the config's rates as in force since forever, unless present."""
    seeds = {ANY_CATEGORY: default_rate, **(category_rates or {})}
    for category, points_per_hour in seeds.items():
        session.execute(
            dialect_insert(session)(Rate)
            .values(
                category=category,
                effective_from=SINCE_FOREVER,
                points_per_hour=int(points_per_hour),
                set_by=SEEDED_BY,
                set_at=now(),
            )
            .on_conflict_do_nothing()
        )


def rate_in_force(session, category, day):
    """The rate row for `category` on `day`, or the rate for every category."""
    for candidate in (category, ANY_CATEGORY):
        rate = session.scalars(
            select(Rate)
            .where(Rate.category == candidate, Rate.effective_from <= day)
            .order_by(Rate.effective_from.desc())
            .limit(1)
        ).first()
        if rate is not None:
            return rate
    raise LookupError(f"no rate for {category} on {day}: were the rates seeded?")


def set_rate(session, caller, fields, today):
    """Set (or replace, while still in the future) a category's rate from a day."""
    policy.check_may_correct(caller)
    if fields["effective_from"] <= today:
        raise RateNotAllowed(
            f"a rate takes effect after today ({today.isoformat()}) at the earliest"
        )
    rate = session.get(Rate, (fields["category"], fields["effective_from"]))
    if rate is None:
        rate = Rate(
            category=fields["category"], effective_from=fields["effective_from"]
        )
        session.add(rate)
    rate.points_per_hour = fields["points_per_hour"]
    rate.set_by = caller.user_id
    rate.set_at = now()
    session.flush()
    logger.info(
        "rate set category=%s effective_from=%s points_per_hour=%d user_id=%s",
        rate.category,
        rate.effective_from,
        rate.points_per_hour,
        caller.user_id,
    )
    return rate_view(rate)


def list_rates(session):
    rates = session.scalars(select(Rate).order_by(Rate.category, Rate.effective_from))
    return {"items": [rate_view(r) for r in rates]}


def rate_view(rate):
    return {
        "category": rate.category,
        "effective_from": rate.effective_from.isoformat(),
        "points_per_hour": rate.points_per_hour,
        "set_by": rate.set_by,
    }
