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
    BANK_OPERATOR,
    COMMUNITY_STAFF,
    RESIDENT,
    ROLES,
    TEAM_LEADER,
    VOLUNTEER,
)

# the scopes a role can be given on a route
OWN_ACCOUNT = "own account"  # the caller's own account (or volunteer record)
# an account that carries no volunteer record yet, asking for one
WITHOUT_RECORD = "own account, without a volunteer record"
OWN_ORDERS = "own orders"  # orders the caller placed, or was assigned to
OWN_TEAM = "own team"  # the team the caller leads, and orders sent to it
OWN_COMMUNITY = "own community"  # the community the caller's account names
OWN_BANK = "own bank"  # the mutual-aid bank the caller's account names
DISTRICT = "district"  # everything in the district
SCOPES = (
    OWN_ACCOUNT,
    WITHOUT_RECORD,
    OWN_ORDERS,
    OWN_TEAM,
    OWN_COMMUNITY,
    OWN_BANK,
    DISTRICT,
)


def everyone(scope=DISTRICT):
    return {role: scope for role in ROLES if role != ADMIN}


ROLES_FOR = {
    # accounts
    "create_user": {},
    "update_user": {},
    # places and stations: the district's map is everyone's to read
    "get_places": everyone(),
    "list_stations": everyone(),
    "put_station": {},
    # teams
    "register_team": {COMMUNITY_STAFF: OWN_COMMUNITY},
    "list_teams": everyone(),
    "get_team": everyone(),
    "update_team": {COMMUNITY_STAFF: OWN_COMMUNITY, TEAM_LEADER: OWN_TEAM},
    "add_member": {COMMUNITY_STAFF: OWN_COMMUNITY, TEAM_LEADER: OWN_TEAM},
    # a member may leave on their own
    "remove_member": {
        COMMUNITY_STAFF: OWN_COMMUNITY,
        TEAM_LEADER: OWN_TEAM,
        VOLUNTEER: OWN_ACCOUNT,
    },
    # volunteers: an approved resident's account carries a volunteer record
    # and keeps its role, so "own account" reaches its record
    "register_volunteer": {COMMUNITY_STAFF: OWN_COMMUNITY},
    "apply_volunteer": {RESIDENT: WITHOUT_RECORD, VOLUNTEER: WITHOUT_RECORD},
    "approve_volunteer": {COMMUNITY_STAFF: OWN_COMMUNITY},
    "reject_volunteer": {COMMUNITY_STAFF: OWN_COMMUNITY},
    "list_volunteers": {COMMUNITY_STAFF: OWN_COMMUNITY, TEAM_LEADER: OWN_TEAM},
    "get_volunteer": {
        VOLUNTEER: OWN_ACCOUNT,
        TEAM_LEADER: OWN_TEAM,
        COMMUNITY_STAFF: OWN_COMMUNITY,
    },
    "get_service_record": {
        RESIDENT: OWN_ACCOUNT,
        VOLUNTEER: OWN_ACCOUNT,
        COMMUNITY_STAFF: OWN_COMMUNITY,
    },
    "get_points": {VOLUNTEER: OWN_ACCOUNT, COMMUNITY_STAFF: OWN_COMMUNITY},
    # orders; staff enter orders on behalf of their community's residents
    "place_order": {RESIDENT: OWN_ACCOUNT, COMMUNITY_STAFF: OWN_COMMUNITY},
    "list_orders": {
        RESIDENT: OWN_ORDERS,
        VOLUNTEER: OWN_ORDERS,
        TEAM_LEADER: OWN_TEAM,
        COMMUNITY_STAFF: OWN_COMMUNITY,
    },
    "order_board": {COMMUNITY_STAFF: OWN_COMMUNITY},
    "get_order": {
        RESIDENT: OWN_ORDERS,
        VOLUNTEER: OWN_ORDERS,
        TEAM_LEADER: OWN_TEAM,
        COMMUNITY_STAFF: OWN_COMMUNITY,
    },
    "suggest_teams": {COMMUNITY_STAFF: OWN_COMMUNITY},
    "dispatch_order": {COMMUNITY_STAFF: OWN_COMMUNITY},
    "reject_order": {COMMUNITY_STAFF: OWN_COMMUNITY},
    "decline_order": {TEAM_LEADER: OWN_TEAM},
    "accept_order": {TEAM_LEADER: OWN_TEAM},
    "start_order": {TEAM_LEADER: OWN_TEAM, VOLUNTEER: OWN_ORDERS},
    "report_service": {TEAM_LEADER: OWN_TEAM},
    "dispute_order": {RESIDENT: OWN_ORDERS},
    "request_report": {COMMUNITY_STAFF: OWN_COMMUNITY},
    "confirm_order": {RESIDENT: OWN_ORDERS, COMMUNITY_STAFF: OWN_COMMUNITY},
    "rate_order": {RESIDENT: OWN_ORDERS},
    "cancel_order": {RESIDENT: OWN_ORDERS, COMMUNITY_STAFF: OWN_COMMUNITY},
    # the mutual-aid banks: an operator's own bank, staff's own community
    "list_banks": everyone(),
    "open_bank": {},
    "register_donor": {COMMUNITY_STAFF: DISTRICT, BANK_OPERATOR: DISTRICT},
    "list_donors": {COMMUNITY_STAFF: DISTRICT, BANK_OPERATOR: DISTRICT},
    "add_item": {BANK_OPERATOR: DISTRICT},
    "list_items": everyone(),
    "record_donation": {BANK_OPERATOR: OWN_BANK},
    "get_donation": {COMMUNITY_STAFF: OWN_COMMUNITY, BANK_OPERATOR: OWN_BANK},
    "donation_receipt": {COMMUNITY_STAFF: OWN_COMMUNITY, BANK_OPERATOR: OWN_BANK},
    "get_stock": everyone(),
    "take_stock": {BANK_OPERATOR: OWN_BANK},
    "request_redemption": {VOLUNTEER: OWN_ACCOUNT, BANK_OPERATOR: OWN_BANK},
    "get_redemption": {VOLUNTEER: OWN_ACCOUNT, BANK_OPERATOR: OWN_BANK},
    "distribute_goods": {BANK_OPERATOR: OWN_BANK, COMMUNITY_STAFF: OWN_COMMUNITY},
    "bank_report": {COMMUNITY_STAFF: OWN_COMMUNITY, BANK_OPERATOR: OWN_BANK},
    # points beyond one's own statement
    "leaderboard": everyone(),
    "list_rates": {COMMUNITY_STAFF: DISTRICT},
    "set_rate": {},
    "reverse_transfer": {},
    "adjust_points": {},
}


# An account of any role may carry a volunteer record: a resident whose
# application was approved keeps the resident's role, a team leader may serve
# as well. On the routes where a volunteer acts for themselves, such an
# account acts as that volunteer, and the service checks the record is its own.
AS_THEIR_VOLUNTEER = (OWN_ACCOUNT, OWN_ORDERS)


def for_their_volunteer(route):
    """Whether any account carrying a volunteer record may call `route`."""
    return ROLES_FOR[route].get(VOLUNTEER) in AS_THEIR_VOLUNTEER


def scope(route, role, volunteer_id=None):
    """The scope `role` may act in on `route`, or None if it may not call it."""
    if role == ADMIN:
        return DISTRICT
    roles = ROLES_FOR[route]
    if role in roles:
        return roles[role]
    if volunteer_id and for_their_volunteer(route):
        return roles[VOLUNTEER]
    return None


def allows(route, role, volunteer_id=None):
    return scope(route, role, volunteer_id) is not None
