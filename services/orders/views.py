"""How orders look to callers: every command and query answers with these."""

from datetime import UTC


def isoformat(moment):
    if moment is None:
        return None
    # SQLite hands back naive datetimes, every time we store is UTC, and
    # PostgreSQL answers in its session's zone: show every time in UTC
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat()


def order_summary(order):
    """The order without its history: what lists and boards show."""
    return {
        "id": order.id,
        "status": order.status,
        "category": order.category,
        "title": order.title,
        "description": order.description,
        "community": order.community,
        "address": order.address,
        "priority": order.priority,
        "wanted_from": isoformat(order.wanted_from),
        "wanted_until": isoformat(order.wanted_until),
        "resident_id": order.resident_id,
        "entered_by": order.entered_by,
        "team_id": order.team_id,
        "volunteers": [
            {"volunteer_id": a.volunteer_id, "minutes": a.minutes}
            for a in order.assignments
        ],
        "rating": (
            {"stars": order.rating_stars, "comment": order.rating_comment}
            if order.rating_stars
            else None
        ),
        "placed_at": isoformat(order.placed_at),
        "updated_at": isoformat(order.updated_at),
        # when the order expires or completes by itself if nobody acts
        "due_at": isoformat(order.timer_due_at),
    }


def history_entry(entry):
    view = {"status": entry.status, "by": entry.by, "at": isoformat(entry.at)}
    if entry.reason:
        view["reason"] = entry.reason
    if entry.reason_code:
        view["reason_code"] = entry.reason_code
    return view


def order_view(order):
    """The order as callers see it, with its whole history and the teams
    that declined it."""
    return {
        **order_summary(order),
        "declined_by_teams": sorted({d.team_id for d in order.declines}),
        "history": [history_entry(h) for h in order.history],
    }
