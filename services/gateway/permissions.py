"""Which roles may call which route: the one table the gateway enforces.

The gateway checks the role; the service that owns the data then checks the
scope (their own community, team, order or account). The district admin may
call everything.
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
    "get_places": SIGNED_IN,
    "list_stations": SIGNED_IN,
    "list_teams": SIGNED_IN,
    "get_team": SIGNED_IN,
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
    # staff enter orders on behalf of residents who phoned or walked in
    "place_order": {RESIDENT, COMMUNITY_STAFF},
    "list_orders": {RESIDENT, VOLUNTEER, TEAM_LEADER, COMMUNITY_STAFF},
    "order_board": {COMMUNITY_STAFF},
    "get_order": SIGNED_IN,
    "suggest_teams": {COMMUNITY_STAFF},
    "dispatch_order": {COMMUNITY_STAFF},
    "reject_order": {COMMUNITY_STAFF},
    "decline_order": {TEAM_LEADER},
    "accept_order": {TEAM_LEADER},
    "start_order": {TEAM_LEADER, VOLUNTEER},
    "report_service": {TEAM_LEADER},
    "dispute_order": {RESIDENT},
    "request_report": {COMMUNITY_STAFF},
    "confirm_order": {RESIDENT, COMMUNITY_STAFF},
    "rate_order": {RESIDENT},
    "cancel_order": {RESIDENT, COMMUNITY_STAFF},
    "get_points": {VOLUNTEER, COMMUNITY_STAFF},
    "list_banks": SIGNED_IN,
}


def allows(route, role):
    return role == ADMIN or role in ROLES_FOR[route]
