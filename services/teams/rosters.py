"""Who is in a team and who leads it: queries and writes on memberships."""

from sqlalchemy import select

from services.teams.models import LEADER, MEMBER, Membership


def leader_ids(session, team_id):
    return leaders_of(session, [team_id]).get(team_id, [])


def leaders_of(session, team_ids):
    """Each team's current leaders, as {team_id: [volunteer ids]}."""
    found = {}
    rows = session.execute(
        select(Membership.team_id, Membership.volunteer_id)
        .where(
            Membership.team_id.in_(team_ids),
            Membership.role == LEADER,
            Membership.left_at.is_(None),
        )
        .order_by(Membership.volunteer_id)
    )
    for team_id, volunteer_id in rows:
        found.setdefault(team_id, []).append(volunteer_id)
    return found


def set_leaders(session, team_id, leaders):
    for membership in session.scalars(
        select(Membership).where(
            Membership.team_id == team_id, Membership.left_at.is_(None)
        )
    ):
        membership.role = LEADER if membership.volunteer_id in leaders else MEMBER


def active_member_ids(session, team_id):
    return list(
        session.scalars(
            select(Membership.volunteer_id)
            .where(Membership.team_id == team_id, Membership.left_at.is_(None))
            .order_by(Membership.joined_at, Membership.volunteer_id)
        )
    )
