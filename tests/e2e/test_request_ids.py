"""One id follows a request: in the answer, over RPC and in the events it causes."""

import pytest

from tests.e2e.conftest import sign_in
from tests.helpers import Listener

pytestmark = pytest.mark.e2e


def reported_order(district, minutes):
    order = district.place_order()
    district.dispatch(order["id"])
    district.accept(order["id"])
    district.leader.post(
        f"/api/orders/{order['id']}/report", {"minutes": minutes}, expect=200
    )
    return order


@pytest.fixture
def admin(lone_gateway):
    return sign_in(lone_gateway(), "admin", "admin-password")


def test_every_answer_carries_a_request_id(admin):
    answers = [
        admin.call("GET", "/health"),
        admin.call("GET", "/no/such/path"),
        admin.call("POST", "/api/orders", {"title": ""}),
    ]

    ids = [answer.headers["X-Request-Id"] for answer in answers]
    assert all(ids) and len(set(ids)) == 3


def test_a_plain_request_id_of_the_callers_own_is_kept(admin):
    answer = admin.call(
        "GET", "/health", headers={"X-Request-Id": "hotline-20261203-0001"}
    )

    assert answer.headers["X-Request-Id"] == "hotline-20261203-0001"


def test_a_request_id_that_is_not_plain_is_replaced(admin):
    answer = admin.call(
        "GET", "/health", headers={"X-Request-Id": "two words\tand a tab"}
    )

    assert answer.headers["X-Request-Id"] not in ("", "two words\tand a tab")


def test_the_id_of_a_confirm_is_the_correlationid_of_the_events_it_causes(district):
    orders_events = Listener(district.amqp_uri, "orders.events", "OrderCompleted")
    points_events = Listener(district.amqp_uri, "points.events", "PointsCredited")
    order = reported_order(district, {district.volunteer_ids[0]: 60})

    district.resident.call(
        "POST",
        f"/api/orders/{order['id']}/confirm",
        {},
        headers={"X-Request-Id": "confirm-0001"},
    )

    [(_, completed)] = orders_events.get(count=1)
    [(_, credited)] = points_events.get(count=1)
    assert completed["correlationid"] == "confirm-0001"
    assert credited["correlationid"] == "confirm-0001"
    orders_events.close()
    points_events.close()
