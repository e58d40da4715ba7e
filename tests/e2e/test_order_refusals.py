"""Each order call refuses a bad body (400), the wrong caller (403), an
unknown order (404) and the wrong moment (409), and a refusal changes nothing."""

import pytest

from tests.e2e.orders import newcomer, order_at, user_id

pytestmark = pytest.mark.e2e

# an order a resident of 铁道家园 places, or staff enter for them
MEDICINE = {
    "category": "助老",
    "title": "帮忙买药",
    "description": "腿脚不便",
    "community": "铁道家园",
    "address": "五里堡7号",
}

UNKNOWN = "/api/orders/no-such-order"


def at(order, call):
    return f"/api/orders/{order['id']}/{call}"


def status_of(district, order):
    return district.staff.get(f"/api/orders/{order['id']}", expect=200)["status"]


def other_team_leader(district):
    team = district.staff.post(
        "/api/teams",
        {
            "name": "书香艺术团",
            "categories": ["演出"],
            "community": "铁道家园",
            "contact_phone": "13800000002",
        },
        expect=201,
    )
    return newcomer(district, "sun.dui", "team_leader", team_id=team["id"])


def test_placing_for_someone_refuses_a_non_resident_and_staff_placing_for_none(
    district,
):
    body = MEDICINE

    unknown = district.staff.post(
        "/api/orders", {**body, "on_behalf_of": "nobody"}, expect=400
    )
    own = district.staff.post("/api/orders", body, expect=403)

    assert set(unknown["fields"]) == {"on_behalf_of"}
    assert "on_behalf_of" in own["message"]
    assert district.staff.get("/api/orders", expect=200)["items"] == []


def test_placing_refuses_a_blank_title_or_address_naming_it(district):
    body = MEDICINE

    blank_title = district.resident.post(
        "/api/orders", {**body, "title": "   "}, expect=400
    )
    blank_address = district.resident.post(
        "/api/orders", {**body, "address": "\u3000 \n"}, expect=400
    )
    # a description may be left empty, as it always could
    no_description = district.resident.post(
        "/api/orders", {**body, "description": ""}, expect=201
    )

    assert blank_title["fields"] == {"title": ["must not be blank"]}
    assert blank_address["fields"] == {"address": ["must not be blank"]}
    assert [o["id"] for o in district.resident.get("/api/orders")["items"]] == [
        no_description["id"]
    ]


def test_only_staff_of_the_orders_community_enter_it_for_a_resident(
    district,
):
    other_staff = newcomer(district, "li.gan", "community_staff", community="五号街坊")
    resident_id = district.place_order()["resident_id"]
    body = {**MEDICINE, "on_behalf_of": resident_id}

    refused = other_staff.post("/api/orders", body, expect=403)
    by_resident = district.resident.post("/api/orders", body, expect=403)

    assert "五号街坊" not in refused["message"]
    assert "铁道家园" in refused["message"]
    assert "enter orders on behalf" in by_resident["message"]


def test_staff_enter_an_order_only_where_the_resident_would_place_it(district):
    elsewhere = user_id(district, "qian.ayi", "resident", community="五号街坊")
    body = {**MEDICINE, "on_behalf_of": elsewhere}

    refused = district.staff.post("/api/orders", body, expect=422)
    resident_id = district.place_order()["resident_id"]
    entered = district.staff.post(
        "/api/orders", {**body, "on_behalf_of": resident_id}, expect=201
    )

    assert refused["message"] == (
        "the resident's account names a community other than 铁道家园:"
        " their orders are placed there"
    )
    assert entered["resident_id"] == resident_id


def test_rejecting_refuses_bad_codes_other_callers_unknown_and_dispatched_orders(
    district,
):
    other_staff = newcomer(district, "li.gan", "community_staff", community="五号街坊")
    order = district.place_order()
    dispatched = order_at(district, "dispatched")
    reason = {"reason_code": "duplicate"}

    bad = district.staff.post(at(order, "reject"), {"reason_code": "bored"}, expect=400)
    no_note = district.staff.post(
        at(order, "reject"), {"reason_code": "other"}, expect=400
    )
    district.leader.post(at(order, "reject"), reason, expect=403)
    other_staff.post(at(order, "reject"), reason, expect=403)
    district.staff.post(f"{UNKNOWN}/reject", reason, expect=404)
    late = district.staff.post(at(dispatched, "reject"), reason, expect=409)

    assert set(bad["fields"]) == {"reason_code"}
    assert set(no_note["fields"]) == {"note"}
    assert late["message"] == "cannot reject an order that is dispatched"
    assert status_of(district, order) == "placed"


def test_declining_refuses_no_reason_other_teams_unknown_and_accepted_orders(
    district,
):
    other_leader = other_team_leader(district)
    dispatched = order_at(district, "dispatched")
    accepted = order_at(district, "accepted")
    reason = {"reason": "人手不够"}

    bad = district.leader.post(at(dispatched, "decline"), {}, expect=400)
    district.resident.post(at(dispatched, "decline"), reason, expect=403)
    other_leader.post(at(dispatched, "decline"), reason, expect=403)
    district.leader.post(f"{UNKNOWN}/decline", reason, expect=404)
    district.leader.post(at(accepted, "decline"), reason, expect=409)

    assert set(bad["fields"]) == {"reason"}
    assert status_of(district, dispatched) == "dispatched"


def test_starting_refuses_a_body_strangers_unknown_and_started_orders(district):
    outsider = district.staff.post(
        "/api/volunteers",
        {"name": "路人甲", "phone": "13900009999", "community": "铁道家园"},
        expect=201,
    )["id"]
    stranger = newcomer(district, "vol.stranger", "volunteer", volunteer_id=outsider)
    accepted = order_at(district, "accepted")
    started = order_at(district, "in_service")

    district.leader.post(at(accepted, "start"), {"surprise": 1}, expect=400)
    district.resident.post(at(accepted, "start"), expect=403)
    stranger.post(at(accepted, "start"), expect=403)
    district.leader.post(f"{UNKNOWN}/start", expect=404)
    district.leader.post(at(started, "start"), expect=409)

    assert status_of(district, accepted) == "accepted"


def test_disputing_refuses_no_reason_others_unknown_and_unreported_orders(district):
    neighbour = newcomer(district, "li.nainai", "resident", community="铁道家园")
    reported = order_at(district, "reported")
    accepted = order_at(district, "accepted")
    reason = {"reason": "没有来"}

    bad = district.resident.post(at(reported, "dispute"), {}, expect=400)
    district.staff.post(at(reported, "dispute"), reason, expect=403)
    neighbour.post(at(reported, "dispute"), reason, expect=403)
    district.resident.post(f"{UNKNOWN}/dispute", reason, expect=404)
    district.resident.post(at(accepted, "dispute"), reason, expect=409)

    assert set(bad["fields"]) == {"reason"}
    assert status_of(district, reported) == "reported"


def test_asking_for_a_new_report_refuses_bad_bodies_others_and_undisputed_orders(
    district,
):
    other_staff = newcomer(district, "li.gan", "community_staff", community="五号街坊")
    disputed = order_at(district, "disputed")
    reported = order_at(district, "reported")

    bad = district.staff.post(
        at(disputed, "request-report"), {"reason": ""}, expect=400
    )
    district.leader.post(at(disputed, "request-report"), {}, expect=403)
    other_staff.post(at(disputed, "request-report"), {}, expect=403)
    district.staff.post(f"{UNKNOWN}/request-report", {}, expect=404)
    district.staff.post(at(reported, "request-report"), {}, expect=409)

    assert set(bad["fields"]) == {"reason"}
    assert status_of(district, disputed) == "disputed"


def test_confirming_a_disputed_order_is_for_staff_alone(district):
    disputed = order_at(district, "disputed")

    district.resident.post(at(disputed, "confirm"), {"surprise": 1}, expect=400)
    refused = district.resident.post(at(disputed, "confirm"), expect=403)
    district.staff.post(f"{UNKNOWN}/confirm", expect=404)

    assert "resolved by staff" in refused["message"]
    assert status_of(district, disputed) == "disputed"


def test_rating_refuses_bad_stars_others_unknown_and_unfinished_orders(district):
    neighbour = newcomer(district, "li.nainai", "resident", community="铁道家园")
    completed = order_at(district, "completed")
    reported = order_at(district, "reported")

    bad = district.resident.post(at(completed, "rate"), {"stars": 6}, expect=400)
    district.staff.post(at(completed, "rate"), {"stars": 5}, expect=403)
    neighbour.post(at(completed, "rate"), {"stars": 1}, expect=403)
    district.resident.post(f"{UNKNOWN}/rate", {"stars": 5}, expect=404)
    district.resident.post(at(reported, "rate"), {"stars": 5}, expect=409)

    assert set(bad["fields"]) == {"stars"}
    assert status_of(district, completed) == "completed"


def test_cancelling_refuses_no_reason_others_unknown_and_started_orders(district):
    neighbour = newcomer(district, "li.nainai", "resident", community="铁道家园")
    placed = district.place_order()
    started = order_at(district, "in_service")
    reason = {"reason": "不需要了"}

    bad = district.resident.post(at(placed, "cancel"), {}, expect=400)
    district.leader.post(at(placed, "cancel"), reason, expect=403)
    neighbour.post(at(placed, "cancel"), reason, expect=403)
    district.resident.post(f"{UNKNOWN}/cancel", reason, expect=404)
    late = district.resident.post(at(started, "cancel"), reason, expect=409)

    assert set(bad["fields"]) == {"reason"}
    assert late["message"] == "cannot cancel an order that is in_service"
    assert status_of(district, placed) == "placed"


def test_listing_refuses_bad_filters_and_other_peoples_orders(district):
    bank = district.admin.post(
        "/api/banks", {"name": "铁道家园互助银行", "community": "铁道家园"}, expect=201
    )
    operator = newcomer(district, "bank.op", "bank_operator", bank_id=bank["id"])

    bad = district.staff.get("/api/orders", expect=400, status="placed,lost")
    district.resident.get("/api/orders", expect=403, resident="someone-else")
    district.staff.get("/api/orders", expect=403, community="五号街坊")
    district.leader.get("/api/orders", expect=403, team="another-team")
    operator.get("/api/orders", expect=403)

    assert set(bad["fields"]) == {"status"}


def test_the_board_refuses_bad_limits_residents_and_other_communities(district):
    bad = district.staff.get("/api/orders/board", expect=400, limit=0)
    district.resident.get("/api/orders/board", expect=403)
    district.staff.get("/api/orders/board", expect=403, community="五号街坊")
    unnamed = district.admin.get("/api/orders/board", expect=422)

    assert set(bad["fields"]) == {"limit"}
    assert "community" in unnamed["message"]


def test_suggestions_refuse_bad_limits_other_callers_and_unknown_orders(district):
    other_staff = newcomer(district, "li.gan", "community_staff", community="五号街坊")
    order = district.place_order()

    district.staff.get(at(order, "suggested-teams"), expect=400, limit=0)
    district.resident.get(at(order, "suggested-teams"), expect=403)
    other_staff.get(at(order, "suggested-teams"), expect=403)
    district.staff.get(f"{UNKNOWN}/suggested-teams", expect=404)
