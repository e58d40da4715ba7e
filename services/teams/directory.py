"""Keeping the directory: plain functions over a unit of work."""

import logging
from datetime import UTC, datetime

from sqlalchemy import select

from eventing.identity import COMMUNITY_STAFF
from services.teams.exceptions import NotAllowed, TeamNotFound, VolunteerNotFound
from services.teams.models import Membership, Team, Volunteer

logger = logging.getLogger(__name__)


def now():
    return datetime.now(UTC)


def _check_staff_of(caller, community):
    if not (
        caller.is_admin
        or (caller.role == COMMUNITY_STAFF and caller.community == community)
    ):
        raise NotAllowed(f"only the admin or staff of {community} may do this")


def register_team(uow, caller, fields):
    """Add a team to the directory; emits TeamRegistered."""
    _check_staff_of(caller, fields["community"])
    team_id = uow.new_id()
    registered = uow.session.get(Team, team_id)
    if registered is not None:
        logger.info("team registered before team_id=%s", team_id)
        return registered
    team = Team(id=team_id, registered_at=now(), **fields)
    uow.session.add(team)
    event = uow.emit(
        "TeamRegistered",
        {
            "team_id": team.id,
            "name": team.name,
            "categories": team.categories,
            "community": team.community,
        },
        subject=team.id,
    )
    logger.info(
        "team registered team_id=%s event_id=%s community=%s",
        team.id,
        event.id,
        team.community,
    )
    return team


def register_volunteer(uow, caller, fields):
    """Register a volunteer; emits VolunteerRegistered."""
    _check_staff_of(caller, fields["community"])
    volunteer_id = uow.new_id()
    registered = uow.session.get(Volunteer, volunteer_id)
    if registered is not None:
        logger.info("volunteer registered before volunteer_id=%s", volunteer_id)
        return registered
    volunteer = Volunteer(id=volunteer_id, registered_at=now(), **fields)
    uow.session.add(volunteer)
    event = uow.emit(
        "VolunteerRegistered",
        {
            "volunteer_id": volunteer.id,
            "name": volunteer.name,
            "community": volunteer.community,
            "skills": volunteer.skills,
        },
        subject=volunteer.id,
    )
    logger.info(
        "volunteer registered volunteer_id=%s event_id=%s", volunteer.id, event.id
    )
    return volunteer


def add_member(uow, caller, team_id, volunteer_id):
    """Make a volunteer a member of a team; emits VolunteerJoinedTeam once."""
    team = uow.session.get(Team, team_id)
    if team is None:
        raise TeamNotFound(f"no team {team_id}")
    if not (
        caller.leads(team_id) or caller.is_admin or caller.is_staff_of(team.community)
    ):
        raise NotAllowed(
            f"only the admin, staff of {team.community} or this team's leader"
        )
    if uow.session.get(Volunteer, volunteer_id) is None:
        raise VolunteerNotFound(f"no volunteer {volunteer_id}")
    if uow.session.get(Membership, (team_id, volunteer_id)) is None:
        uow.session.add(
            Membership(team_id=team_id, volunteer_id=volunteer_id, joined_at=now())
        )
        event = uow.emit(
            "VolunteerJoinedTeam",
            {"team_id": team_id, "volunteer_id": volunteer_id},
            subject=team_id,
        )
        logger.info(
            "volunteer joined team_id=%s volunteer_id=%s event_id=%s",
            team_id,
            volunteer_id,
            event.id,
        )
    return team


def team_view(team, member_ids=None):
    view = {
        "id": team.id,
        "name": team.name,
        "categories": team.categories,
        "community": team.community,
        "contact_phone": team.contact_phone,
        "description": team.description,
    }
    if member_ids is not None:
        view["member_ids"] = member_ids
    return view


def get_team(session, team_id):
    team = session.get(Team, team_id)
    if team is None:
        raise TeamNotFound(f"no team {team_id}")
    members = list(
        session.scalars(
            select(Membership.volunteer_id)
            .where(Membership.team_id == team_id)
            .order_by(Membership.joined_at)
        )
    )
    return team_view(team, members)


def list_teams(session, category=None, community=None, limit=100, offset=0):
    query = select(Team)
    if community:
        query = query.where(Team.community == community)
    teams = session.scalars(query.order_by(Team.name, Team.id)).all()
    if category:
        # categories are a short JSON list; filtering here works the same on
        # PostgreSQL and SQLite
        teams = [t for t in teams if category in t.categories]
    total = len(teams)
    return {
        "items": [team_view(t) for t in teams[offset : offset + limit]],
        "total": total,
    }
