"""Reading orders: the scoped list, a community's board and the teams to
suggest for dispatch. Reads only; nothing here emits."""

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import selectinload

from services.orders import lifecycle, policy
from services.orders.exceptions import InvalidOrderInput, OrderNotFound
from services.orders.models import Assignment, KnownTeam, Order
from services.orders.schemas import encode_cursor
from services.orders.views import order_summary

COLUMN_FILTERS = {
    "community": Order.community,
    "team": Order.team_id,
    "category": Order.category,
    "resident": Order.resident_id,
}


def _conditions(filters):
    conditions = [
        COLUMN_FILTERS[key] == value
        for key, value in filters.items()
        if key in COLUMN_FILTERS and value is not None
    ]
    if filters.get("status"):
        conditions.append(Order.status.in_(filters["status"]))
    if filters.get("volunteer"):
        assigned = select(Assignment.order_id).where(
            Assignment.volunteer_id == filters["volunteer"]
        )
        conditions.append(Order.id.in_(assigned))
    if filters.get("placed_from"):
        conditions.append(Order.placed_at >= filters["placed_from"])
    if filters.get("placed_to"):
        conditions.append(Order.placed_at < filters["placed_to"])
    return conditions


def _after(cursor):
    # newest first; the id breaks ties between orders placed the same instant
    placed_at, order_id = cursor
    return or_(
        Order.placed_at < placed_at,
        and_(Order.placed_at == placed_at, Order.id < order_id),
    )


def list_orders(session, caller, filters, limit=20, cursor=None):
    """A page of orders the caller may see, newest first, and the cursor of
    the next page (None on the last)."""
    filters = {**filters, **policy.list_scope(caller, filters)}
    query = select(Order).where(*_conditions(filters))
    if cursor is not None:
        query = query.where(_after(cursor))
    query = query.order_by(Order.placed_at.desc(), Order.id.desc()).limit(limit + 1)
    orders = session.scalars(query.options(selectinload(Order.assignments))).all()
    page = orders[:limit]
    more = len(orders) > limit
    return {
        "items": [order_summary(order) for order in page],
        "next_cursor": encode_cursor(page[-1].placed_at, page[-1].id) if more else None,
    }


def board(session, caller, community, limit=10):
    """A community's orders at a glance: counts by status, those waiting
    longest for a team, and those whose expiry comes soonest. Staff see their
    own community's unless they name another (which they may not)."""
    community = community or caller.community
    if community is None:
        raise InvalidOrderInput("name the community whose board to show")
    policy.check_staff(caller, community)
    counted = session.execute(
        select(Order.status, func.count())
        .where(Order.community == community)
        .group_by(Order.status)
    ).all()
    counts = {status: 0 for status in sorted(lifecycle.STATES)} | dict(counted)
    waiting = select(Order).where(
        Order.community == community, Order.status.in_(lifecycle.WAITING)
    )
    oldest = waiting.order_by(Order.placed_at, Order.id).limit(limit)
    soonest = (
        waiting.where(Order.timer_due_at.is_not(None))
        .order_by(Order.timer_due_at, Order.id)
        .limit(limit)
    )
    return {
        "community": community,
        "counts": counts,
        "total": sum(counts.values()),
        "waiting_longest": [order_summary(o) for o in session.scalars(oldest)],
        "near_expiry": [order_summary(o) for o in session.scalars(soonest)],
    }


def suggested_teams(session, caller, order_id, limit=10):
    """Teams of the order's category in its community or on its street,
    fewest open orders first and then best rated, without those that declined."""
    order = session.get(Order, order_id)
    if order is None:
        raise OrderNotFound(f"no order {order_id}")
    policy.check_staff(caller, order.community)
    declined = {d.team_id for d in order.declines}
    teams = [
        team
        for team in _nearby_teams(session, order.community)
        if order.category in team.categories and team.id not in declined
    ]
    loads, ratings = _open_loads(session, teams), _ratings(session, teams)
    items = [_suggestion(t, order, loads, ratings) for t in teams]
    items.sort(
        key=lambda s: (
            s["open_orders"],
            -(s["average_rating"] or 0),
            not s["same_community"],
            s["name"],
        )
    )
    return {"order_id": order.id, "items": items[:limit]}


def _nearby_teams(session, community):
    # a community's street is the one its own teams name; "near" means on it
    streets = select(KnownTeam.street).where(
        KnownTeam.community == community, KnownTeam.street.is_not(None)
    )
    return session.scalars(
        select(KnownTeam).where(
            or_(KnownTeam.community == community, KnownTeam.street.in_(streets))
        )
    ).all()


def _open_loads(session, teams):
    rows = session.execute(
        select(Order.team_id, func.count())
        .where(
            Order.team_id.in_([t.id for t in teams]),
            Order.status.in_(lifecycle.OPEN_FOR_TEAM),
        )
        .group_by(Order.team_id)
    )
    return dict(rows.all())


def _ratings(session, teams):
    rows = session.execute(
        select(Order.team_id, func.avg(Order.rating_stars), func.count())
        .where(
            Order.team_id.in_([t.id for t in teams]), Order.rating_stars.is_not(None)
        )
        .group_by(Order.team_id)
    )
    return {team_id: (float(avg), count) for team_id, avg, count in rows}


def _suggestion(team, order, loads, ratings):
    average, count = ratings.get(team.id, (None, 0))
    return {
        "team_id": team.id,
        "name": team.name,
        "community": team.community,
        "street": team.street,
        "same_community": team.community == order.community,
        "open_orders": loads.get(team.id, 0),
        "average_rating": None if average is None else round(average, 2),
        "ratings": count,
    }
