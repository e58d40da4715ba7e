"""The commands that turn an order off its straight path: staff reject it, a
team declines it, the resident disputes a report and staff send it back, the
resident or staff cancel it. Each emits exactly one event whose data says why,
so unmet demand can be counted by reason, category and community.
"""

from services.orders import policy
from services.orders.models import Decline
from services.orders.moves import (
    DEFAULT_TIMINGS,
    announce,
    load_for_update,
    move,
    team_facts,
)


def _demand(order):
    return {"category": order.category, "community": order.community}


def reject_order(uow, caller, order_id, reason_code, note, timings=DEFAULT_TIMINGS):
    """Staff turn a placed order down with a reason code; emits OrderRejected."""
    order = load_for_update(uow.session, order_id)
    policy.check_staff(caller, order.community)
    step, _ = move(
        order, "reject", caller.user_id, timings, note or reason_code, reason_code
    )
    return announce(
        uow,
        order,
        step.event,
        {
            **_demand(order),
            "reason_code": reason_code,
            "note": note,
            "rejected_by": caller.user_id,
        },
    )


def decline_order(uow, caller, order_id, reason, timings=DEFAULT_TIMINGS):
    """The team's leader turns a dispatched order down; it returns to the
    community and the team is not suggested for it again; emits OrderDeclined."""
    order = load_for_update(uow.session, order_id)
    policy.check_team_command(caller, order)
    step, moment = move(order, "decline", caller.user_id, timings, reason)
    team_id, order.team_id = order.team_id, None
    order.declines.append(Decline(team_id=team_id, reason=reason, at=moment))
    return announce(
        uow,
        order,
        step.event,
        {
            **_demand(order),
            "team_id": team_id,
            "reason": reason,
            "declined_by": caller.user_id,
        },
    )


def dispute_order(uow, caller, order_id, reason, timings=DEFAULT_TIMINGS):
    """The resident disputes the team's report; emits OrderDisputed."""
    order = load_for_update(uow.session, order_id)
    policy.check_resident(caller, order)
    step, _ = move(order, "dispute", caller.user_id, timings, reason)
    return announce(
        uow,
        order,
        step.event,
        {**team_facts(order), "reason": reason, "disputed_by": caller.user_id},
    )


def request_report(uow, caller, order_id, reason, timings=DEFAULT_TIMINGS):
    """Staff resolve a dispute by asking the team to report again;
    emits OrderReportRequested."""
    order = load_for_update(uow.session, order_id)
    policy.check_staff(caller, order.community)
    step, _ = move(order, "request_report", caller.user_id, timings, reason)
    return announce(
        uow,
        order,
        step.event,
        {**team_facts(order), "reason": reason, "requested_by": caller.user_id},
    )


def cancel_order(uow, caller, order_id, reason, timings=DEFAULT_TIMINGS):
    """The resident or staff cancel before service starts; emits OrderCancelled."""
    order = load_for_update(uow.session, order_id)
    policy.check_cancel(caller, order)
    stage = order.status
    step, _ = move(order, "cancel", caller.user_id, timings, reason)
    return announce(
        uow,
        order,
        step.event,
        {
            **_demand(order),
            "team_id": order.team_id,
            "stage": stage,
            "reason": reason,
            "cancelled_by": caller.user_id,
        },
    )
