"""Every turn an order can take, over HTTP: each answers with the order as
GET shows it, records who did it and why, and announces its one event."""

from datetime import datetime

import pytest

from tests.e2e.conftest import sign_in
from tests.e2e.orders import PASSWORD, order_at, user_id, volunteer
from tests.helpers import Listener

pytestmark = pytest.mark.e2e


def statuses(order):
    return [h["status"] for h in order["history"]]


def test_staff_reject_a_placed_order_with_a_reason_code_its_event_carries(
    district,
):
    listener = Listener(district.amqp_uri, "orders.events", "OrderRejected")
    order = district.place_order()

    rejected = district.staff.post(
        f"/api/orders/{order['id']}/reject",
        {"reason_code": "out_of_scope", "note": "不属于志愿服务范围"},
        expect=200,
    )

    assert rejected == district.resident.get(f"/api/orders/{order['id']}")
    assert rejected["status"] == "rejected"
    assert rejected["history"][-1]["reason_code"] == "out_of_scope"
    assert rejected["history"][-1]["reason"] == "不属于志愿服务范围"
    [(_, event)] = listener.get(count=1)
    assert {k: event["data"][k] for k in ("reason_code", "category", "community")} == {
        "reason_code": "out_of_scope",
        "category": "演出",
        "community": "铁道家园",
    }
    listener.close()


def test_a_declined_order_returns_to_be_dispatched_and_its_team_is_remembered(
    district,
):
    listener = Listener(district.amqp_uri, "orders.events", "OrderDeclined")
    order = order_at(district, "dispatched")

    declined = district.leader.post(
        f"/api/orders/{order['id']}/decline", {"reason": "队员都在外地演出"}, expect=200
    )

    assert declined["status"] == "placed"
    assert declined["team_id"] is None
    assert declined["declined_by_teams"] == [district.team_id]
    assert declined["history"][-1]["reason"] == "队员都在外地演出"
    [(_, event)] = listener.get(count=1)
    assert event["data"]["team_id"] == district.team_id
    suggested = district.staff.get(f"/api/orders/{order['id']}/suggested-teams")
    assert suggested["items"] == []
    # staff may still choose the team again, knowingly
    assert district.dispatch(order["id"])["status"] == "dispatched"
    listener.close()


def test_an_assigned_volunteer_checks_in_to_start_the_service(district):
    order = order_at(district, "accepted")
    li = volunteer(district, "李雷")

    started = li.post(f"/api/orders/{order['id']}/start", expect=200)

    assert started["status"] == "in_service"
    assert started == li.get(f"/api/orders/{order['id']}", expect=200)


def test_a_disputed_report_is_sent_back_reported_again_and_confirmed_by_staff(
    district,
):
    li = district.volunteers["李雷"]
    order = order_at(district, "disputed")
    url = f"/api/orders/{order['id']}"

    district.staff.post(f"{url}/request-report", {"reason": "请核实时长"}, expect=200)
    district.leader.post(f"{url}/report", {"minutes": {li: 45}}, expect=200)
    district.resident.post(f"{url}/dispute", {"reason": "还是不对"}, expect=200)
    completed = district.staff.post(f"{url}/confirm", expect=200)

    assert statuses(completed)[-6:] == [
        "reported",
        "disputed",
        "in_service",
        "reported",
        "disputed",
        "completed",
    ]
    assert {"volunteer_id": li, "minutes": 45} in completed["volunteers"]


def test_the_resident_rates_a_completed_order_once(district):
    listener = Listener(district.amqp_uri, "orders.events", "OrderRated")
    order = order_at(district, "completed")
    url = f"/api/orders/{order['id']}/rate"

    rated = district.resident.post(
        url, {"stars": 5, "comment": "演出很精彩"}, expect=200
    )
    again = district.resident.post(url, {"stars": 1}, expect=409)

    assert rated["status"] == "rated"
    assert rated["rating"] == {"stars": 5, "comment": "演出很精彩"}
    assert again["message"] == "cannot rate an order that is rated"
    [(_, event)] = listener.get(count=1)
    assert (event["data"]["stars"], event["data"]["team_id"]) == (5, district.team_id)
    listener.close()


def test_the_resident_or_staff_cancel_before_service_starts(district):
    listener = Listener(district.amqp_uri, "orders.events", "OrderCancelled")
    placed = order_at(district, "placed")
    accepted = order_at(district, "accepted")

    by_resident = district.resident.post(
        f"/api/orders/{placed['id']}/cancel", {"reason": "家人已经帮忙了"}, expect=200
    )
    by_staff = district.staff.post(
        f"/api/orders/{accepted['id']}/cancel", {"reason": "居民电话取消"}, expect=200
    )

    assert (by_resident["status"], by_staff["status"]) == ("cancelled", "cancelled")
    assert by_resident["history"][-1]["reason"] == "家人已经帮忙了"
    events = {e["data"]["order_id"]: e["data"] for _, e in listener.get(count=2)}
    assert events[accepted["id"]]["stage"] == "accepted"
    assert events[accepted["id"]]["team_id"] == district.team_id
    listener.close()


def test_staff_enter_an_order_for_a_resident_who_phoned(district):
    resident_id = user_id(district, "wang.nainai", "resident", community="铁道家园")
    body = {
        "category": "助老",
        "title": "帮忙买药",
        "description": "腿脚不便",
        "community": "铁道家园",
        "address": "五里堡7号",
        "on_behalf_of": resident_id,
    }

    order = district.staff.post("/api/orders", body, expect=201)

    assert (order["resident_id"], order["status"]) == (resident_id, "placed")
    assert order["entered_by"] != resident_id
    assert order["history"][0]["by"] == order["entered_by"]
    resident = sign_in(district.url, "wang.nainai", PASSWORD)
    assert resident.get(f"/api/orders/{order['id']}", expect=200) == order


def test_an_urgent_order_waits_less_for_dispatch_and_keeps_its_wanted_window(
    district,
):
    body = {
        "category": "助老",
        "title": "独居老人摔倒后需要陪护",
        "description": "今天下午",
        "community": "铁道家园",
        "address": "一马路3号",
        "wanted_from": "2026-12-05T14:00:00+08:00",
        "wanted_until": "2026-12-05T18:00:00+08:00",
    }

    normal = district.resident.post("/api/orders", body, expect=201)
    urgent = district.resident.post(
        "/api/orders", {**body, "priority": "urgent"}, expect=201
    )

    def wait(order):
        placed = datetime.fromisoformat(order["placed_at"])
        return (datetime.fromisoformat(order["due_at"]) - placed).total_seconds()

    assert (normal["priority"], urgent["priority"]) == ("normal", "urgent")
    assert wait(normal) == 48 * 3600
    assert wait(urgent) == 4 * 3600
    assert datetime.fromisoformat(urgent["wanted_from"]) == datetime.fromisoformat(
        body["wanted_from"]
    )


def test_a_wanted_time_without_an_offset_is_the_districts_local_time(district):
    body = {
        "category": "助老",
        "title": "陪老人去医院复查",
        "description": "周四上午",
        "community": "铁道家园",
        "address": "一马路3号",
        "wanted_from": "2026-12-10T09:00:00",
        "wanted_until": "2026-12-10T11:00:00+08:00",
    }

    order = district.resident.post("/api/orders", body, expect=201)

    # 09:00 in Asia/Shanghai (DISTRICT_TIMEZONE) is 01:00 UTC
    assert order["wanted_from"] == "2026-12-10T01:00:00+00:00"
    assert order["wanted_until"] == "2026-12-10T03:00:00+00:00"
