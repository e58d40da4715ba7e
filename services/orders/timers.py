"""What happens to an order nobody acts on, fired once by whichever replica
claims it.

Every order has at most one timer, `timer_due_at`, which each move sets for
the status it enters (or clears). A poll on every replica claims due orders
one at a time with `FOR UPDATE SKIP LOCKED` and, in the same transaction,
makes the move, sets the next timer and writes the event to the outbox: a
timer fires once however many replicas poll, and a service that was down
fires on start the timers that came due meanwhile.
"""

import logging

from sqlalchemy import select

from services.orders import flow, lifecycle, moves
from services.orders.models import Decline, Order

logger = logging.getLogger(__name__)

SYSTEM_EXPIRY = "system:expiry"
SYSTEM_AUTO_COMPLETE = "system:auto-complete"
NO_ANSWER = "no answer in time"


def claim_due(session, moment, skip=()):
    """Lock the order whose timer came due first, skipping those other
    replicas hold; None when nothing is due."""
    query = select(Order).where(Order.timer_due_at <= moment)
    if skip:
        query = query.where(Order.id.not_in(skip))
    query = query.order_by(Order.timer_due_at).limit(1)
    return session.execute(query.with_for_update(skip_locked=True)).scalar_one_or_none()


def fire(uow, order, timings):
    """Run the timeout of the order's status: complete it, expire it or send
    it back to be dispatched again."""
    command = lifecycle.timeout_command(order.status, timings.return_unaccepted)
    if command == "auto_complete":
        return flow.complete(uow, order, command, SYSTEM_AUTO_COMPLETE, timings)
    if command is None:
        logger.warning("timer on an order with no timeout order_id=%s", order.id)
        order.timer_due_at = None
        return order
    return expire(uow, order, command, timings)


def expire(uow, order, command, timings):
    """Nobody dispatched or accepted the order in time; emits OrderExpired.

    A dispatched order that goes back to the community counts as declined by
    the team that let it lapse, so that team is not suggested for it again.
    """
    stage, team_id = order.status, order.team_id
    step, moment = moves.move(order, command, SYSTEM_EXPIRY, timings, NO_ANSWER)
    if command == "lapse":
        order.team_id = None
        order.declines.append(Decline(team_id=team_id, reason=NO_ANSWER, at=moment))
    return moves.announce(
        uow,
        order,
        step.event,
        {
            "category": order.category,
            "community": order.community,
            "priority": order.priority,
            "stage": stage,
            "team_id": team_id,
            "outcome": "returned" if command == "lapse" else "expired",
        },
    )


def fire_due(transaction, timings, limit=100, moment=None):
    """Fire up to `limit` due timers, each in its own transaction; return how
    many fired. One that fails is logged, left due and tried at the next poll."""
    moment = moment or moves.now()
    fired, failed = 0, []
    while fired + len(failed) < limit:
        order_id = None
        try:
            with transaction() as uow:
                order = claim_due(uow.session, moment, failed)
                if order is None:
                    return fired
                order_id = order.id
                fire(uow, order, timings)
        except Exception:
            if order_id is None:
                raise
            logger.exception("timer failed order_id=%s; retried next poll", order_id)
            failed.append(order_id)
            continue
        fired += 1
    return fired
