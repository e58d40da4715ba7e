"""Which roles may call which route: the one table the gateway enforces.

The gateway checks the role; the service that owns the data then checks the
scope (their own community, team, order or account). The district admin may
call everything. Browsing places, stations and teams is public (routes
declared `identify=True`): a token, when sent, tells what the caller sees.
"""

from eventing.identity import (
    ADMIN,
    COMMUNITY_STAFF,
    RESIDENT,
    ROLES,
    TEAM_LEADER,
    VOLUNTEER,
)

SIGNED_IN = frozenset(ROLES)

ROLES_FOR = {
    "create_user": {ADMIN},
    "put_station": {ADMIN},
    "register_team": {COMMUNITY_STAFF},
    "update_team": {COMMUNITY_STAFF, TEAM_LEADER},
    "register_volunteer": {COMMUNITY_STAFF},
    "apply_volunteer": {RESIDENT, VOLUNTEER},
    "approve_volunteer": {COMMUNITY_STAFF},
    "reject_volunteer": {COMMUNITY_STAFF},
    "list_volunteers": {COMMUNITY_STAFF, TEAM_LEADER},
    "get_volunteer": SIGNED_IN,
    "get_service_record": {RESIDENT, VOLUNTEER, COMMUNITY_STAFF},
    "add_member": {COMMUNITY_STAFF, TEAM_LEADER},
    "remove_member": {COMMUNITY_STAFF, TEAM_LEADER, VOLUNTEER},
    "place_order": {RESIDENT},
    "get_order": SIGNED_IN,
    "dispatch_order": {COMMUNITY_STAFF},
    "accept_order": {TEAM_LEADER},
    "report_service": {TEAM_LEADER},
    "confirm_order": {RESIDENT, COMMUNITY_STAFF},
    "get_points": {VOLUNTEER, COMMUNITY_STAFF},
    "list_banks": SIGNED_IN,
}


def allows(route, role):
    return role == ADMIN or role in ROLES_FOR[route]
