"""Confirmed minutes become points: one credit per order and volunteer.

The rate is the one in force on the order's completion day in the district;
the district's caps apply per order and per day, and the capped part is
recorded on the credit. The volunteers' accounts are locked before the day's
credits are summed, so two orders credited at once cannot both fill the same
day's cap.
"""

import logging
from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func, select

from services.points import ledger, rates, rules
from services.points.models import (
    ISSUING,
    ISSUING_ACCOUNT,
    ORDER_CREDIT,
    REVERSAL,
    Rate,
    Transfer,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Completion:
    """What every credit of one completed order shares."""

    event_id: str
    order: dict
    rate: Rate
    day: date


def credit_key(order_id, volunteer_id):
    return f"{ORDER_CREDIT}:{order_id}:{volunteer_id}"


def credit_order(uow, event_id, order, caps, zone):
    """Credit every volunteer who served a completed order, once each; emits
    one PointsCredited per volunteer credited."""
    session = uow.session
    day = rules.local_day(order["completed_at"], zone)
    rate = rates.rate_in_force(session, order["category"], day)
    served = sorted(order["minutes"].items())
    for volunteer_id, _ in served:
        ledger.open_volunteer_account(session, volunteer_id)
    ledger.open_account(session, ISSUING_ACCOUNT, ISSUING)
    ledger.lock_accounts(session, [ledger.account_id(v) for v, _ in served])
    completion = Completion(event_id, order, rate, day)
    credited = []
    for volunteer_id, minutes in served:
        key = credit_key(order["order_id"], volunteer_id)
        if session.scalar(select(Transfer.id).where(Transfer.dedupe_key == key)):
            logger.warning(
                "already credited order_id=%s volunteer_id=%s event_id=%s",
                order["order_id"],
                volunteer_id,
                event_id,
            )
            continue
        done_today = credited_on(session, volunteer_id, day) if caps.per_day else 0
        credit = rules.credit_for(minutes, rate.points_per_hour, caps, done_today)
        credited.append(_credit(uow, completion, volunteer_id, minutes, credit))
    return credited


def _credit(uow, completion, volunteer_id, minutes, credit):
    order, rate = completion.order, completion.rate
    transfer, balance = ledger.move(
        uow.session,
        ORDER_CREDIT,
        ISSUING_ACCOUNT,
        ledger.account_id(volunteer_id),
        credit.points,
        minutes,
        order_id=order["order_id"],
        category=order["category"],
        rate_per_hour=rate.points_per_hour,
        rate_category=rate.category,
        rate_since=rate.effective_from,
        uncapped_points=credit.uncapped_points,
        cap_rule=credit.cap_rule,
        community=order["community"],
        team_id=order["team_id"],
        earned_on=completion.day,
        dedupe_key=credit_key(order["order_id"], volunteer_id),
        event_id=completion.event_id,
    )
    uow.emit(
        "PointsCredited",
        {
            "transfer_id": transfer.id,
            "volunteer_id": volunteer_id,
            "order_id": order["order_id"],
            "minutes": minutes,
            "points": credit.points,
            "capped_points": credit.capped_points,
            "rate_per_hour": rate.points_per_hour,
            "balance": balance,
        },
        subject=volunteer_id,
    )
    logger.info(
        "points credited event_id=%s order_id=%s volunteer_id=%s points=%d capped=%d",
        completion.event_id,
        order["order_id"],
        volunteer_id,
        credit.points,
        credit.capped_points,
    )
    return transfer


def credited_on(session, volunteer_id, day):
    """Net points credited to a volunteer for orders completed on `day`."""
    signed = case(
        (Transfer.kind == ORDER_CREDIT, Transfer.amount), else_=-Transfer.amount
    )
    # SUM over BIGINT is NUMERIC in PostgreSQL: back to a whole number
    return int(
        session.scalar(
            select(func.coalesce(func.sum(signed), 0)).where(
                Transfer.volunteer_id == volunteer_id,
                Transfer.earned_on == day,
                Transfer.kind.in_([ORDER_CREDIT, REVERSAL]),
            )
        )
    )
