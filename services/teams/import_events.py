"""The team events an import owes once its rows are written: TeamRegistered
for each new team with its leaders, TeamUpdated for each team whose details
or leaders changed, and TeamSuspended or TeamReactivated for each change of
status, each with the team's next version."""

from collections import defaultdict

from sqlalchemy import select

from services.teams.models import LEADER, SUSPENDED, Membership, Team

IMPORTER = "registry-import"
SUSPENDED_REASON = "suspended in the imported registry"
TEAM_FIELDS = ("name", "kind", "categories", "community", "station_id")
TEAM_FIELDS += ("contact_phone", "description", "founded_on")


def announce(writer):
    teams = writer.new_teams | set(writer.team_changes) | writer.leaders_touched
    leaders = _leaders_now(writer, teams)
    before = _leaders_before(writer, teams - writer.new_teams)
    versions = []
    for team_id in sorted(teams):
        state = _state(writer, team_id)
        now_leading = leaders.get(team_id, [])
        if team_id in writer.new_teams:
            data = _team_data(writer, team_id, state, now_leading, 1)
            writer.events["TeamRegistered"].append((data, team_id))
            version = _status_event(writer, team_id, state["status"], 1, "active")
            versions.append({"id": team_id, "version": version})
            continue
        team = writer.existing.teams[team_id]
        moved = list(writer.team_changes.get(team_id, []))
        if before.get(team_id, []) != now_leading:
            moved.append("leader_ids")
        version = team.version
        if moved:
            version += 1
            data = _team_data(writer, team_id, state, now_leading, version)
            data.update(status=state["status"], changed=moved, updated_by=IMPORTER)
            writer.events["TeamUpdated"].append((data, team_id))
        was = writer.existing.team_statuses[team_id]
        version = _status_event(writer, team_id, state["status"], version, was)
        versions.append({"id": team_id, "version": version})
    writer.update(Team, versions)


def _status_event(writer, team_id, status, version, was):
    if status == was:
        return version
    version += 1
    data = {"team_id": team_id, "version": version}
    if status == SUSPENDED:
        data.update(reason=SUSPENDED_REASON, suspended_by=IMPORTER)
        writer.events["TeamSuspended"].append((data, team_id))
    else:
        writer.events["TeamReactivated"].append(
            ({**data, "reactivated_by": IMPORTER}, team_id)
        )
    return version


def _leaders_now(writer, teams):
    if not teams:
        return {}
    writer.session.flush()
    found = defaultdict(list)
    rows = writer.session.execute(
        select(Membership.team_id, Membership.volunteer_id)
        .where(
            Membership.team_id.in_(teams),
            Membership.role == LEADER,
            Membership.left_at.is_(None),
        )
        .order_by(Membership.volunteer_id)
    )
    for team_id, volunteer_id in rows:
        found[team_id].append(volunteer_id)
    return found


def _leaders_before(writer, teams):
    found = defaultdict(list)
    for (team_id, volunteer_id), row in writer.existing.memberships.items():
        if team_id in teams and row["role"] == LEADER and row["left_at"] is None:
            found[team_id].append(volunteer_id)
    return {team_id: sorted(ids) for team_id, ids in found.items()}


def _state(writer, team_id):
    row = writer.registry.teams.get(team_id)
    if row is not None:
        return row
    team = writer.existing.teams[team_id]
    return {f: getattr(team, f) for f in (*TEAM_FIELDS, "status")}


def _team_data(writer, team_id, state, leaders, version):
    community = state["community"]
    street = writer.registry.places.get(community) or writer.existing.places.get(
        community
    )
    return {
        "team_id": team_id,
        "name": state["name"],
        "categories": state["categories"],
        "community": community,
        "street": street,
        "leader_ids": leaders,
        "kind": state["kind"],
        "station_id": state["station_id"],
        "version": version,
    }
