"""Leaderboards: points earned by service in a period, by volunteer, team or
community. A reversed credit no longer counts; spending points never lowers a
place, since only credits and their reversals are counted."""

from sqlalchemy import case, func, select

from services.points.models import ORDER_CREDIT, REVERSAL, Transfer

GROUPS = {
    "volunteer": Transfer.volunteer_id,
    "team": Transfer.team_id,
    "community": Transfer.community,
}


def leaderboard(session, by, start, end, community=None, team_id=None, limit=20):
    """The top `limit` of `by` for orders completed from `start` to `end`."""
    key = GROUPS[by]
    sign = case((Transfer.kind == ORDER_CREDIT, 1), else_=-1)
    points = func.sum(sign * Transfer.amount).label("points")
    minutes = func.sum(sign * func.coalesce(Transfer.minutes, 0)).label("minutes")
    query = (
        select(key.label("key"), points, minutes)
        .where(
            Transfer.kind.in_([ORDER_CREDIT, REVERSAL]),
            Transfer.earned_on >= start,
            Transfer.earned_on <= end,
        )
        .group_by(key)
        .having(func.sum(sign * Transfer.amount) > 0)
        .order_by(points.desc(), key)
        .limit(limit)
    )
    if community is not None:
        query = query.where(Transfer.community == community)
    if team_id is not None:
        query = query.where(Transfer.team_id == team_id)
    rows = session.execute(query).all()
    return {
        "by": by,
        "from": start.isoformat(),
        "to": end.isoformat(),
        "community": community,
        "team_id": team_id,
        "items": _ranked(rows, by),
    }


def _ranked(rows, by):
    """Standard competition ranking: equal points share a place (1, 2, 2, 4)."""
    items, rank = [], 0
    for position, row in enumerate(rows, start=1):
        if not items or row.points != items[-1]["points"]:
            rank = position
        items.append(
            {
                "rank": rank,
                f"{by}_id" if by != "community" else by: row.key,
                "points": int(row.points),
                "minutes": int(row.minutes),
            }
        )
    return items
