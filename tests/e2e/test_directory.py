"""The directory over HTTP: browsing, changing teams, registering volunteers,
and the copies and records the other services keep from its events."""

import base64
import csv
import io
import json
import time

import pytest

from tests.e2e.conftest import Api, create_account, sign_in
from tests.helpers import wait_for

pytestmark = pytest.mark.e2e

ID_CARD = "11010519491231002X"
PASSWORD = "密码password1"


def register_repair_team(district):
    return district.staff.post(
        "/api/teams",
        {
            "name": "家电维修服务队",
            "kind": "professional",
            "categories": ["维修", "助老"],
            "community": "铁道家园",
            "station_id": "S-TDJY",
            "contact_phone": "13800000009",
            "description": "上门维修家电和水电",
            "founded_on": "2016-05-04",
        },
        expect=201,
    )


def test_residents_browse_professional_teams_and_see_the_phone_to_contact_them(
    district,
):
    repair = register_repair_team(district)
    volunteer = sign_in(district.url, "vol.13900000001", PASSWORD)

    shown = district.resident.get("/api/teams", expect=200)
    found = district.resident.get("/api/teams", expect=200, q="维修")
    everything = district.staff.get("/api/teams", expect=200)
    seen_by_volunteer = volunteer.get(f"/api/teams/{repair['id']}", expect=200)

    assert [t["name"] for t in shown["items"]] == ["家电维修服务队"]
    assert shown["total"] == 1
    assert found["items"][0]["contact_phone"] == "13800000009"
    assert found["items"][0]["street"] == "长江路"
    assert {t["name"] for t in everything["items"]} == {
        "家电维修服务队",
        "俏玫瑰舞蹈队",
    }
    assert everything["total"] == 2
    assert "contact_phone" not in seen_by_volunteer
    # a filter for teams a resident may not see finds none, not others
    for query in ({"status": "suspended"}, {"kind": "general"}):
        unseen = district.resident.get("/api/teams", expect=200, **query)
        assert (unseen["items"], unseen["total"]) == ([], 0)
    Api(district.url).get("/api/teams", expect=401)


def place_and_dispatch_until(district, status, team_id=None, timeout=10):
    """Place fresh orders and dispatch each until the orders service answers
    `status`: it learns of a team's change from an event, a moment later."""
    deadline = time.monotonic() + timeout
    while True:
        order = district.place_order()
        answer = district.staff.call(
            "POST",
            f"/api/orders/{order['id']}/dispatch",
            {"team_id": team_id or district.team_id},
        )
        if answer.status_code == status or time.monotonic() > deadline:
            assert answer.status_code == status, answer.text
            return order, answer.json()
        time.sleep(0.1)


def test_a_suspended_team_gets_no_order_until_it_is_reactivated(district):
    path = f"/api/teams/{district.team_id}"
    district.dispatch(district.place_order()["id"])

    suspended = district.staff.call(
        "PATCH", path, {"status": "suspended", "reason": "队伍整改"}
    ).json()
    _, refused = place_and_dispatch_until(district, 409)
    hidden = district.resident.get(path, expect=404)
    district.staff.call("PATCH", path, {"status": "active"})
    place_and_dispatch_until(district, 200)

    assert suspended["status"] == "suspended"
    assert refused["message"] == f"team {district.team_id} is suspended"
    assert hidden["error"] == "not_found"


def test_an_order_goes_only_to_a_team_that_serves_its_category(district):
    repair = register_repair_team(district)
    path = f"/api/teams/{repair['id']}"

    _, refused = place_and_dispatch_until(district, 422, repair["id"])
    district.staff.call("PATCH", path, {"categories": ["维修", "助老", "演出"]})
    _, dispatched = place_and_dispatch_until(district, 200, repair["id"])

    assert refused["message"] == (
        f"team {repair['id']} does not serve 演出 (it serves 维修、助老)"
    )
    assert (dispatched["status"], dispatched["team_id"]) == ("dispatched", repair["id"])


def test_a_volunteer_who_left_the_team_cannot_be_assigned(district):
    li, han = district.volunteers["李雷"], district.volunteers["韩梅梅"]
    volunteer = sign_in(district.url, "vol.13900000002", PASSWORD)

    left = volunteer.call("DELETE", f"/api/teams/{district.team_id}/members/{han}")
    again = volunteer.call("DELETE", f"/api/teams/{district.team_id}/members/{han}")
    team = district.staff.get(f"/api/teams/{district.team_id}", expect=200)
    refused = accept_until(district, 422, [li, han])

    assert left.status_code == 200 and team["member_ids"] == [li]
    assert again.status_code == 404
    assert refused["message"] == f"not members of team {district.team_id}: {han}"
    assert accept_until(district, 200, [li])["volunteers"][0]["volunteer_id"] == li


def accept_until(district, status, volunteer_ids, timeout=10):
    deadline = time.monotonic() + timeout
    while True:
        order = district.place_order()
        district.dispatch(order["id"])
        answer = district.leader.call(
            "POST",
            f"/api/orders/{order['id']}/accept",
            {"volunteer_ids": volunteer_ids},
        )
        if answer.status_code == status or time.monotonic() > deadline:
            assert answer.status_code == status, answer.text
            return answer.json()
        time.sleep(0.1)


def register(district, name, id_card_no, expect):
    body = {"name": name, "phone": "13900000100", "community": "铁道家园"}
    return district.staff.post(
        "/api/volunteers", {**body, "id_card_no": id_card_no}, expect=expect
    )


def test_one_id_card_registers_one_volunteer_and_is_never_shown(district):
    first = register(district, "王秀兰", ID_CARD, 201)

    second = register(district, "王秀芝", ID_CARD.lower(), 409)
    wrong = register(district, "王秀芝", "110105194912310021", 400)
    shown = district.staff.call("GET", f"/api/volunteers/{first['id']}").text

    assert first["id_card_on_file"] is True
    assert second["error"] == "conflict"
    assert set(wrong["fields"]) == {"id_card_no"}
    assert ID_CARD not in json.dumps(first) + shown + json.dumps(wrong)
    assert "19491231" not in shown


def token_claims(api):
    token = api.session.headers["Authorization"].split()[1].split(".")[1]
    return json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))


def test_a_person_who_applies_volunteers_once_staff_of_their_community_approve(
    district,
):
    create_account(district.admin, "xiao.zhou", "volunteer")
    person = sign_in(district.url, "xiao.zhou", PASSWORD)
    body = {"name": "周小川", "phone": "13900000200", "community": "铁道家园"}

    applied = person.post("/api/volunteers/apply", body, expect=201)
    twice = person.post("/api/volunteers/apply", body, expect=409)
    pending = district.staff.get("/api/volunteers", expect=200, status="pending")
    approved = district.staff.post(
        f"/api/volunteers/{applied['id']}/approve", expect=200
    )
    again = sign_in(district.url, "xiao.zhou", PASSWORD)

    assert applied["status"] == "pending" and twice["error"] == "conflict"
    assert [v["id"] for v in pending["items"]] == [applied["id"]]
    assert approved["status"] == "active"
    assert token_claims(again)["volunteer_id"] == applied["id"]
    assert again.get(f"/api/volunteers/{applied['id']}", expect=200)["name"] == "周小川"
    wait_for(
        lambda: (
            again.get(f"/api/volunteers/{applied['id']}/points").get("balance") == 0
        ),
        message="the points service opened the new volunteer's account",
    )


def test_an_approved_resident_serves_and_sees_their_points_as_a_volunteer(district):
    create_account(district.admin, "xiao.chen", "resident", community="铁道家园")
    applicant = sign_in(district.url, "xiao.chen", PASSWORD)
    body = {"name": "陈小红", "phone": "13900000400", "community": "铁道家园"}
    chen = applicant.post("/api/volunteers/apply", body, expect=201)["id"]
    district.staff.post(f"/api/volunteers/{chen}/approve", expect=200)
    members = f"/api/teams/{district.team_id}/members"
    district.staff.post(members, {"volunteer_id": chen}, expect=200)
    # the token from before the approval carries no volunteer record
    stale = applicant.call("GET", f"/api/volunteers/{chen}/points")
    person = sign_in(district.url, "xiao.chen", PASSWORD)
    order = district.place_order()
    path = f"/api/orders/{order['id']}"
    district.dispatch(order["id"])
    district.leader.eventually(
        f"{path}/accept", {"volunteer_ids": [chen]}, expect=200, retry_on=422
    )

    started = person.post(f"{path}/start", expect=200)
    district.leader.post(f"{path}/report", {"minutes": {chen: 90}}, expect=200)
    district.resident.post(f"{path}/confirm", expect=200)
    assigned = person.get("/api/orders", expect=200, volunteer=chen)
    placed = person.get("/api/orders", expect=200)
    record = person.get(f"/api/volunteers/{chen}", expect=200)
    other = district.volunteers["李雷"]
    someone_elses = person.call("GET", f"/api/volunteers/{other}/points")

    assert stale.status_code == 403
    assert stale.json()["message"].endswith(
        "unless the account carries a volunteer record: sign in again if it has"
        " been given one"
    )
    assert token_claims(person)["role"] == "resident"
    assert started["status"] == "in_service"
    assert [o["id"] for o in assigned["items"]] == [order["id"]]
    assert placed["items"] == []
    assert record["name"] == "陈小红"
    assert someone_elses.status_code == 403
    wait_for(
        lambda: person.get(f"/api/volunteers/{chen}/points").get("balance") == 15,
        message="90 minutes credited to the approved resident as 15 points",
    )


def test_staff_turn_an_application_down_with_a_reason(district):
    body = {"name": "赵大爷", "phone": "13900000300", "community": "铁道家园"}
    applied = district.resident.post("/api/volunteers/apply", body, expect=201)

    rejected = district.staff.post(
        f"/api/volunteers/{applied['id']}/reject",
        {"reason": "已迁出本社区"},
        expect=200,
    )
    late = district.staff.post(f"/api/volunteers/{applied['id']}/approve", expect=409)

    assert rejected["status"] == "rejected"
    assert "rejected" in late["message"]
    district.resident.post("/api/volunteers/apply", body, expect=201)


def test_the_service_record_lists_each_order_served_as_json_and_as_csv(district):
    li = district.volunteers["李雷"]
    order = district.place_order()
    district.dispatch(order["id"])
    district.accept(order["id"])
    district.leader.post(
        f"/api/orders/{order['id']}/report", {"minutes": {li: 90}}, expect=200
    )
    district.resident.post(f"/api/orders/{order['id']}/confirm", expect=200)
    path = f"/api/volunteers/{li}/service-record"

    found = wait_for(
        lambda: district.staff.get(path, expect=200)["entries"],
        message="the order on the record",
    )
    exported = district.staff.call("GET", path, params={"format": "csv"})

    assert [(e["order_id"], e["category"], e["minutes"]) for e in found] == [
        (order["id"], "演出", 90)
    ]
    assert found[0]["team"] == "俏玫瑰舞蹈队"
    assert exported.headers["Content-Type"] == "text/csv; charset=utf-8"
    [row] = csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig")))
    assert (row["order_id"], row["team"], row["minutes"]) == (
        order["id"],
        "俏玫瑰舞蹈队",
        "90",
    )
    district.resident.get(path, expect=403)


def test_places_form_the_street_and_community_tree(district):
    places = district.resident.get("/api/places", expect=200)
    stations = district.resident.get("/api/stations", expect=200, community="铁道家园")
    moved = district.admin.call(
        "PUT",
        "/api/stations/S-NEW",
        {"name": "新站", "street": "金水源", "community": "铁道家园", "address": "1号"},
    )

    streets = {s["name"]: s["communities"] for s in places["streets"]}
    assert streets["长江路"] == [{"name": "铁道家园", "stations": 1}]
    assert [s["id"] for s in stations["items"]] == ["S-TDJY"]
    assert stations["items"][0]["opening_hours"][0]["from"] == "08:30"
    assert moved.status_code == 409


def test_a_station_id_is_a_code_as_in_the_registry(district):
    body = {
        "name": "新站",
        "street": "长江路",
        "community": "铁道家园",
        "address": "1号",
    }

    refused = district.admin.call("PUT", "/api/stations/bad id!", body)
    kept = district.admin.call("PUT", "/api/stations/S-TDJY.2", body)

    assert refused.status_code == 400
    assert "letters, digits and ._:- only, at most 64" in refused.json()["message"]
    assert kept.status_code == 200
    assert "bad id!" not in {
        s["id"] for s in district.admin.get("/api/stations", expect=200)["items"]
    }


def test_a_leader_changes_description_and_leaders_but_not_the_name(district):
    li = district.volunteers["李雷"]
    path = f"/api/teams/{district.team_id}"

    described = district.leader.call("PATCH", path, {"description": "广场舞和慰问演出"})
    renamed = district.leader.call("PATCH", path, {"name": "新名字"})
    led = district.leader.call("PATCH", path, {"leader_ids": [li]})
    stranger = district.leader.call("PATCH", path, {"leader_ids": ["no-one"]})

    assert described.json()["description"] == "广场舞和慰问演出"
    assert renamed.status_code == 403
    assert led.json()["leader_ids"] == [li]
    assert stranger.status_code == 422


def test_volunteers_are_searched_as_typed_a_page_at_a_time(district):
    first = district.staff.get("/api/volunteers", expect=200, q="雷", limit=1)
    everyone = district.staff.get("/api/volunteers", expect=200, limit=1)
    rest = district.staff.get(
        "/api/volunteers", expect=200, limit=1, cursor=everyone["next_cursor"]
    )

    assert [v["name"] for v in first["items"]] == ["李雷"]
    assert first["next_cursor"] is None
    assert [v["name"] for v in everyone["items"] + rest["items"]] == ["李雷", "韩梅梅"]
    district.staff.get("/api/volunteers", expect=400, cursor="forged")
