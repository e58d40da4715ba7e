"""Who may do what to an order. Pure rules; the district admin may do anything."""

from eventing.identity import RESIDENT
from services.orders.exceptions import NotAllowed


def _require(allowed, reason):
    if not allowed:
        raise NotAllowed(reason)


def check_place(caller):
    _require(caller.is_admin or caller.role == RESIDENT, "only residents place orders")


def check_dispatch(caller, order):
    _require(
        caller.is_admin or caller.is_staff_of(order.community),
        f"only staff of {order.community} dispatch this order",
    )


def check_team_command(caller, order):
    _require(
        caller.is_admin or caller.leads(order.team_id),
        "only the leader of the team the order was dispatched to may do this",
    )


def check_confirm(caller, order):
    _require(
        caller.is_admin
        or caller.user_id == order.resident_id
        or caller.is_staff_of(order.community),
        "only the resident who placed the order or staff of its community confirm it",
    )


def check_view(caller, order):
    assigned = {a.volunteer_id for a in order.assignments}
    _require(
        caller.is_admin
        or caller.user_id == order.resident_id
        or caller.is_staff_of(order.community)
        or caller.leads(order.team_id)
        or (caller.volunteer_id is not None and caller.volunteer_id in assigned),
        "this order is not yours to see",
    )
