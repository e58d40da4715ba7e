"""Who may do what, within which scope: the one table of the gateway's routes.

`ROLES_FOR[route]` maps each role that may call the route to the scope it may
act in. The gateway refuses any other role (403) before a worker starts; the
service that owns the data then refuses a caller outside the scope (403),
since only it knows which community an order is in or whose team it went to.
The district admin may call every route, district-wide. Public routes (no
token) are declared `public=True` on the route and have no row.

`tests/e2e/test_permissions.py` walks the whole table: every route, every
role, inside and outside its scope.
"""

from eventing.identity import (
    ADMIN,
    COMMUNITY_STAFF,
    RESIDENT,
    ROLES,
    TEAM_LEADER,
    VOLUNTEER,
)

# the scopes a role can be given on a route
OWN_ACCOUNT = "own account"  # the caller's own account (or volunteer record)
OWN_ORDERS = "own orders"  # orders the caller placed, or was assigned to
OWN_TEAM = "own team"  # the team the caller leads, and orders sent to it
OWN_COMMUNITY = "own community"  # the community the caller's account names
OWN_BANK = "own bank"  # the mutual-aid bank the caller's account names
DISTRICT = "district"  # everything in the district
SCOPES = (OWN_ACCOUNT, OWN_ORDERS, OWN_TEAM, OWN_COMMUNITY, OWN_BANK, DISTRICT)


def everyone(scope=DISTRICT):
    return {role: scope for role in ROLES if role != ADMIN}


ROLES_FOR = {
    # accounts
    "create_user": {},
    "update_user": {},
    # teams and volunteers
    "register_team": {COMMUNITY_STAFF: OWN_COMMUNITY},
    "list_teams": everyone(),
    "get_team": everyone(),
    "register_volunteer": {COMMUNITY_STAFF: OWN_COMMUNITY},
    "add_member": {COMMUNITY_STAFF: OWN_COMMUNITY, TEAM_LEADER: OWN_TEAM},
    # points: staff see any volunteer's points, since a volunteer may serve
    # teams of several communities
    "get_points": {VOLUNTEER: OWN_ACCOUNT, COMMUNITY_STAFF: DISTRICT},
    # orders
    "place_order": {RESIDENT: OWN_ACCOUNT},
    "get_order": {
        RESIDENT: OWN_ORDERS,
        VOLUNTEER: OWN_ORDERS,
        TEAM_LEADER: OWN_TEAM,
        COMMUNITY_STAFF: OWN_COMMUNITY,
    },
    "dispatch_order": {COMMUNITY_STAFF: OWN_COMMUNITY},
    "accept_order": {TEAM_LEADER: OWN_TEAM},
    "report_service": {TEAM_LEADER: OWN_TEAM},
    "confirm_order": {RESIDENT: OWN_ORDERS, COMMUNITY_STAFF: OWN_COMMUNITY},
    # banks
    "list_banks": everyone(),
}


def allows(route, role):
    return role == ADMIN or role in ROLES_FOR[route]


def scope(route, role):
    """The scope `role` may act in on `route`, or None if it may not call it."""
    if role == ADMIN:
        return DISTRICT
    return ROLES_FOR[route].get(role)
