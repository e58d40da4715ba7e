"""A resident's request travels through the community and a team, and the
volunteers' confirmed minutes arrive as points: every hop over RabbitMQ."""

import pytest

from tests.e2e.conftest import sign_in
from tests.helpers import Listener, wait_for

pytestmark = pytest.mark.e2e


def run_flow(district, minutes):
    order = district.place_order()
    district.dispatch(order["id"])
    district.accept(order["id"])
    district.leader.post(
        f"/api/orders/{order['id']}/report", {"minutes": minutes}, expect=200
    )
    return district.resident.post(f"/api/orders/{order['id']}/confirm", expect=200)


def points_of(district, volunteer_id):
    return district.staff.get(f"/api/volunteers/{volunteer_id}/points", expect=200)


def test_confirmed_minutes_become_points_for_each_volunteer(district):
    li, han = district.volunteers["李雷"], district.volunteers["韩梅梅"]

    completed = run_flow(district, {li: 90, han: 45})

    assert completed["status"] == "completed"
    wait_for(lambda: points_of(district, han)["balance"] > 0, message="points credited")
    assert points_of(district, li)["balance"] == 15
    assert points_of(district, li)["certified_minutes"] == 90
    assert points_of(district, han)["balance"] == 7
    [entry] = points_of(district, li)["entries"]
    assert (entry["order_id"], entry["amount"], entry["minutes"]) == (
        completed["id"],
        15,
        90,
    )


def test_the_order_keeps_its_whole_history_in_chinese(district):
    li = district.volunteers["李雷"]

    completed = run_flow(district, {li: 60})
    order = district.resident.get(f"/api/orders/{completed['id']}", expect=200)

    assert order["title"] == "重阳节慰问演出"
    assert order["address"] == "长江路12号"
    assert [h["status"] for h in order["history"]] == [
        "placed",
        "dispatched",
        "accepted",
        "reported",
        "completed",
    ]
    assert all(h["by"] and h["at"] for h in order["history"])
    assert order["volunteers"] == [
        {"volunteer_id": v, "minutes": 60 if v == li else None}
        for v in district.volunteer_ids
    ]


def test_the_flows_events_can_be_read_by_any_amqp_client(district):
    orders_events = Listener(district.amqp_uri, "orders.events")
    points_events = Listener(district.amqp_uri, "points.events")
    li = district.volunteers["李雷"]

    completed = run_flow(district, {li: 90})

    received = orders_events.get(count=5)
    assert [body["type"] for _, body in received] == [
        "OrderPlaced",
        "OrderDispatched",
        "OrderAccepted",
        "OrderServiceReported",
        "OrderCompleted",
    ]
    [(credit_properties, credited)] = points_events.get(count=1)
    assert credited["type"] == "PointsCredited"
    assert credited["data"]["points"] == 15
    assert credited["data"]["order_id"] == completed["id"]
    for properties, body in [*received, (credit_properties, credited)]:
        assert properties.content_type == "application/cloudevents+json"
        assert properties.message_id == body["id"]
        assert properties.delivery_mode == 2
        assert body["specversion"] == "1.0"
    assert received[0][1]["data"]["title"] == "重阳节慰问演出"
    orders_events.close()
    points_events.close()


def test_a_volunteer_sees_their_own_points_and_nobody_elses(district):
    li, han = district.volunteers["李雷"], district.volunteers["韩梅梅"]
    volunteer = sign_in(district.url, "vol.13900000001", "密码password1")

    run_flow(district, {li: 30})

    wait_for(lambda: volunteer.get(f"/api/volunteers/{li}/points")["balance"] == 5)
    refused = volunteer.get(f"/api/volunteers/{han}/points", expect=403)
    assert refused["error"] == "forbidden"
    district.resident.get(f"/api/volunteers/{li}/points", expect=403)
