"""Bad input and the wrong caller get a clear answer, and change nothing."""

import pytest

from tests.e2e.conftest import Api, create_account, sign_in
from tests.helpers import at_once

pytestmark = pytest.mark.e2e


def test_a_call_without_a_token_is_unauthorized(district):
    answer = Api(district.url).get("/api/volunteers", expect=401)

    assert answer["error"] == "unauthorized"


def test_signing_in_tells_the_account_its_role_and_scope(district):
    answer = Api(district.url).post(
        "/api/auth/token",
        {"username": "zhang.dui", "password": "密码password1"},
        expect=200,
    )

    assert answer["token_type"] == "bearer"
    assert answer["role"] == "team_leader"
    assert answer["user"]["team_id"] == district.team_id
    assert "password_hash" not in answer["user"]


def test_a_wrong_password_is_unauthorized(district):
    answer = Api(district.url).post(
        "/api/auth/token", {"username": "admin", "password": "guess"}, expect=401
    )

    assert answer == {"error": "unauthorized", "message": "wrong username or password"}


def test_a_bad_body_is_refused_naming_each_field(district):
    answer = district.resident.post(
        "/api/orders", {"category": "演出", "title": "", "surprise": 1}, expect=400
    )

    assert answer["error"] == "bad_request"
    assert set(answer["fields"]) == {
        "title",
        "description",
        "community",
        "address",
        "surprise",
    }


def test_a_body_that_is_not_json_is_refused(district):
    response = district.resident.call(
        "POST",
        "/api/orders",
        data="{not json",
        headers={"Content-Type": "application/json"},
    )

    assert response.status_code == 400
    assert response.json()["message"] == "the body is not JSON"


def test_a_resident_may_not_dispatch(district):
    order = district.place_order()

    answer = district.resident.post(
        f"/api/orders/{order['id']}/dispatch", {"team_id": district.team_id}, expect=403
    )

    assert "resident may not" in answer["message"]


def test_staff_of_another_community_may_not_dispatch(district):
    create_account(
        district.admin, "other.staff", "community_staff", community="五号街坊"
    )
    other = sign_in(district.url, "other.staff", "密码password1")
    order = district.place_order()

    answer = other.post(
        f"/api/orders/{order['id']}/dispatch", {"team_id": district.team_id}, expect=403
    )

    assert "铁道家园" in answer["message"]
    assert district.resident.get(f"/api/orders/{order['id']}")["status"] == "placed"


def test_another_resident_may_not_see_the_order(district):
    create_account(district.admin, "li.nainai", "resident", community="铁道家园")
    neighbour = sign_in(district.url, "li.nainai", "密码password1")
    order = district.place_order()

    neighbour.get(f"/api/orders/{order['id']}", expect=403)


def test_an_unknown_order_is_not_found(district):
    answer = district.staff.get("/api/orders/no-such-order", expect=404)

    assert answer["error"] == "not_found"


def test_dispatching_to_an_unknown_team_is_not_found(district):
    order = district.place_order()

    district.staff.post(
        f"/api/orders/{order['id']}/dispatch", {"team_id": "no-such-team"}, expect=404
    )


def test_confirming_before_the_report_is_a_conflict(district):
    order = district.place_order()
    district.dispatch(order["id"])

    answer = district.resident.post(f"/api/orders/{order['id']}/confirm", expect=409)

    assert answer["message"] == "cannot confirm an order that is dispatched"


def test_accepting_volunteers_from_another_team_is_refused(district):
    order = district.place_order()
    district.dispatch(order["id"])

    answer = district.leader.post(
        f"/api/orders/{order['id']}/accept", {"volunteer_ids": ["stranger"]}, expect=422
    )

    assert answer["error"] == "unprocessable"
    assert "stranger" in answer["message"]


def test_reporting_minutes_for_an_unassigned_volunteer_is_refused(district):
    order = district.place_order()
    district.dispatch(order["id"])
    district.accept(order["id"])

    district.leader.post(
        f"/api/orders/{order['id']}/report", {"minutes": {"stranger": 60}}, expect=422
    )
    district.leader.post(
        f"/api/orders/{order['id']}/report",
        {"minutes": {district.volunteer_ids[0]: 0}},
        expect=400,
    )


def test_a_taken_username_is_a_conflict(district):
    answer = district.admin.post(
        "/api/users",
        {
            "username": "wang.fang",
            "password": "another-password",
            "role": "resident",
            "display_name": "重名",
        },
        expect=409,
    )

    assert "taken" in answer["message"]


def test_a_volunteer_record_goes_to_one_account_only(district):
    li = district.volunteers["李雷"]  # signs in as vol.13900000001
    fresh = district.staff.post(
        "/api/volunteers",
        {"name": "孙悟", "phone": "13900000500", "community": "铁道家园"},
        expect=201,
    )["id"]

    def account(n, volunteer_id):
        body = {
            "username": f"second.{n}",
            "password": "password-123",
            "role": "volunteer",
            "display_name": "第二个账号",
            "volunteer_id": volunteer_id,
        }
        return lambda: district.admin.call("POST", "/api/users", body)

    second = account("li", li)()
    # made at the same instant: the database's index decides
    racing = at_once([account(n, fresh) for n in range(5)])

    assert second.status_code == 409
    assert second.json()["message"] == (
        f"volunteer {li} already has an account: vol.13900000001"
    )
    assert sorted(r.status_code for r in racing) == [201, 409, 409, 409, 409]


def test_a_team_leader_account_must_name_its_team(district):
    answer = district.admin.post(
        "/api/users",
        {
            "username": "no.team",
            "password": "password-123",
            "role": "team_leader",
            "display_name": "无队",
        },
        expect=400,
    )

    assert "team_id" in answer["fields"]


def test_an_order_in_a_community_not_of_the_district_is_unprocessable(district):
    body = {
        "category": "助老",
        "title": "买菜",
        "description": "帮忙买菜",
        "community": "火星社区",
        "address": "火星路1号",
    }
    create_account(district.admin, "bu.zhidao", "resident")
    nowhere = sign_in(district.url, "bu.zhidao", "密码password1")

    answer = nowhere.post("/api/orders", body, expect=422)
    # a resident of 铁道家园 orders help in 铁道家园
    elsewhere = district.resident.post(
        "/api/orders", {**body, "community": "五号街坊"}, expect=403
    )

    assert answer["message"] == "community '火星社区' is not one of the district's"
    assert "铁道家园" in elsewhere["message"]
    assert district.admin.get("/api/orders")["items"] == []


@pytest.mark.parametrize(
    "scope, named",
    [
        ({"role": "resident", "community": "火星社区"}, "火星社区"),
        ({"role": "team_leader", "team_id": "no-such-team"}, "no-such-team"),
        ({"role": "volunteer", "volunteer_id": "no-such-volunteer"}, "no-such"),
        ({"role": "bank_operator", "bank_id": "no-such-bank"}, "no-such-bank"),
    ],
)
def test_an_account_naming_what_does_not_exist_is_unprocessable(district, scope, named):
    body = {"username": "ghost", "password": "password-123", "display_name": "无名"}

    answer = district.admin.post("/api/users", {**body, **scope}, expect=422)

    assert named in answer["message"]
    district.admin.post(
        "/api/auth/token", {"username": "ghost", "password": "password-123"}, expect=401
    )
