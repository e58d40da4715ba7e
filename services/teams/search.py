"""Browsing and searching the directory, a page at a time.

A keyword matches anywhere in a name or description (`ILIKE '%…%'` over the
search text of `keywords`), so a search answers while people type the first
characters of a Chinese name. PostgreSQL serves it from trigram GIN indexes
(pg_trgm); SQLite scans. Pages are ordered by name and id and continue from a
cursor.
"""

from sqlalchemy import and_, func, select, tuple_

from services.teams import directory, keywords, policy, rosters, volunteers
from services.teams.exceptions import TeamNotFound
from services.teams.models import Community, Membership, Team, TeamCategory, Volunteer
from services.teams.paging import page


def keyword(column, q):
    """Every word of `q` somewhere in `column`, whatever the case."""
    return and_(*(column.ilike(p, escape="\\") for p in keywords.patterns(q)))


def _page(session, query, model, filters):
    """One page of `query` in name order, and the cursor to the next."""
    if filters["cursor"] is not None:
        query = query.where(tuple_(model.name, model.id) > tuple_(*filters["cursor"]))
    # with a keyword, order by an expression the name index cannot give: the
    # planner then gathers the matches from the trigram index and sorts them.
    # Walking the name index instead and filtering looks as cheap to it, but
    # Chinese names cluster by surname, so the walk may read half the table
    # before it finds a page of 张 or 王.
    name = model.name + "" if filters["q"] else model.name
    limit = filters["limit"]
    rows = session.execute(query.order_by(name, model.id).limit(limit + 1)).all()
    return page(rows, limit, lambda row: (row[0].name, row[0].id))


def _members():
    return (
        select(func.count())
        .where(Membership.team_id == Team.id, Membership.left_at.is_(None))
        .correlate(Team)
        .scalar_subquery()
    )


def browse_teams(session, caller, filters):
    """Teams by keyword, category, street, community, kind and status:
    `{items, total, next_cursor}`; residents see professional teams."""
    limits = policy.browse_limits(caller)
    if any(filters.get(key) not in (None, value) for key, value in limits.items()):
        # asks only for teams the caller may not see (a resident's suspended
        # or general teams): there are none to show, not others instead
        return {"items": [], "total": 0, "next_cursor": None}
    filters = {**filters, **limits}
    query = (
        select(Team, Community.street, _members())
        .outerjoin(Community, Community.name == Team.community)
        .where(keyword(Team.search_text, filters["q"]))
    )
    if filters.get("category"):
        in_category = select(TeamCategory.team_id).where(
            TeamCategory.category == filters["category"]
        )
        query = query.where(Team.id.in_(in_category))
    if filters.get("street"):
        query = query.where(Community.street == filters["street"])
    for key in ("community", "kind", "status"):
        if filters.get(key):
            query = query.where(getattr(Team, key) == filters[key])
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    shown, next_cursor = _page(session, query, Team, filters)
    leaders = rosters.leaders_of(session, [team.id for team, _, _ in shown])
    items = [
        directory.team_view(caller, team, street, leaders.get(team.id, []), members)
        for team, street, members in shown
    ]
    # `total` counts every match, not the page: the directory's size is small
    return {"items": items, "total": total, "next_cursor": next_cursor}


def browse_volunteers(session, caller, filters):
    """Volunteers by keyword, community, team and status: `{items, next_cursor}`,
    held to the caller's community or team."""
    team_community = None
    if filters.get("team_id"):
        team = session.get(Team, filters["team_id"])
        if team is None:
            raise TeamNotFound(f"no team {filters['team_id']}")
        team_community = team.community
    community, team_id = policy.volunteer_scope(
        caller, filters.get("community"), filters.get("team_id"), team_community
    )
    query = select(Volunteer).where(
        keyword(Volunteer.search_text, filters["q"]),
        Volunteer.status == filters["status"],
    )
    if community:
        query = query.where(Volunteer.community == community)
    if team_id:
        members = select(Membership.volunteer_id).where(
            Membership.team_id == team_id, Membership.left_at.is_(None)
        )
        query = query.where(Volunteer.id.in_(members))
    rows, next_cursor = _page(session, query, Volunteer, filters)
    shown = [volunteer for (volunteer,) in rows]
    teams = volunteers.teams_of(session, [v.id for v in shown])
    items = [volunteers.volunteer_view(v, [t for t, _ in teams[v.id]]) for v in shown]
    return {"items": items, "next_cursor": next_cursor}
