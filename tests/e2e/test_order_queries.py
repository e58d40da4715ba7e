"""Reading orders over HTTP: the list each role may see, page by page, a
community's board, and the teams suggested for dispatch."""

from datetime import UTC, datetime, timedelta

import pytest

from tests.e2e.orders import newcomer, order_at, volunteer
from tests.helpers import wait_for

pytestmark = pytest.mark.e2e


def ids(page):
    return [order["id"] for order in page["items"]]


def test_each_role_lists_only_the_orders_it_may_see(district):
    neighbour = newcomer(district, "li.nainai", "resident", community="铁道家园")
    other_staff = newcomer(district, "li.gan", "community_staff", community="五号街坊")
    mine = order_at(district, "accepted")
    theirs = district.place_order(resident=neighbour)

    by_resident = district.resident.get("/api/orders", expect=200)
    by_neighbour = neighbour.get("/api/orders", expect=200)
    by_leader = district.leader.get("/api/orders", expect=200)
    by_volunteer = volunteer(district, "李雷").get("/api/orders", expect=200)
    by_staff = district.staff.get("/api/orders", expect=200)
    by_other_staff = other_staff.get("/api/orders", expect=200)

    assert ids(by_resident) == [mine["id"]]
    assert ids(by_neighbour) == [theirs["id"]]
    assert ids(by_leader) == [mine["id"]]
    assert ids(by_volunteer) == [mine["id"]]
    assert ids(by_staff) == [theirs["id"], mine["id"]]
    assert ids(by_other_staff) == []
    assert "history" not in by_staff["items"][0]


def test_the_list_filters_and_pages_newest_first_with_a_cursor(district):
    placed = [district.place_order(title=f"第{n}次演出") for n in range(5)]
    dispatched = order_at(district, "dispatched")
    newest_first = [dispatched["id"], *reversed([o["id"] for o in placed])]

    pages, cursor = [], None
    while True:
        query = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = district.staff.get("/api/orders", expect=200, **query)
        pages.append(ids(page))
        cursor = page["next_cursor"]
        if cursor is None:
            break
    only_placed = district.staff.get("/api/orders", status="placed", limit=50)
    several = district.staff.get("/api/orders", status="placed,dispatched")
    elsewhere = district.staff.get("/api/orders", category="助老")
    later = datetime.now(UTC) + timedelta(minutes=1)
    in_window = district.staff.get(
        "/api/orders",
        placed_from=placed[1]["placed_at"],
        placed_to=placed[3]["placed_at"],
    )
    in_future = district.staff.get("/api/orders", placed_from=later.isoformat())

    assert [i for page in pages for i in page] == newest_first
    assert [len(page) for page in pages] == [2, 2, 2]
    assert ids(only_placed) == newest_first[1:]
    assert len(ids(several)) == 6
    assert ids(elsewhere) == []
    assert ids(in_window) == [placed[2]["id"], placed[1]["id"]]
    assert ids(in_future) == []
    assert ids(district.staff.get("/api/orders", team=district.team_id)) == [
        dispatched["id"]
    ]


def test_a_communitys_board_counts_by_status_and_shows_who_waits_longest(district):
    first = district.place_order(title="最早的请求")
    urgent = district.resident.post(
        "/api/orders",
        {
            "category": "助老",
            "title": "急需陪护",
            "description": "今天",
            "community": "铁道家园",
            "address": "一马路3号",
            "priority": "urgent",
        },
        expect=201,
    )
    order_at(district, "accepted")
    rejected = district.place_order()
    district.staff.post(
        f"/api/orders/{rejected['id']}/reject", {"reason_code": "duplicate"}
    )

    board = district.staff.get("/api/orders/board", expect=200)

    assert board["community"] == "铁道家园"
    assert board["total"] == 4
    assert {k: v for k, v in board["counts"].items() if v} == {
        "placed": 2,
        "accepted": 1,
        "rejected": 1,
    }
    assert board["counts"]["expired"] == 0
    assert [o["id"] for o in board["waiting_longest"]] == [first["id"], urgent["id"]]
    # the urgent order expires first, though it was placed later
    assert [o["id"] for o in board["near_expiry"]] == [urgent["id"], first["id"]]
    assert district.admin.get("/api/orders/board", community="铁道家园") == board


def test_suggested_teams_put_the_least_loaded_first_and_skip_other_places(district):
    for name, community in [("书香艺术团", "铁道家园"), ("手拉手艺术团", "万达")]:
        district.admin.post(
            "/api/teams",
            {
                "name": name,
                "categories": ["演出"],
                "community": community,
                "contact_phone": "13800000009",
            },
            expect=201,
        )
    order_at(district, "accepted")
    order = district.place_order()
    url = f"/api/orders/{order['id']}/suggested-teams"

    suggested = wait_for(
        lambda: (s := district.staff.get(url, expect=200))["items"][1:] and s,
        message="the new team known to orders",
    )

    assert [t["name"] for t in suggested["items"]] == ["书香艺术团", "俏玫瑰舞蹈队"]
    assert [t["open_orders"] for t in suggested["items"]] == [0, 1]
    assert suggested["items"][1]["team_id"] == district.team_id
    assert all(t["same_community"] for t in suggested["items"])
