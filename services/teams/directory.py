"""Keeping the teams: plain functions over a unit of work.

Every change to a team or a membership takes the team's row lock first, so
concurrent commands on one team serialise and each event gets the next
version number of what it changed.
"""

import logging
from datetime import UTC, datetime

from sqlalchemy import select

from services.teams import keywords, places, policy, rosters
from services.teams.exceptions import (
    InvalidDirectoryInput,
    TeamNotFound,
)
from services.teams.models import (
    ACTIVE,
    SUSPENDED,
    Team,
    TeamCategory,
)

logger = logging.getLogger(__name__)

# the fields a TeamUpdated reports as changed; status moves have their own events
DESCRIBED = ("name", "kind", "categories", "community", "station_id")
DESCRIBED += ("contact_phone", "description", "founded_on", "leader_ids")


def now():
    return datetime.now(UTC)


def set_categories(team, categories):
    team.category_rows = [
        TeamCategory(category=category, position=position)
        for position, category in enumerate(dict.fromkeys(categories))
    ]


def team_event(team, street, leaders):
    """What TeamRegistered and TeamUpdated say about a team."""
    return {
        "team_id": team.id,
        "name": team.name,
        "categories": team.categories,
        "community": team.community,
        "street": street,
        "leader_ids": leaders,
        "kind": team.kind,
        "station_id": team.station_id,
        "version": team.version,
    }


def register_team(uow, caller, fields):
    """Add a team to the directory; emits TeamRegistered."""
    policy.check_staff_of(caller, fields["community"])
    team_id = uow.new_id()
    registered = uow.session.get(Team, team_id)
    if registered is not None:
        logger.info("team registered before team_id=%s", team_id)
        return registered
    street = places.community(uow.session, fields["community"]).street
    if fields["station_id"]:
        places.station_in(uow.session, fields["station_id"], fields["community"])
    fields = dict(fields)
    team = Team(id=team_id, registered_at=now(), version=1, status=ACTIVE)
    set_categories(team, fields.pop("categories"))
    for key, value in fields.items():
        setattr(team, key, value)
    team.search_text = keywords.searchable(team.name, team.description)
    uow.session.add(team)
    event = uow.emit("TeamRegistered", team_event(team, street, []), subject=team.id)
    logger.info(
        "team registered team_id=%s event_id=%s community=%s",
        team.id,
        event.id,
        team.community,
    )
    return team


def lock_team(session, team_id):
    team = session.execute(
        select(Team).where(Team.id == team_id).with_for_update()
    ).scalar_one_or_none()
    if team is None:
        raise TeamNotFound(f"no team {team_id}")
    return team


def normalised(changes):
    changes = dict(changes)
    if "leader_ids" in changes:
        changes["leader_ids"] = sorted(set(changes["leader_ids"]))
    if "categories" in changes:
        changes["categories"] = list(dict.fromkeys(changes["categories"]))
    return changes


def _changed(team, changes, leaders):
    current = {key: getattr(team, key) for key in DESCRIBED if key != "leader_ids"}
    current["leader_ids"] = leaders
    return [key for key in DESCRIBED if key in changes and changes[key] != current[key]]


def _check_changes(session, team, changes):
    community = changes.get("community", team.community)
    places.community(session, community)
    station_id = changes.get("station_id", team.station_id)
    if station_id:
        places.station_in(session, station_id, community)
    if "leader_ids" in changes:
        members = set(rosters.active_member_ids(session, team.id))
        strangers = sorted(set(changes["leader_ids"]) - members)
        if strangers:
            raise InvalidDirectoryInput(
                f"leaders must be members of the team: {', '.join(strangers)}"
            )


def update_team(uow, caller, team_id, changes):
    """Change a team's details, leaders or status; emits TeamUpdated,
    TeamSuspended or TeamReactivated for what actually changed."""
    team = lock_team(uow.session, team_id)
    changes = normalised(changes)
    policy.check_team_change(caller, team, changes)
    _check_changes(uow.session, team, changes)
    changed = _changed(team, changes, rosters.leader_ids(uow.session, team_id))
    if changed:
        apply_changes(uow.session, team, {key: changes[key] for key in changed})
        emit_team_updated(uow, team, changed, caller.user_id)
    status = changes.get("status", team.status)
    if status != team.status:
        change_status(uow, team, status, changes.get("reason"), caller.user_id)
    return team


def apply_changes(session, team, changes):
    changes = dict(changes)
    if "leader_ids" in changes:
        rosters.set_leaders(session, team.id, changes.pop("leader_ids"))
    if "categories" in changes:
        set_categories(team, changes.pop("categories"))
    for key, value in changes.items():
        setattr(team, key, value)
    team.search_text = keywords.searchable(team.name, team.description)
    team.updated_at = now()


def emit_team_updated(uow, team, changed, by):
    team.version += 1
    street = places.street_of(uow.session, team.community)
    data = {
        **team_event(team, street, rosters.leader_ids(uow.session, team.id)),
        "status": team.status,
        "changed": changed,
        "updated_by": by,
    }
    event = uow.emit("TeamUpdated", data, subject=team.id)
    logger.info(
        "team updated team_id=%s event_id=%s changed=%s",
        team.id,
        event.id,
        ",".join(changed),
    )


def change_status(uow, team, status, reason, by):
    team.status, team.status_reason = status, reason
    team.version += 1
    team.updated_at = now()
    if status == SUSPENDED:
        data = {"team_id": team.id, "reason": reason, "suspended_by": by}
        data["version"] = team.version
        event = uow.emit("TeamSuspended", data, subject=team.id)
    else:
        data = {"team_id": team.id, "reactivated_by": by, "version": team.version}
        event = uow.emit("TeamReactivated", data, subject=team.id)
    logger.info(
        "team status team_id=%s event_id=%s status=%s", team.id, event.id, status
    )


def _visible_team(session, caller, team_id):
    team = session.get(Team, team_id)
    if team is None or not policy.sees_team(caller, team):
        raise TeamNotFound(f"no team {team_id}")
    return team


def get_team(session, caller, team_id):
    """One team, with its members for those who look after it."""
    team = _visible_team(session, caller, team_id)
    members = rosters.active_member_ids(session, team_id)
    street = places.street_of(session, team.community)
    view = team_view(
        caller, team, street, rosters.leader_ids(session, team_id), len(members)
    )
    if policy.sees_members(caller, team):
        view["member_ids"] = members
    return view


def team_view(caller, team, street, leaders, member_count):
    view = {
        "id": team.id,
        "name": team.name,
        "kind": team.kind,
        "categories": team.categories,
        "community": team.community,
        "street": street,
        "station_id": team.station_id,
        "description": team.description,
        "founded_on": team.founded_on.isoformat() if team.founded_on else None,
        "status": team.status,
        "leader_ids": leaders,
        "member_count": member_count,
    }
    if policy.sees_contact(caller, team):
        view["contact_phone"] = team.contact_phone
    return view
