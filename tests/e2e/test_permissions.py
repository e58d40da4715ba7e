"""The permission table, walked: every route, every role, inside and outside
the role's scope, answers as `permissions.ROLES_FOR` says.

Two communities are set up alike, each with one account per role, a team, a
volunteer, an order taken by that team, two applications to volunteer, a
bank with its operator, a donor, an item, a donation and a redemption, and a
points adjustment. Every actor lives in the home community. For each route a
sample request is made against the home world (inside every scope) and
against the away world (outside every scope but the district); a request
that is the same in both worlds has no outside. A new route needs its row
in the table and its sample here.
"""

import datetime
import uuid
from dataclasses import dataclass

import pytest

from eventing.identity import (
    BANK_OPERATOR,
    COMMUNITY_STAFF,
    RESIDENT,
    ROLES,
    VOLUNTEER,
)
from services.gateway import permissions
from tests.e2e.conftest import PLACES, Api, add_places, sign_in
from tests.helpers import wait_for

pytestmark = pytest.mark.e2e

PASSWORD = "密码password1"
# 409: allowed, but the order (application, bank…) has moved on
ALLOWED = {200, 201, 202, 409}
# a member removed by the first caller allowed is gone for the next ones
GONE = {"remove_member": {404}}
# routes that answer 404 rather than tell an outsider the record exists
HIDDEN = {"get_volunteer"}
# the walk's actor of the role cannot be inside the scope, and why
NOT_IN_THE_WALK = {
    ("apply_volunteer", VOLUNTEER): "its account has a volunteer record already",
    ("get_service_record", RESIDENT): "its account has no volunteer record",
}


@dataclass
class World:
    name: str
    community: str
    team_id: str = ""
    volunteer_id: str = ""
    order_id: str = ""
    spare_user_id: str = ""
    resident_id: str = ""
    applicants: tuple = ()
    leaver_id: str = ""
    bank_id: str = ""
    donor_id: str = ""
    item_id: str = ""
    donation_id: str = ""
    redemption_id: str = ""
    transfer_id: str = ""

    @property
    def station_id(self):
        return PLACES[self.community][1]

    @property
    def street(self):
        return PLACES[self.community][0]


def order_body(community):
    return {
        "category": "清洁",
        "title": "清理楼道小广告",
        "description": "三单元楼道",
        "community": community,
        "address": "福华街3号",
    }


def lines(w):
    return [{"item_id": w.item_id, "quantity": 1}]


def next_week():
    # "after today" in the district, which may be ahead of this machine
    return (datetime.date.today() + datetime.timedelta(days=7)).isoformat()


# in the order the walk makes them: reads first, and the moves that end an
# order, a membership or an application last
SAMPLES = {
    "create_user": lambda w: (
        "POST",
        "/api/users",
        {
            "username": f"new.{uuid.uuid4().hex[:8]}",
            "password": PASSWORD,
            "role": "resident",
            "display_name": "新居民",
        },
    ),
    "update_user": lambda w: (
        "PATCH",
        f"/api/users/{w.spare_user_id}",
        {"disabled": False},
    ),
    "get_places": lambda w: ("GET", "/api/places", None),
    "list_stations": lambda w: ("GET", "/api/stations", None),
    "put_station": lambda w: (
        "PUT",
        f"/api/stations/{w.station_id}",
        {
            "name": f"{w.community}志愿服务站",
            "street": w.street,
            "community": w.community,
            "address": f"{w.street}1号",
        },
    ),
    "register_team": lambda w: (
        "POST",
        "/api/teams",
        {
            "name": "书香艺术团",
            "categories": ["辅导"],
            "community": w.community,
            "contact_phone": "13800000009",
        },
    ),
    "list_teams": lambda w: ("GET", "/api/teams", None),
    "get_team": lambda w: ("GET", f"/api/teams/{w.team_id}", None),
    "update_team": lambda w: (
        "PATCH",
        f"/api/teams/{w.team_id}",
        {"description": "每周六上门服务"},
    ),
    "register_volunteer": lambda w: (
        "POST",
        "/api/volunteers",
        {"name": "王小明", "phone": "13900000009", "community": w.community},
    ),
    # anyone may apply in any community: there is no outside
    "apply_volunteer": lambda w: (
        "POST",
        "/api/volunteers/apply",
        {"name": "赵申请", "phone": "13900000019", "community": "铁道家园"},
    ),
    "approve_volunteer": lambda w: (
        "POST",
        f"/api/volunteers/{w.applicants[0]}/approve",
        {},
    ),
    "reject_volunteer": lambda w: (
        "POST",
        f"/api/volunteers/{w.applicants[1]}/reject",
        {"reason": "资料不全"},
    ),
    "list_volunteers": lambda w: ("GET", f"/api/volunteers?team_id={w.team_id}", None),
    "get_volunteer": lambda w: ("GET", f"/api/volunteers/{w.volunteer_id}", None),
    "get_service_record": lambda w: (
        "GET",
        f"/api/volunteers/{w.volunteer_id}/service-record",
        None,
    ),
    "add_member": lambda w: (
        "POST",
        f"/api/teams/{w.team_id}/members",
        {"volunteer_id": w.volunteer_id},
    ),
    "get_points": lambda w: ("GET", f"/api/volunteers/{w.volunteer_id}/points", None),
    # a resident places orders for themselves only: there is no outside
    "place_order": lambda w: ("POST", "/api/orders", order_body("铁道家园")),
    "list_orders": lambda w: (
        "GET",
        f"/api/orders?community={w.community}&team={w.team_id}"
        f"&resident={w.resident_id}&volunteer={w.volunteer_id}",
        None,
    ),
    "order_board": lambda w: (
        "GET",
        f"/api/orders/board?community={w.community}",
        None,
    ),
    "get_order": lambda w: ("GET", f"/api/orders/{w.order_id}", None),
    "suggest_teams": lambda w: (
        "GET",
        f"/api/orders/{w.order_id}/suggested-teams",
        None,
    ),
    "dispatch_order": lambda w: (
        "POST",
        f"/api/orders/{w.order_id}/dispatch",
        {"team_id": w.team_id},
    ),
    "accept_order": lambda w: (
        "POST",
        f"/api/orders/{w.order_id}/accept",
        {"volunteer_ids": [w.volunteer_id]},
    ),
    "start_order": lambda w: ("POST", f"/api/orders/{w.order_id}/start", {}),
    "report_service": lambda w: (
        "POST",
        f"/api/orders/{w.order_id}/report",
        {"minutes": {w.volunteer_id: 30}},
    ),
    "confirm_order": lambda w: ("POST", f"/api/orders/{w.order_id}/confirm", {}),
    "rate_order": lambda w: (
        "POST",
        f"/api/orders/{w.order_id}/rate",
        {"stars": 5},
    ),
    "dispute_order": lambda w: (
        "POST",
        f"/api/orders/{w.order_id}/dispute",
        {"reason": "时间不对"},
    ),
    "request_report": lambda w: (
        "POST",
        f"/api/orders/{w.order_id}/request-report",
        {"reason": "请重新填写"},
    ),
    "reject_order": lambda w: (
        "POST",
        f"/api/orders/{w.order_id}/reject",
        {"reason_code": "duplicate"},
    ),
    "cancel_order": lambda w: (
        "POST",
        f"/api/orders/{w.order_id}/cancel",
        {"reason": "不需要了"},
    ),
    "decline_order": lambda w: (
        "POST",
        f"/api/orders/{w.order_id}/decline",
        {"reason": "人手不够"},
    ),
    "list_banks": lambda w: ("GET", "/api/banks", None),
    "open_bank": lambda w: (
        "POST",
        "/api/banks",
        {"name": f"{w.community}互助银行", "community": w.community},
    ),
    "register_donor": lambda w: (
        "POST",
        "/api/donors",
        {"name": "华润万家", "kind": "company"},
    ),
    "list_donors": lambda w: ("GET", "/api/donors", None),
    "add_item": lambda w: (
        "POST",
        "/api/items",
        {"name": "挂面", "unit": "把", "points_price": 2},
    ),
    "list_items": lambda w: ("GET", "/api/items", None),
    "record_donation": lambda w: (
        "POST",
        f"/api/banks/{w.bank_id}/donations",
        {"donor_id": w.donor_id, "lines": lines(w)},
    ),
    "get_donation": lambda w: ("GET", f"/api/donations/{w.donation_id}", None),
    "donation_receipt": lambda w: (
        "GET",
        f"/api/donations/{w.donation_id}/receipt",
        None,
    ),
    "get_stock": lambda w: ("GET", f"/api/banks/{w.bank_id}/stock", None),
    "take_stock": lambda w: (
        "POST",
        f"/api/banks/{w.bank_id}/stocktakes",
        {"reason": "月底盘点", "counts": [{"item_id": w.item_id, "quantity": 90}]},
    ),
    "request_redemption": lambda w: (
        "POST",
        "/api/redemptions",
        {"bank_id": w.bank_id, "volunteer_id": w.volunteer_id, "lines": lines(w)},
    ),
    "get_redemption": lambda w: ("GET", f"/api/redemptions/{w.redemption_id}", None),
    "distribute_goods": lambda w: (
        "POST",
        "/api/distributions",
        {
            "bank_id": w.bank_id,
            "family": {"name": "困难家庭", "community": w.community},
            "reason": "低保户",
            "lines": lines(w),
        },
    ),
    "bank_report": lambda w: ("GET", f"/api/reports/stock?bank_id={w.bank_id}", None),
    "leaderboard": lambda w: ("GET", "/api/points/leaderboard", None),
    "list_rates": lambda w: ("GET", "/api/points/rates", None),
    "set_rate": lambda w: (
        "POST",
        "/api/points/rates",
        {"category": "清洁", "points_per_hour": 12, "effective_from": next_week()},
    ),
    "reverse_transfer": lambda w: (
        "POST",
        f"/api/points/transfers/{w.transfer_id}/reversal",
        {"reason": "误记"},
    ),
    "adjust_points": lambda w: (
        "POST",
        "/api/points/adjustments",
        {"volunteer_id": w.volunteer_id, "points": 1, "reason": "补记"},
    ),
    # last: the volunteer leaves the team (a leader or staff then find them gone)
    "remove_member": lambda w: (
        "DELETE",
        f"/api/teams/{w.team_id}/members/{w.leaver_id}",
        None,
    ),
}

# where a role's request differs from the route's sample
SAMPLES_BY_ROLE = {
    # staff enter an order for a resident of their community
    ("place_order", COMMUNITY_STAFF): lambda w: (
        "POST",
        "/api/orders",
        {**order_body(w.community), "on_behalf_of": w.resident_id},
    ),
    # a member leaves on their own
    ("remove_member", VOLUNTEER): lambda w: (
        "DELETE",
        f"/api/teams/{w.team_id}/members/{w.volunteer_id}",
        None,
    ),
}


def sample(route, role, world):
    return SAMPLES_BY_ROLE.get((route, role), SAMPLES[route])(world)


def create_account(admin, username, role, **scope):
    body = {
        "username": username,
        "password": PASSWORD,
        "role": role,
        "display_name": username,
        **scope,
    }
    return admin.post("/api/users", body, expect=201)["id"]


def build_world(admin, url, name, community):
    """A community with one account per role, a team with two volunteers, an
    order of its resident taken by that team, two applications, a bank with
    stock, a redemption and a points adjustment; the accounts signed in."""
    world = World(name, community)
    create_account(admin, f"{name}.staff", "community_staff", community=community)
    staff = sign_in(url, f"{name}.staff", PASSWORD)
    world.team_id = staff.post(
        "/api/teams",
        {
            "name": f"{community}服务队",
            "categories": ["清洁"],
            "community": community,
            "contact_phone": "13800000001",
        },
        expect=201,
    )["id"]
    world.volunteer_id, world.leaver_id = (
        join_team(staff, world, volunteer) for volunteer in ("志愿者", "老队员")
    )
    world.bank_id = admin.post(
        "/api/banks",
        {"name": f"{community}互助银行", "community": community},
        expect=201,
    )["id"]
    accounts = {
        "team_leader": {"team_id": world.team_id},
        "volunteer": {"volunteer_id": world.volunteer_id},
        "resident": {"community": community},
        "bank_operator": {"bank_id": world.bank_id},
    }
    for role, scope in accounts.items():
        user_id = create_account(admin, f"{name}.{role}", role, **scope)
        world.resident_id = user_id if role == RESIDENT else world.resident_id
    world.spare_user_id = create_account(admin, f"{name}.spare", "resident")
    world.applicants = tuple(apply(admin, url, world, n) for n in ("甲", "乙"))
    actors = {role: sign_in(url, f"{name}.{role}", PASSWORD) for role in accounts}
    actors[COMMUNITY_STAFF] = staff
    world.order_id = take_an_order(world, actors)
    stock_the_bank(world, actors[BANK_OPERATOR])
    world.redemption_id = actors[VOLUNTEER].post(
        "/api/redemptions",
        {
            "bank_id": world.bank_id,
            "volunteer_id": world.volunteer_id,
            "lines": lines(world),
        },
        expect=202,
    )["id"]
    # the points service opens the volunteer's account on an event
    points = f"/api/volunteers/{world.volunteer_id}/points"
    wait_for(lambda: staff.call("GET", points).status_code == 200)
    world.transfer_id = admin.post(
        "/api/points/adjustments",
        {"volunteer_id": world.volunteer_id, "points": 50, "reason": "开户奖励"},
        expect=201,
    )["transfer_id"]
    return world, actors


def join_team(staff, world, name):
    volunteer_id = staff.post(
        "/api/volunteers",
        {"name": name, "phone": "13900000001", "community": world.community},
        expect=201,
    )["id"]
    staff.post(
        f"/api/teams/{world.team_id}/members",
        {"volunteer_id": volunteer_id},
        expect=200,
    )
    return volunteer_id


def apply(admin, url, world, suffix):
    """A resident's application to volunteer, pending; its id."""
    username = f"{world.name}.applicant{ord(suffix)}"
    create_account(admin, username, "resident", community=world.community)
    body = {
        "name": f"申请人{suffix}",
        "phone": "13900000002",
        "community": world.community,
    }
    return sign_in(url, username, PASSWORD).post(
        "/api/volunteers/apply", body, expect=201
    )["id"]


def stock_the_bank(world, operator):
    world.donor_id = operator.post(
        "/api/donors", {"name": "华润万家", "kind": "company"}, expect=201
    )["id"]
    world.item_id = operator.post(
        "/api/items", {"name": "大米", "unit": "袋", "points_price": 1}, expect=201
    )["id"]
    world.donation_id = operator.post(
        f"/api/banks/{world.bank_id}/donations",
        {
            "donor_id": world.donor_id,
            "lines": [{"item_id": world.item_id, "quantity": 100}],
        },
        expect=201,
    )["id"]


def take_an_order(world, actors):
    order = actors["resident"].post(
        "/api/orders", order_body(world.community), expect=201
    )
    actors["community_staff"].eventually(
        f"/api/orders/{order['id']}/dispatch",
        {"team_id": world.team_id},
        expect=200,
        retry_on=404,
    )
    actors["team_leader"].eventually(
        f"/api/orders/{order['id']}/accept",
        {"volunteer_ids": [world.volunteer_id]},
        expect=200,
        retry_on=422,
    )
    return order["id"]


@pytest.fixture
def walk(system):
    url, _ = system
    admin = sign_in(url, "admin", "admin-password")
    add_places(admin)
    home, actors = build_world(admin, url, "home", "铁道家园")
    away, _ = build_world(admin, url, "away", "五号街坊")
    actors["admin"] = admin
    return url, home, away, actors


def expected(route, role, inside):
    scope = permissions.scope(route, role)
    if inside and (route, role) in NOT_IN_THE_WALK:
        return False
    return scope is not None and (inside or scope == permissions.DISTRICT)


def call(actor, request):
    method, path, body = request
    return actor.call(method, path, body)


def test_every_route_in_the_table_has_a_sample_request():
    assert set(SAMPLES) == set(permissions.ROLES_FOR)


def test_every_route_role_and_scope_answers_as_the_table_says(walk):
    url, home, away, actors = walk
    wrong = []

    for route in SAMPLES:
        allowed_statuses = ALLOWED | GONE.get(route, set())
        refused = {403, 404} if route in HIDDEN else {403}
        for role in ROLES:
            targets = [(home, True)]
            if sample(route, role, home) != sample(route, role, away):
                targets.append((away, False))
            for world, inside in targets:
                answer = call(actors[role], sample(route, role, world))
                allowed = answer.status_code in allowed_statuses
                if answer.status_code not in allowed_statuses | refused:
                    wrong.append((route, role, world.name, answer.status_code))
                elif allowed != expected(route, role, inside):
                    wrong.append((route, role, world.name, answer.status_code))

    assert not wrong


def test_every_route_but_the_public_ones_needs_a_token(walk):
    url, home, _, _ = walk
    anonymous = Api(url)

    statuses = {
        route: call(anonymous, sample(route, None, home)).status_code
        for route in SAMPLES
    }

    assert set(statuses.values()) == {401}
