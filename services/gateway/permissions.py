"""Which roles may call which route: the one table the gateway enforces.

The gateway checks the role; the service that owns the data then checks the
scope (their own community, team, order or account). The district admin may
call everything.
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
    # the mutual-aid banks; each service then checks the bank, the community
    # or the account: an operator's own bank, staff's own community
    "open_bank": {ADMIN},
    "register_donor": {COMMUNITY_STAFF, BANK_OPERATOR},
    "list_donors": {COMMUNITY_STAFF, BANK_OPERATOR},
    "add_item": {BANK_OPERATOR},
    "list_items": SIGNED_IN,
    "record_donation": {BANK_OPERATOR},
    "get_donation": {COMMUNITY_STAFF, BANK_OPERATOR},
    "donation_receipt": {COMMUNITY_STAFF, BANK_OPERATOR},
    "get_stock": SIGNED_IN,
    "take_stock": {BANK_OPERATOR},
    "request_redemption": {VOLUNTEER, BANK_OPERATOR},
    "get_redemption": {VOLUNTEER, BANK_OPERATOR},
    "distribute_goods": {BANK_OPERATOR, COMMUNITY_STAFF},
    "bank_report": {COMMUNITY_STAFF, BANK_OPERATOR},
    # points beyond one's own statement
    "leaderboard": SIGNED_IN,
    "list_rates": {COMMUNITY_STAFF},
    "set_rate": {ADMIN},
    "reverse_transfer": {ADMIN},
    "adjust_points": {ADMIN},
}


def allows(route, role):
    return role == ADMIN or role in ROLES_FOR[route]
