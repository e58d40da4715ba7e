"""The orders service's own copy of the teams directory, kept current from the
teams events. Dispatch and acceptance are checked against it, never by
calling the teams service.

Each row keeps the version of the last event applied to it. Events of
different types travel on different queues and a retry delays one, so an
older event may arrive after a newer one: it then changes nothing.
"""

from services.orders.exceptions import NotHeardOfYet
from services.orders.models import KnownMembership, KnownTeam, KnownVolunteer

ACTIVE = "active"
# VolunteerRegistered carries no version: it is each volunteer's first
REGISTERED_VERSION = 1


def _newer(row, data):
    return data.get("version", 0) >= (row.version or 0)


def record_team(session, data):
    """TeamRegistered or TeamUpdated: the whole team as it is now."""
    team = session.get(KnownTeam, data["team_id"]) or KnownTeam(
        id=data["team_id"], status=ACTIVE, version=0
    )
    if not _newer(team, data):
        return
    team.name = data["name"]
    team.community = data["community"]
    team.street = data.get("street")
    team.categories = list(data["categories"])
    team.kind = data["kind"]
    team.status = data.get("status", team.status)
    team.version = data["version"]
    session.add(team)


def record_team_status(session, data, status):
    """TeamSuspended or TeamReactivated."""
    team = session.get(KnownTeam, data["team_id"])
    if team is None:
        raise NotHeardOfYet(f"team {data['team_id']} is not in this copy yet")
    if _newer(team, data):
        team.status, team.version = status, data["version"]


def record_volunteer(session, data):
    """VolunteerRegistered, and VolunteerUpdated with the status it carries."""
    data = {"version": REGISTERED_VERSION, "status": ACTIVE, **data}
    volunteer = session.get(KnownVolunteer, data["volunteer_id"]) or KnownVolunteer(
        id=data["volunteer_id"], version=0
    )
    if not _newer(volunteer, data):
        return
    volunteer.name = data["name"]
    volunteer.community = data["community"]
    volunteer.status = data["status"]
    volunteer.version = data["version"]
    session.add(volunteer)


def _membership(session, data):
    key = (data["team_id"], data["volunteer_id"])
    return session.get(KnownMembership, key) or KnownMembership(
        team_id=key[0], volunteer_id=key[1], version=0
    )


def record_membership(session, data):
    """VolunteerJoinedTeam."""
    membership = _membership(session, data)
    if _newer(membership, data):
        membership.active, membership.version = True, data["version"]
        session.add(membership)


def record_departure(session, data):
    """VolunteerLeftTeam: the volunteer can no longer be assigned its orders."""
    membership = _membership(session, data)
    if _newer(membership, data):
        membership.active, membership.version = False, data["version"]
        session.add(membership)
