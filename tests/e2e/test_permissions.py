"""The permission table, walked: every route, every role, inside and outside
the role's scope, answers as `permissions.ROLES_FOR` says.

Two communities are set up alike, each with one account per role, a team, a
volunteer and an order taken by that team. Every actor lives in the home
community. For each route a sample request is made against the home world
(inside every scope) and against the away world (outside every scope but the
district); a route whose request is the same in both worlds has no outside.
A new route needs its row in the table and its sample here.
"""

import uuid
from dataclasses import dataclass

import pytest

from eventing.identity import ROLES
from services.gateway import permissions
from tests.e2e.conftest import Api, sign_in
from tests.helpers import wait_for

pytestmark = pytest.mark.e2e

PASSWORD = "密码password1"
ALLOWED = {200, 201, 409}  # 409: allowed, but the order has moved on


@dataclass
class World:
    name: str
    community: str
    team_id: str = ""
    volunteer_id: str = ""
    order_id: str = ""
    spare_user_id: str = ""


def order_body(community):
    return {
        "category": "清洁",
        "title": "清理楼道小广告",
        "description": "三单元楼道",
        "community": community,
        "address": "福华街3号",
    }


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
    "register_volunteer": lambda w: (
        "POST",
        "/api/volunteers",
        {"name": "王小明", "phone": "13900000009", "community": w.community},
    ),
    "add_member": lambda w: (
        "POST",
        f"/api/teams/{w.team_id}/members",
        {"volunteer_id": w.volunteer_id},
    ),
    "get_points": lambda w: ("GET", f"/api/volunteers/{w.volunteer_id}/points", None),
    # a resident places orders for themselves only: there is no outside
    "place_order": lambda w: ("POST", "/api/orders", order_body("铁道家园")),
    "get_order": lambda w: ("GET", f"/api/orders/{w.order_id}", None),
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
    "report_service": lambda w: (
        "POST",
        f"/api/orders/{w.order_id}/report",
        {"minutes": {w.volunteer_id: 30}},
    ),
    "confirm_order": lambda w: ("POST", f"/api/orders/{w.order_id}/confirm", {}),
    "list_banks": lambda w: ("GET", "/api/banks", None),
}


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
    """A community with one account per role, a team with a volunteer, and an
    order of its resident taken by that team; the accounts signed in."""
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
    world.volunteer_id = staff.post(
        "/api/volunteers",
        {"name": "志愿者", "phone": "13900000001", "community": community},
        expect=201,
    )["id"]
    staff.post(
        f"/api/teams/{world.team_id}/members",
        {"volunteer_id": world.volunteer_id},
        expect=200,
    )
    accounts = {
        "team_leader": {"team_id": world.team_id},
        "volunteer": {"volunteer_id": world.volunteer_id},
        "resident": {"community": community},
        "bank_operator": {"bank_id": f"bank-{name}"},
    }
    for role, scope in accounts.items():
        create_account(admin, f"{name}.{role}", role, **scope)
    world.spare_user_id = create_account(admin, f"{name}.spare", "resident")
    actors = {role: sign_in(url, f"{name}.{role}", PASSWORD) for role in accounts}
    actors["community_staff"] = staff
    world.order_id = take_an_order(world, actors)
    # the points service opens the volunteer's account on an event
    points = f"/api/volunteers/{world.volunteer_id}/points"
    wait_for(lambda: staff.call("GET", points).status_code == 200)
    return world, actors


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
    home, actors = build_world(admin, url, "home", "铁道家园")
    away, _ = build_world(admin, url, "away", "五号街坊")
    actors["admin"] = admin
    return url, home, away, actors


def expected(route, role, inside):
    scope = permissions.scope(route, role)
    return scope is not None and (inside or scope == permissions.DISTRICT)


def call(actor, sample):
    method, path, body = sample
    return actor.call(method, path, body)


def test_every_route_in_the_table_has_a_sample_request():
    assert set(SAMPLES) == set(permissions.ROLES_FOR)


def test_every_route_role_and_scope_answers_as_the_table_says(walk):
    url, home, away, actors = walk
    wrong = []

    for route, sample in SAMPLES.items():
        for role in ROLES:
            targets = [(home, True)]
            if sample(home)[1:] != sample(away)[1:]:
                targets.append((away, False))
            for world, inside in targets:
                answer = call(actors[role], sample(world))
                allowed = answer.status_code in ALLOWED
                if answer.status_code not in ALLOWED | {403}:
                    wrong.append((route, role, world.name, answer.status_code))
                elif allowed != expected(route, role, inside):
                    wrong.append((route, role, world.name, answer.status_code))

    assert not wrong


def test_every_route_but_the_public_ones_needs_a_token(walk):
    url, home, _, _ = walk
    anonymous = Api(url)

    statuses = {
        route: call(anonymous, s(home)).status_code for route, s in SAMPLES.items()
    }

    assert set(statuses.values()) == {401}
