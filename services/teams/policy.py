"""Who may see and change what in the directory. Pure rules; the district
admin may do anything, and the gateway has already checked the role."""

from eventing.identity import COMMUNITY_STAFF, RESIDENT
from services.teams.exceptions import NotAllowed
from services.teams.models import ACTIVE, PROFESSIONAL

# what a team's leader may change about their own team; the rest (name, kind,
# home community, founding date, suspension) is for the community's staff
LEADER_FIELDS = frozenset(
    {"description", "contact_phone", "categories", "station_id", "leader_ids"}
)


def _require(allowed, reason):
    if not allowed:
        raise NotAllowed(reason)


def is_staff(caller):
    return caller is not None and (caller.is_admin or caller.role == COMMUNITY_STAFF)


def check_staff_of(caller, community):
    _require(
        caller.is_admin or caller.is_staff_of(community),
        f"only the admin or staff of {community} may do this",
    )


def check_places(caller):
    _require(caller.is_admin, "only the district admin keeps the places")


def check_team_change(caller, team, changes):
    if caller.is_admin:
        return
    if "community" in changes and changes["community"] != team.community:
        raise NotAllowed("only the district admin moves a team to another community")
    if caller.is_staff_of(team.community):
        return
    _require(
        caller.leads(team.id),
        f"only the admin, staff of {team.community} or this team's leader",
    )
    beyond = sorted(set(changes) - LEADER_FIELDS)
    _require(not beyond, f"a team's leader may not change {', '.join(beyond)}")


def check_members_change(caller, team):
    _require(
        caller.is_admin or caller.is_staff_of(team.community) or caller.leads(team.id),
        f"only the admin, staff of {team.community} or this team's leader",
    )


def check_leaving(caller, team, volunteer_id):
    """A member may leave on their own; others need a say over the team."""
    if caller.volunteer_id == volunteer_id:
        return
    check_members_change(caller, team)


def sees_contact(caller, team):
    """The contact phone goes to signed-in residents, staff and the team's leader."""
    return caller is not None and (
        is_staff(caller) or caller.role == RESIDENT or caller.leads(team.id)
    )


def browse_limits(caller):
    """The filters a caller's browsing is held to: residents and visitors see
    the district's professional teams; staff see every team, suspended too."""
    if caller is None or caller.role == RESIDENT:
        return {"kind": PROFESSIONAL, "status": ACTIVE}
    if is_staff(caller):
        return {}
    return {"status": ACTIVE}


def sees_team(caller, team):
    """A suspended team is out of sight but for staff and its own leader."""
    return team.status == ACTIVE or leads_or_staff(caller, team)


def sees_members(caller, team):
    return leads_or_staff(caller, team)


def leads_or_staff(caller, team):
    return is_staff(caller) or (caller is not None and caller.leads(team.id))


def volunteer_scope(caller, community, team_id, team_community=None):
    """The community and team a volunteer search is held to."""
    if caller.is_admin:
        return community, team_id
    if caller.role == COMMUNITY_STAFF:
        if team_id is not None:
            _require(team_community == caller.community, "not a team of your community")
            return community, team_id
        _require(
            community in (None, caller.community), "only your community's volunteers"
        )
        return caller.community, None
    _require(
        caller.team_id is not None, "only staff and team leaders search volunteers"
    )
    _require(team_id in (None, caller.team_id), "only your own team's volunteers")
    return community, caller.team_id


def sees_volunteer(caller, volunteer, team_communities, team_ids):
    """The volunteer themself, staff of their community or of one of their
    teams, and the leaders of their teams."""
    return (
        caller.is_admin
        or caller.volunteer_id == volunteer.id
        or (volunteer.user_id is not None and caller.user_id == volunteer.user_id)
        or (
            caller.role == COMMUNITY_STAFF
            and caller.community in {volunteer.community, *team_communities}
        )
        or any(caller.leads(team_id) for team_id in team_ids)
    )


def check_record(caller, volunteer):
    _require(
        caller.is_admin
        or caller.volunteer_id == volunteer.id
        or caller.is_staff_of(volunteer.community),
        "only the volunteer, staff of their community or the admin",
    )


def check_apply(caller):
    _require(
        caller.volunteer_id is None,
        "this account is a registered volunteer already",
    )
