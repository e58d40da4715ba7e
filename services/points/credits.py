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
    VOLUNTEER,
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
    volunteers = [volunteer_id for volunteer_id, _ in served]
    ledger.open_accounts(
        session,
        [(ISSUING_ACCOUNT, ISSUING, None)]
        + [(ledger.account_id(v), VOLUNTEER, v) for v in volunteers],
    )
    ledger.lock_accounts(session, [ledger.account_id(v) for v in volunteers])
    # read once for all of the order's volunteers; each appears once in it,
    # so one volunteer's credit cannot change another's figures
    done = already_credited(session, order["order_id"], volunteers)
    done_today = credited_on(session, volunteers, day) if caps.per_day else {}
    completion = Completion(event_id, order, rate, day)
    credited = []
    # the issuing account's row is updated once, as this block ends, just
    # before the commit: credits of other orders wait for it that long only
    with ledger.paying_out(session, ORDER_CREDIT, ISSUING_ACCOUNT) as payout:
        for volunteer_id, minutes in served:
            if volunteer_id in done:
                logger.warning(
                    "already credited order_id=%s volunteer_id=%s event_id=%s",
                    order["order_id"],
                    volunteer_id,
                    event_id,
                )
                continue
            credit = rules.credit_for(
                minutes, rate.points_per_hour, caps, done_today.get(volunteer_id, 0)
            )
            credited.append(
                _credit(uow, payout, completion, volunteer_id, minutes, credit)
            )
    return credited


def already_credited(session, order_id, volunteers):
    """Those of `volunteers` who have their credit for the order already."""
    keys = {credit_key(order_id, v): v for v in volunteers}
    found = session.scalars(
        select(Transfer.dedupe_key).where(Transfer.dedupe_key.in_(keys))
    )
    return {keys[key] for key in found}


def _credit(uow, payout, completion, volunteer_id, minutes, credit):
    order, rate = completion.order, completion.rate
    transfer, balance = payout.pay(
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


def credited_on(session, volunteers, day):
    """Net points credited to each of `volunteers` for orders completed on
    `day`, by volunteer id (absent: none)."""
    signed = case(
        (Transfer.kind == ORDER_CREDIT, Transfer.amount), else_=-Transfer.amount
    )
    rows = session.execute(
        select(Transfer.volunteer_id, func.sum(signed))
        .where(
            Transfer.volunteer_id.in_(volunteers),
            Transfer.earned_on == day,
            Transfer.kind.in_([ORDER_CREDIT, REVERSAL]),
        )
        .group_by(Transfer.volunteer_id)
    )
    # SUM over BIGINT is NUMERIC in PostgreSQL: back to a whole number
    return {volunteer_id: int(total) for volunteer_id, total in rows}
