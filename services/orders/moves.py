"""The steps every order command is made of: load the order under a row lock,
make the lifecycle's move (status, history, timer) and announce its one event.
"""

import logging
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from services.orders import lifecycle
from services.orders.exceptions import OrderNotFound
from services.orders.models import HistoryEntry, Order
from services.orders.timing import Timings

logger = logging.getLogger(__name__)

DEFAULT_TIMINGS = Timings()


def now():
    return datetime.now(UTC)


def load_for_update(session, order_id):
    # one round trip for the order and every collection a command changes or
    # answers with (declines are few, mostly none: the join stays small); a
    # collection left to load lazily costs a round trip and a flush; only the
    # order's row is locked
    order = (
        session.execute(
            select(Order)
            .where(Order.id == order_id)
            .options(
                joinedload(Order.history),
                joinedload(Order.assignments),
                joinedload(Order.declines),
            )
            .with_for_update(of=Order)
        )
        .unique()
        .scalar_one_or_none()
    )
    if order is None:
        raise OrderNotFound(f"no order {order_id}")
    return order


def move(order, command, by, timings, reason=None, reason_code=None):
    """Make the lifecycle's move: new status, a history entry, and the timer
    of the new status in place of the old one."""
    step = lifecycle.transition(order.status, command)
    moment = now()
    order.status = step.target
    order.updated_at = moment
    order.timer_due_at = timings.due_at(step.target, order.priority, moment)
    order.history.append(
        HistoryEntry(
            status=step.target, by=by, at=moment, reason=reason, reason_code=reason_code
        )
    )
    return step, moment


def announce(uow, order, event_type, data):
    """Emit the move's one event and log the command."""
    event = uow.emit(event_type, {"order_id": order.id, **data}, subject=order.id)
    logger.info(
        "%s order_id=%s event_id=%s status=%s team_id=%s",
        event_type,
        order.id,
        event.id,
        order.status,
        order.team_id,
    )
    return order


def team_facts(order):
    """What events about a team's work on an order say, so it can be counted."""
    return {
        "team_id": order.team_id,
        "category": order.category,
        "community": order.community,
    }
