"""Joining and leaving teams. A membership that ends is kept, with its
version, so a later join counts on from it."""

import logging
from datetime import UTC, datetime

from services.teams import directory, policy
from services.teams.exceptions import (
    MembershipNotFound,
    VolunteerConflict,
    VolunteerNotFound,
)
from services.teams.models import ACTIVE, LEADER, MEMBER, Membership, Volunteer

logger = logging.getLogger(__name__)


def now():
    return datetime.now(UTC)


def add_member(uow, caller, team_id, volunteer_id):
    """Make a volunteer a member of a team; emits VolunteerJoinedTeam once."""
    team = directory.lock_team(uow.session, team_id)
    policy.check_members_change(caller, team)
    volunteer = uow.session.get(Volunteer, volunteer_id)
    if volunteer is None:
        raise VolunteerNotFound(f"no volunteer {volunteer_id}")
    if volunteer.status != ACTIVE:
        raise VolunteerConflict(f"volunteer {volunteer_id} is {volunteer.status}")
    membership = uow.session.get(Membership, (team_id, volunteer_id))
    if membership is not None and membership.left_at is None:
        return team
    if membership is None:
        membership = Membership(team_id=team_id, volunteer_id=volunteer_id, version=0)
        uow.session.add(membership)
    membership.role, membership.joined_at, membership.left_at = MEMBER, now(), None
    membership.version += 1
    data = {"team_id": team_id, "volunteer_id": volunteer_id}
    event = uow.emit(
        "VolunteerJoinedTeam", {**data, "version": membership.version}, subject=team_id
    )
    logger.info(
        "volunteer joined team_id=%s volunteer_id=%s event_id=%s",
        team_id,
        volunteer_id,
        event.id,
    )
    return team


def remove_member(uow, caller, team_id, volunteer_id):
    """End a membership; emits VolunteerLeftTeam, and TeamUpdated if a leader left."""
    team = directory.lock_team(uow.session, team_id)
    policy.check_leaving(caller, team, volunteer_id)
    membership = uow.session.get(Membership, (team_id, volunteer_id))
    if membership is None or membership.left_at is not None:
        raise MembershipNotFound(f"{volunteer_id} is not a member of team {team_id}")
    was_leader = membership.role == LEADER
    membership.role, membership.left_at = MEMBER, now()
    membership.version += 1
    data = {"team_id": team_id, "volunteer_id": volunteer_id}
    data.update(removed_by=caller.user_id, version=membership.version)
    event = uow.emit("VolunteerLeftTeam", data, subject=team_id)
    logger.info(
        "volunteer left team_id=%s volunteer_id=%s event_id=%s",
        team_id,
        volunteer_id,
        event.id,
    )
    if was_leader:
        uow.session.flush()
        directory.emit_team_updated(uow, team, ["leader_ids"], caller.user_id)
    return team
