"""The orders service's own copy of the teams directory, kept current from the
teams events. Dispatch and acceptance are checked against it, never by
calling the teams service."""

from services.orders.models import KnownMembership, KnownTeam, KnownVolunteer


def record_team(session, data):
    team = session.get(KnownTeam, data["team_id"]) or KnownTeam(id=data["team_id"])
    team.name = data["name"]
    team.community = data["community"]
    team.street = data.get("street")
    team.categories = list(data["categories"])
    session.add(team)


def record_volunteer(session, data):
    volunteer = session.get(KnownVolunteer, data["volunteer_id"]) or KnownVolunteer(
        id=data["volunteer_id"]
    )
    volunteer.name = data["name"]
    volunteer.community = data["community"]
    session.add(volunteer)


def record_membership(session, data):
    key = (data["team_id"], data["volunteer_id"])
    if session.get(KnownMembership, key) is None:
        session.add(KnownMembership(team_id=key[0], volunteer_id=key[1]))
