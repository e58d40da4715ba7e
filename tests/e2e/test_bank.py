"""Points buy goods at the community's mutual-aid bank, over HTTP, with every
service running: the redemption saga end to end, the races the issue names,
free distribution and the refusals of the bank's API."""

import uuid
from dataclasses import dataclass
from functools import partial

import eventlet
import pytest
from sqlalchemy import create_engine, text

from ops.invariants import check_all
from services.points.service import PointsService
from tests.conftest import free_port
from tests.e2e.conftest import Api, create_account, sign_in
from tests.helpers import at_once, wait_for

pytestmark = pytest.mark.e2e

PASSWORD = "密码password1"


@dataclass
class MutualAidBank:
    id: str
    operator: Api
    volunteer: Api
    volunteer_id: str
    rice: str
    oil: str
    donation: dict
    configs: dict

    def stock(self, api=None):
        items = (api or self.operator).get(f"/api/banks/{self.id}/stock", expect=200)
        return {i["name"]: i["quantity"] for i in items["items"]}

    def redemption(self, redemption_id):
        return self.operator.get(f"/api/redemptions/{redemption_id}", expect=200)

    def settled(self, redemption_id):
        answer = self.redemption(redemption_id)
        return answer if answer["status"] != "pending" else None

    def invariants(self):
        return check_all(
            points=self.configs["points"]["DATABASE_URL"],
            inventory=self.configs["inventory"]["DATABASE_URL"],
            orders=self.configs["orders"]["DATABASE_URL"],
        )


def earn(district, volunteer_id, minutes):
    """Serve one order for `minutes` and wait for its points."""
    order = district.place_order()
    district.dispatch(order["id"])
    district.accept(order["id"])
    district.leader.post(
        f"/api/orders/{order['id']}/report",
        {"minutes": {volunteer_id: minutes}},
        expect=200,
    )
    district.resident.post(f"/api/orders/{order['id']}/confirm", expect=200)
    wait_for(
        lambda: district.staff.get(f"/api/volunteers/{volunteer_id}/points")["entries"],
        message="points credited",
    )


@pytest.fixture
def bank(system, district):
    """铁道家园's bank: an operator, a donor's rice (10 points a bag) and oil
    (given free only), and the volunteer 李雷 signed in."""
    _, configs = system
    admin = district.admin
    bank_id = admin.post(
        "/api/banks", {"name": "铁道家园互助银行", "community": "铁道家园"}, expect=201
    )["id"]
    create_account(admin, "bank.op", "bank_operator", bank_id=bank_id)
    operator = sign_in(district.url, "bank.op", PASSWORD)
    donor = operator.post(
        "/api/donors", {"name": "华润万家", "kind": "company"}, expect=201
    )
    rice = operator.post(
        "/api/items",
        {"name": "大米", "unit": "袋", "points_price": 10, "low_stock_threshold": 3},
        expect=201,
    )["id"]
    oil = operator.post(
        "/api/items",
        {"name": "食用油", "unit": "桶", "points_price": 0, "free_only": True},
        expect=201,
    )["id"]
    donation = operator.post(
        f"/api/banks/{bank_id}/donations",
        {
            "donor_id": donor["id"],
            "lines": [
                {"item_id": rice, "quantity": 20},
                {"item_id": oil, "quantity": 3},
            ],
            "estimated_value": "1280.50",
        },
        expect=201,
    )
    return MutualAidBank(
        id=bank_id,
        operator=operator,
        volunteer=sign_in(district.url, "vol.13900000001", PASSWORD),
        volunteer_id=district.volunteers["李雷"],
        rice=rice,
        oil=oil,
        donation=donation,
        configs=configs,
    )


def redeem(bank, api=None, quantity=1, expect=202):
    return (api or bank.volunteer).post(
        "/api/redemptions",
        {
            "bank_id": bank.id,
            "volunteer_id": bank.volunteer_id,
            "lines": [{"item_id": bank.rice, "quantity": quantity}],
        },
        expect=expect,
    )


def test_points_buy_goods_and_leave_certified_minutes_untouched(district, bank):
    earn(district, bank.volunteer_id, 150)

    pending = redeem(bank, quantity=2)
    done = wait_for(lambda: bank.settled(pending["id"]), message="the saga")

    assert pending == {"id": pending["id"], "status": "pending"}
    assert (done["status"], "reason" in done) == ("completed", False)
    points = bank.volunteer.get(f"/api/volunteers/{bank.volunteer_id}/points")
    assert (points["balance"], points["certified_minutes"]) == (5, 150)
    assert points["entries"][0]["kind"] == "redemption_debit"
    assert bank.stock(bank.volunteer) == {"大米": 18, "食用油": 3}
    assert bank.invariants() == []


def test_a_redemption_the_balance_cannot_pay_is_cancelled_with_its_reason(
    district, bank
):
    earn(district, bank.volunteer_id, 30)

    pending = redeem(bank, quantity=1)
    done = wait_for(lambda: bank.settled(pending["id"]), message="the saga")

    assert done["status"] == "cancelled"
    assert done["reason"] == "a balance of 5 does not pay 10"
    assert bank.stock() == {"大米": 20, "食用油": 3}
    assert bank.invariants() == []


def test_twenty_simultaneous_redemptions_against_a_balance_for_one_give_one(
    district, bank, container_factory
):
    # a second replica of the ledger, so the debits race across processes'
    # worth of workers, not only within one
    replica = dict(
        bank.configs["points"], WEB_SERVER_ADDRESS=f"127.0.0.1:{free_port()}"
    )
    container_factory(PointsService, replica).start()
    earn(district, bank.volunteer_id, 90)

    answers = at_once([lambda: redeem(bank)] * 20)
    outcomes = [
        wait_for(lambda a=a: bank.settled(a["id"]), timeout=30)["status"]
        for a in answers
    ]

    assert sorted(outcomes).count("completed") == 1
    assert sorted(outcomes).count("cancelled") == 19
    points = bank.volunteer.get(f"/api/volunteers/{bank.volunteer_id}/points")
    assert points["balance"] == 5
    assert bank.stock() == {"大米": 19, "食用油": 3}
    assert bank.invariants() == []


def test_two_distributions_racing_for_the_last_units_give_one(district, bank):
    def distribute(i):
        return district.staff.call(
            "POST",
            "/api/distributions",
            {
                "bank_id": bank.id,
                "family": {"name": ["王秀英", "李桂兰"][i], "community": "铁道家园"},
                "reason": "困难家庭春节慰问",
                "lines": [{"item_id": bank.oil, "quantity": 2}],
            },
        )

    answers = at_once([partial(distribute, i) for i in range(2)])

    assert sorted(a.status_code for a in answers) == [201, 409]
    refused = next(a for a in answers if a.status_code == 409).json()
    assert refused["message"] == "fewer than 2 桶 of 食用油 in stock"
    assert bank.stock() == {"大米": 20, "食用油": 1}
    assert bank.invariants() == []


def test_the_bank_answers_its_refusals_over_http(district, bank):
    other_volunteer = sign_in(district.url, "vol.13900000002", PASSWORD)
    another = district.admin.post(
        "/api/banks", {"name": "五号街坊互助银行", "community": "五号街坊"}, expect=201
    )
    create_account(district.admin, "other.op", "bank_operator", bank_id=another["id"])
    other_operator = sign_in(district.url, "other.op", PASSWORD)

    redeem(bank, other_volunteer, expect=403)
    redeem(bank, other_operator, expect=403)
    district.resident.post("/api/donors", {"name": "x", "kind": "company"}, expect=403)
    other_operator.post(
        f"/api/banks/{bank.id}/donations",
        {"donor_id": "d", "lines": [{"item_id": bank.rice, "quantity": 1}]},
        expect=403,
    )
    district.admin.post(
        "/api/banks", {"name": "第二家", "community": "铁道家园"}, expect=409
    )
    bad = bank.operator.post(
        "/api/redemptions", {"bank_id": bank.id, "lines": []}, expect=400
    )
    assert set(bad["fields"]) == {"volunteer_id", "lines"}
    redeem(bank, bank.operator, quantity=21, expect=409)
    bank.operator.get("/api/redemptions/no-such-redemption", expect=404)
    bank.operator.get("/api/reports/nonsense", expect=404)
    # the route takes what any report takes; each report refuses the rest
    period = {"from": "2026-01-01", "to": "2026-12-31"}
    stock_by_period = bank.operator.get("/api/reports/stock", expect=400, **period)
    assert set(stock_by_period["fields"]) == {"from", "to"}
    bank.operator.get("/api/reports/redemptions", expect=400)
    bank.operator.get("/api/reports/redemptions", expect=400, colour="red", **period)
    bank.operator.get("/api/reports/redemptions", expect=200, **period)


def test_a_bank_in_a_community_not_of_the_district_is_unprocessable(district):
    answer = district.admin.post(
        "/api/banks", {"name": "外星社区银行", "community": "火星社区"}, expect=422
    )

    assert answer["message"] == "community '火星社区' is not one of the district's"
    assert district.admin.get("/api/banks")["items"] == []


def test_a_distribution_to_a_family_not_of_the_district_is_unprocessable(bank):
    body = {
        "bank_id": bank.id,
        "family": {"name": "某家", "community": "火星社区"},
        "reason": "困难家庭春节慰问",
        "lines": [{"item_id": bank.oil, "quantity": 1}],
    }

    answer = bank.operator.post("/api/distributions", body, expect=422)

    assert answer["message"] == "community '火星社区' is not one of the district's"
    assert bank.stock() == {"大米": 20, "食用油": 3}
    period = {"from": "2000-01-01", "to": "2999-12-31"}
    report = bank.operator.get("/api/reports/distributions", expect=200, **period)
    assert "某家" not in str(report)
    assert bank.invariants() == []


def test_a_donation_has_a_printable_receipt_and_appears_in_the_reports(district, bank):
    response = district.staff.call(
        "GET", f"/api/donations/{bank.donation['id']}/receipt"
    )
    report = bank.operator.get(
        "/api/reports/donations",
        expect=200,
        **{"from": "2000-01-01", "to": "2999-12-31"},
    )

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert bank.donation["receipt_no"] in response.text
    assert "大米  20 袋" in response.text
    [donor] = report["donors"]
    assert (donor["name"], donor["estimated_value"]) == ("华润万家", "1280.50")
    assert [r["receipt_no"] for r in donor["receipts"]] == [bank.donation["receipt_no"]]


def test_the_admin_corrects_the_ledger_and_everyone_sees_the_leaderboard(
    district, bank
):
    earn(district, bank.volunteer_id, 120)
    statement = bank.volunteer.get(f"/api/volunteers/{bank.volunteer_id}/points")
    [credit] = statement["entries"]
    before = bank.volunteer.get("/api/points/leaderboard", expect=200, by="team")

    reversal = district.admin.post(
        f"/api/points/transfers/{credit['transfer_id']}/reversal",
        {"reason": "上报时长有误"},
        expect=201,
    )
    district.admin.post(
        "/api/points/adjustments",
        {"volunteer_id": bank.volunteer_id, "points": 12, "reason": "补记90分钟"},
        expect=201,
    )
    district.staff.post(
        "/api/points/adjustments",
        {"volunteer_id": bank.volunteer_id, "points": 1, "reason": "x"},
        expect=403,
    )
    after_board = bank.volunteer.get("/api/points/leaderboard", expect=200, by="team")

    assert before["items"] == [
        {"rank": 1, "team_id": district.team_id, "points": 20, "minutes": 120}
    ]
    assert (reversal["amount"], reversal["reverses"]) == (-20, credit["transfer_id"])
    after = bank.volunteer.get(f"/api/volunteers/{bank.volunteer_id}/points", limit=2)
    assert (after["balance"], after["certified_minutes"]) == (12, 0)
    assert [e["kind"] for e in after["entries"]] == ["adjustment", "reversal"]
    assert after["next_cursor"] is not None
    # a reversed credit no longer counts on the board
    assert after_board["items"] == []
    assert bank.invariants() == []


# double clicks: a retried command with its Idempotency-Key creates one record


def rows_in_inventory(configs, table):
    engine = create_engine(configs["inventory"]["DATABASE_URL"])
    try:
        with engine.connect() as conn:
            return conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
    finally:
        engine.dispose()


def test_a_double_clicked_donation_records_one_donation(bank):
    key = str(uuid.uuid4())
    donor = bank.operator.post(
        "/api/donors", {"name": "永辉超市", "kind": "company"}, expect=201
    )
    before = rows_in_inventory(bank.configs, "donations")
    body = {"donor_id": donor["id"], "lines": [{"item_id": bank.rice, "quantity": 2}]}

    clicks = [
        eventlet.spawn(
            bank.operator.call,
            "POST",
            f"/api/banks/{bank.id}/donations",
            body,
            headers={"Idempotency-Key": key},
        )
        for _ in range(2)
    ]
    answers = [click.wait() for click in clicks]

    assert {a.status_code for a in answers} == {201}
    assert len({a.json()["receipt_no"] for a in answers}) == 1
    assert rows_in_inventory(bank.configs, "donations") == before + 1
    assert bank.stock()["大米"] == 22


def test_a_double_clicked_redemption_reserves_the_goods_once(bank):
    key = str(uuid.uuid4())
    body = {
        "bank_id": bank.id,
        "volunteer_id": bank.volunteer_id,
        "lines": [{"item_id": bank.rice, "quantity": 1}],
    }

    clicks = [
        eventlet.spawn(
            bank.volunteer.call,
            "POST",
            "/api/redemptions",
            body,
            headers={"Idempotency-Key": key},
        )
        for _ in range(2)
    ]
    answers = [click.wait() for click in clicks]

    assert {a.status_code for a in answers} == {202}
    assert len({a.json()["id"] for a in answers}) == 1
    assert rows_in_inventory(bank.configs, "redemptions") == 1
