"""The order flow as plain functions over a unit of work.

Each command loads the order under a row lock (so two concurrent commands on
one order serialise), asks the lifecycle whether the move is legal, checks the
caller, changes the order, appends its history, re-arms its timer and emits
exactly one event, all in the caller's transaction.

This module holds the straight path, from placed to rated; `detours` holds
the turns off it and `timers` what happens when nobody acts.
"""

import logging

from sqlalchemy import select

from services.orders import lifecycle, policy
from services.orders.directory import ACTIVE
from services.orders.exceptions import (
    InvalidOrderInput,
    OrderNotFound,
    TeamDoesNotServe,
    TeamNotKnown,
    TeamUnavailable,
)
from services.orders.models import (
    Assignment,
    HistoryEntry,
    KnownMembership,
    KnownTeam,
    KnownVolunteer,
    Order,
)
from services.orders.moves import (
    DEFAULT_TIMINGS,
    announce,
    load_for_update,
    move,
    now,
    team_facts,
)
from services.orders.views import isoformat

logger = logging.getLogger(__name__)

NORMAL = "normal"


def place_order(uow, caller, fields, timings=DEFAULT_TIMINGS):
    """A resident asks for a service, or staff enter it for one; emits OrderPlaced."""
    fields = {"priority": NORMAL, **fields}
    on_behalf_of = fields.pop("on_behalf_of", None)
    policy.check_place(caller, fields["community"], on_behalf_of)
    order_id = uow.new_id()
    placed = uow.session.get(Order, order_id)
    if placed is not None:
        logger.info("order placed before order_id=%s", order_id)
        return placed
    moment = now()
    order = Order(
        id=order_id,
        resident_id=on_behalf_of or caller.user_id,
        entered_by=caller.user_id,
        status=lifecycle.PLACED,
        placed_at=moment,
        updated_at=moment,
        timer_due_at=timings.due_at(lifecycle.PLACED, fields["priority"], moment),
        # a new order's collections are known to be these: given here, the
        # answer reads them without a query each
        history=[HistoryEntry(status=lifecycle.PLACED, by=caller.user_id, at=moment)],
        assignments=[],
        declines=[],
        **fields,
    )
    uow.session.add(order)
    window = {k: isoformat(fields.get(k)) for k in ("wanted_from", "wanted_until")}
    facts = {k: fields[k] for k in ("category", "title", "description", "address")}
    return announce(
        uow,
        order,
        "OrderPlaced",
        {
            "resident_id": order.resident_id,
            "entered_by": order.entered_by,
            "community": order.community,
            "placed_at": moment.isoformat(),
            "priority": order.priority,
            **facts,
            **window,
        },
    )


def dispatch_order(uow, caller, order_id, team_id, timings=DEFAULT_TIMINGS):
    """Community staff hand a placed order to a team; emits OrderDispatched."""
    order = load_for_update(uow.session, order_id)
    policy.check_dispatch(caller, order)
    lifecycle.transition(order.status, "dispatch")
    team = uow.session.get(KnownTeam, team_id)
    if team is None:
        raise TeamNotKnown(f"no team {team_id}")
    if team.status != ACTIVE:
        raise TeamUnavailable(f"team {team_id} is {team.status}")
    if order.category not in team.categories:
        raise TeamDoesNotServe(
            f"team {team_id} does not serve {order.category}"
            f" (it serves {'、'.join(team.categories) or 'nothing yet'})"
        )
    order.team_id = team_id
    step, _ = move(order, "dispatch", caller.user_id, timings)
    data = {"team_id": team_id, "community": order.community}
    return announce(uow, order, step.event, {**data, "dispatched_by": caller.user_id})


def _check_serving(session, team_id, volunteer_ids):
    """Every volunteer is a current member of the team, and active."""
    members = set(
        session.scalars(
            select(KnownMembership.volunteer_id).where(
                KnownMembership.team_id == team_id,
                KnownMembership.volunteer_id.in_(volunteer_ids),
                KnownMembership.active.is_(True),
            )
        )
    )
    strangers = [v for v in volunteer_ids if v not in members]
    if strangers:
        raise InvalidOrderInput(
            f"not members of team {team_id}: {', '.join(strangers)}"
        )
    inactive = sorted(
        session.scalars(
            select(KnownVolunteer.id).where(
                KnownVolunteer.id.in_(volunteer_ids), KnownVolunteer.status != ACTIVE
            )
        )
    )
    if inactive:
        raise InvalidOrderInput(f"not active volunteers: {', '.join(inactive)}")


def accept_order(uow, caller, order_id, volunteer_ids, timings=DEFAULT_TIMINGS):
    """The team's leader accepts and assigns members; emits OrderAccepted."""
    order = load_for_update(uow.session, order_id)
    policy.check_team_command(caller, order)
    lifecycle.transition(order.status, "accept")
    volunteer_ids = sorted(set(volunteer_ids))
    _check_serving(uow.session, order.team_id, volunteer_ids)
    order.assignments = [Assignment(volunteer_id=v) for v in volunteer_ids]
    step, _ = move(order, "accept", caller.user_id, timings)
    data = {"team_id": order.team_id, "volunteer_ids": volunteer_ids}
    return announce(uow, order, step.event, {**data, "accepted_by": caller.user_id})


def start_order(uow, caller, order_id, timings=DEFAULT_TIMINGS):
    """The leader records the start or an assigned volunteer checks in;
    emits OrderStarted."""
    order = load_for_update(uow.session, order_id)
    policy.check_start(caller, order)
    step, _ = move(order, "start", caller.user_id, timings)
    checked_in = None if caller.leads(order.team_id) else caller.volunteer_id
    return announce(
        uow,
        order,
        step.event,
        {
            **team_facts(order),
            "started_by": caller.user_id,
            "volunteer_id": checked_in,
        },
    )


def report_service(uow, caller, order_id, minutes, timings=DEFAULT_TIMINGS):
    """The team's leader reports whole minutes per assigned volunteer;
    emits OrderServiceReported."""
    order = load_for_update(uow.session, order_id)
    policy.check_team_command(caller, order)
    lifecycle.transition(order.status, "report")
    assigned = {a.volunteer_id: a for a in order.assignments}
    unassigned = sorted(set(minutes) - set(assigned))
    if unassigned:
        raise InvalidOrderInput(f"not assigned to this order: {', '.join(unassigned)}")
    for volunteer_id, assignment in assigned.items():
        assignment.minutes = minutes.get(volunteer_id)
    step, _ = move(order, "report", caller.user_id, timings)
    data = {"team_id": order.team_id, "minutes": dict(minutes)}
    return announce(uow, order, step.event, {**data, "reported_by": caller.user_id})


def confirm_order(uow, caller, order_id, timings=DEFAULT_TIMINGS):
    """The resident or staff confirm the report (staff alone once it is
    disputed); emits OrderCompleted, which the points service turns into points."""
    order = load_for_update(uow.session, order_id)
    policy.check_confirm(caller, order)
    return complete(uow, order, "confirm", caller.user_id, timings)


def complete(uow, order, command, by, timings):
    """Complete the order by `command`; its reported minutes become final."""
    step, moment = move(order, command, by, timings)
    minutes = {a.volunteer_id: a.minutes for a in order.assignments if a.minutes}
    return announce(
        uow,
        order,
        step.event,
        {
            "category": order.category,
            "community": order.community,
            "team_id": order.team_id,
            "minutes": minutes,
            "completed_at": moment.isoformat(),
            "confirmed_by": by,
        },
    )


def rate_order(uow, caller, order_id, stars, comment, timings=DEFAULT_TIMINGS):
    """The resident rates the completed service, once; emits OrderRated."""
    order = load_for_update(uow.session, order_id)
    policy.check_resident(caller, order)
    step, _ = move(order, "rate", caller.user_id, timings)
    order.rating_stars, order.rating_comment = stars, comment
    return announce(
        uow,
        order,
        step.event,
        {
            **team_facts(order),
            "stars": stars,
            "comment": comment,
            "rated_by": caller.user_id,
        },
    )


def get_order(session, caller, order_id):
    order = session.get(Order, order_id)
    if order is None:
        raise OrderNotFound(f"no order {order_id}")
    policy.check_view(caller, order)
    return order
