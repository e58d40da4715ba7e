"""Who may do what to an order. Pure rules; the district admin may do anything."""

from eventing.identity import COMMUNITY_STAFF, RESIDENT, TEAM_LEADER, VOLUNTEER
from services.orders.exceptions import NotAllowed
from services.orders.lifecycle import DISPUTED


def _require(allowed, reason):
    if not allowed:
        raise NotAllowed(reason)


def _assigned(caller, order):
    assigned = {a.volunteer_id for a in order.assignments}
    return caller.volunteer_id is not None and caller.volunteer_id in assigned


def check_place(caller, community, on_behalf_of=None):
    if on_behalf_of is None:
        _require(
            caller.is_admin or caller.role == RESIDENT,
            "only residents place their own orders; staff name the resident "
            "in on_behalf_of",
        )
        # a resident asks for help where they live: the community on their
        # account, when it names one
        _require(
            caller.is_admin or caller.community in (None, community),
            f"a resident of {caller.community} places orders in {caller.community}, "
            f"not {community}",
        )
    else:
        _require(
            caller.is_admin or caller.is_staff_of(community),
            f"only staff of {community} enter orders on behalf of its residents",
        )


def check_staff(caller, community):
    _require(
        caller.is_admin or caller.is_staff_of(community),
        f"only staff of {community} may do this",
    )


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


def check_start(caller, order):
    _require(
        caller.is_admin or caller.leads(order.team_id) or _assigned(caller, order),
        "only the team's leader or a volunteer assigned to the order starts it",
    )


def check_resident(caller, order):
    _require(
        caller.is_admin or caller.user_id == order.resident_id,
        "only the resident the order is for may do this",
    )


def check_confirm(caller, order):
    if order.status == DISPUTED:
        _require(
            caller.is_admin or caller.is_staff_of(order.community),
            f"a disputed order is resolved by staff of {order.community}",
        )
    check_cancel(caller, order)


def check_cancel(caller, order):
    _require(
        caller.is_admin
        or caller.user_id == order.resident_id
        or caller.is_staff_of(order.community),
        "only the resident the order is for or staff of its community may do this",
    )


def check_view(caller, order):
    _require(
        caller.is_admin
        or caller.user_id == order.resident_id
        or caller.is_staff_of(order.community)
        or caller.leads(order.team_id)
        or _assigned(caller, order),
        "this order is not yours to see",
    )


def list_scope(caller, filters):
    """The filters a caller's list query must keep: their own orders, their
    team's, those assigned to them or their community's."""
    if caller.is_admin:
        return {}
    if caller.volunteer_id and filters.get("volunteer") == caller.volunteer_id:
        # whatever the role, someone who also volunteers may list the orders
        # assigned to them
        return {"volunteer": caller.volunteer_id}
    scope = {
        RESIDENT: ("resident", caller.user_id),
        TEAM_LEADER: ("team", caller.team_id),
        VOLUNTEER: ("volunteer", caller.volunteer_id),
        COMMUNITY_STAFF: ("community", caller.community),
    }.get(caller.role)
    _require(scope is not None and scope[1], "you have no orders to list")
    key, value = scope
    _require(
        filters.get(key) in (None, value), f"you may only list orders of your {key}"
    )
    return {key: value}
