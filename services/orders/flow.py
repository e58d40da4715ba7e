"""The order flow as plain functions over a unit of work.

Each command loads the order under a row lock (so two concurrent commands on
one order serialise), asks the lifecycle whether the move is legal, checks the
caller, changes the order, appends its history and emits exactly one event,
all in the caller's transaction.
"""

import logging
from datetime import UTC, datetime

from sqlalchemy import select

from services.orders import lifecycle, policy
from services.orders.exceptions import InvalidOrderInput, OrderNotFound, TeamNotKnown
from services.orders.models import (
    Assignment,
    HistoryEntry,
    KnownMembership,
    KnownTeam,
    Order,
)

logger = logging.getLogger(__name__)


def now():
    return datetime.now(UTC)


def _isoformat(moment):
    # SQLite hands back naive datetimes; every time we store is UTC
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.isoformat()


def _load_for_update(session, order_id):
    order = session.execute(
        select(Order).where(Order.id == order_id).with_for_update()
    ).scalar_one_or_none()
    if order is None:
        raise OrderNotFound(f"no order {order_id}")
    return order


def _move(order, command, caller, reason=None):
    move = lifecycle.transition(order.status, command)
    moment = now()
    order.status = move.target
    order.updated_at = moment
    order.history.append(
        HistoryEntry(status=move.target, by=caller.user_id, at=moment, reason=reason)
    )
    return move, moment


def place_order(uow, caller, fields):
    """A resident asks for a service; emits OrderPlaced."""
    policy.check_place(caller)
    order_id = uow.new_id()
    placed = uow.session.get(Order, order_id)
    if placed is not None:
        logger.info("order placed before order_id=%s", order_id)
        return placed
    moment = now()
    order = Order(
        id=order_id,
        resident_id=caller.user_id,
        entered_by=caller.user_id,
        status=lifecycle.PLACED,
        placed_at=moment,
        updated_at=moment,
        **fields,
    )
    order.history.append(
        HistoryEntry(status=lifecycle.PLACED, by=caller.user_id, at=moment)
    )
    uow.session.add(order)
    event = uow.emit(
        "OrderPlaced",
        {
            "order_id": order.id,
            "resident_id": order.resident_id,
            "entered_by": order.entered_by,
            "placed_at": moment.isoformat(),
            **fields,
        },
        subject=order.id,
    )
    logger.info(
        "order placed order_id=%s event_id=%s community=%s",
        order.id,
        event.id,
        order.community,
    )
    return order


def dispatch_order(uow, caller, order_id, team_id):
    """Community staff hand a placed order to a team; emits OrderDispatched."""
    order = _load_for_update(uow.session, order_id)
    policy.check_dispatch(caller, order)
    lifecycle.transition(order.status, "dispatch")
    if uow.session.get(KnownTeam, team_id) is None:
        raise TeamNotKnown(f"no team {team_id}")
    order.team_id = team_id
    move, _ = _move(order, "dispatch", caller)
    event = uow.emit(
        move.event,
        {
            "order_id": order.id,
            "team_id": team_id,
            "community": order.community,
            "dispatched_by": caller.user_id,
        },
        subject=order.id,
    )
    logger.info(
        "order dispatched order_id=%s event_id=%s team_id=%s",
        order.id,
        event.id,
        team_id,
    )
    return order


def accept_order(uow, caller, order_id, volunteer_ids):
    """The team's leader accepts and assigns members; emits OrderAccepted."""
    order = _load_for_update(uow.session, order_id)
    policy.check_team_command(caller, order)
    lifecycle.transition(order.status, "accept")
    volunteer_ids = sorted(set(volunteer_ids))
    members = set(
        uow.session.scalars(
            select(KnownMembership.volunteer_id).where(
                KnownMembership.team_id == order.team_id,
                KnownMembership.volunteer_id.in_(volunteer_ids),
            )
        )
    )
    strangers = [v for v in volunteer_ids if v not in members]
    if strangers:
        raise InvalidOrderInput(
            f"not members of team {order.team_id}: {', '.join(strangers)}"
        )
    order.assignments = [Assignment(volunteer_id=v) for v in volunteer_ids]
    move, _ = _move(order, "accept", caller)
    event = uow.emit(
        move.event,
        {
            "order_id": order.id,
            "team_id": order.team_id,
            "volunteer_ids": volunteer_ids,
            "accepted_by": caller.user_id,
        },
        subject=order.id,
    )
    logger.info(
        "order accepted order_id=%s event_id=%s volunteers=%d",
        order.id,
        event.id,
        len(volunteer_ids),
    )
    return order


def report_service(uow, caller, order_id, minutes):
    """The team's leader reports whole minutes per assigned volunteer;
    emits OrderServiceReported."""
    order = _load_for_update(uow.session, order_id)
    policy.check_team_command(caller, order)
    lifecycle.transition(order.status, "report")
    assigned = {a.volunteer_id: a for a in order.assignments}
    unassigned = sorted(set(minutes) - set(assigned))
    if unassigned:
        raise InvalidOrderInput(f"not assigned to this order: {', '.join(unassigned)}")
    for volunteer_id, assignment in assigned.items():
        assignment.minutes = minutes.get(volunteer_id)
    move, _ = _move(order, "report", caller)
    event = uow.emit(
        move.event,
        {
            "order_id": order.id,
            "team_id": order.team_id,
            "minutes": dict(minutes),
            "reported_by": caller.user_id,
        },
        subject=order.id,
    )
    logger.info(
        "service reported order_id=%s event_id=%s minutes=%d",
        order.id,
        event.id,
        sum(minutes.values()),
    )
    return order


def confirm_order(uow, caller, order_id):
    """The resident or staff confirm the report; emits OrderCompleted, which
    the points service turns into points."""
    order = _load_for_update(uow.session, order_id)
    policy.check_confirm(caller, order)
    move, moment = _move(order, "confirm", caller)
    event = uow.emit(
        move.event,
        {
            "order_id": order.id,
            "category": order.category,
            "community": order.community,
            "team_id": order.team_id,
            "minutes": {
                a.volunteer_id: a.minutes for a in order.assignments if a.minutes
            },
            "completed_at": moment.isoformat(),
            "confirmed_by": caller.user_id,
        },
        subject=order.id,
    )
    logger.info("order completed order_id=%s event_id=%s", order.id, event.id)
    return order


def get_order(session, caller, order_id):
    order = session.get(Order, order_id)
    if order is None:
        raise OrderNotFound(f"no order {order_id}")
    policy.check_view(caller, order)
    return order


def order_view(order):
    """The order as callers see it, with its whole history."""
    return {
        "id": order.id,
        "status": order.status,
        "category": order.category,
        "title": order.title,
        "description": order.description,
        "community": order.community,
        "address": order.address,
        "resident_id": order.resident_id,
        "entered_by": order.entered_by,
        "team_id": order.team_id,
        "volunteers": [
            {"volunteer_id": a.volunteer_id, "minutes": a.minutes}
            for a in order.assignments
        ],
        "placed_at": _isoformat(order.placed_at),
        "updated_at": _isoformat(order.updated_at),
        "history": [
            {
                "status": h.status,
                "by": h.by,
                "at": _isoformat(h.at),
                **({"reason": h.reason} if h.reason else {}),
            }
            for h in order.history
        ],
    }
