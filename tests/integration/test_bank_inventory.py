"""A mutual-aid bank on its own: donations and receipts, stock and its
history, redemptions answered by a ledger played from the broker, the timer,
free distribution, stock-takes and reports."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from nameko.exceptions import RemoteError
from nameko.standalone.rpc import ServiceRpcProxy
from sqlalchemy import create_engine, func, select

from eventing.envelope import Envelope
from services.inventory.audit import check_stock
from services.inventory.models import Redemption, StockMovement
from services.inventory.service import InventoryService
from tests.conftest import free_port
from tests.helpers import Listener, publish

pytestmark = pytest.mark.integration

ADMIN = {"user_id": "u-admin", "role": "admin"}
DISTRICT = ZoneInfo("Asia/Shanghai")
VOLUNTEER = {"user_id": "u-li", "role": "volunteer", "volunteer_id": "v-1"}


class Bank:
    """The inventory service with one bank, a donor and two items."""

    def __init__(self, config):
        self.config = config
        self.amqp_uri = config["AMQP_URI"]
        self.engine = create_engine(config["DATABASE_URL"])
        self.events = Listener(self.amqp_uri, "inventory.events")
        with self.rpc() as rpc:
            self.id = rpc.open_bank(
                ADMIN, {"name": "铁道家园互助银行", "community": "铁道家园"}
            )["id"]
            self.donor = rpc.register_donor(
                ADMIN, {"name": "华润万家", "kind": "company"}
            )["id"]
            self.rice = rpc.add_item(
                ADMIN,
                {
                    "name": "大米",
                    "unit": "袋",
                    "points_price": 30,
                    "low_stock_threshold": 2,
                },
            )["id"]
            self.oil = rpc.add_item(
                ADMIN,
                {"name": "食用油", "unit": "桶", "points_price": 0, "free_only": True},
            )["id"]
        self.operator = {"user_id": "u-op", "role": "bank_operator", "bank_id": self.id}

    def rpc(self):
        return ServiceRpcProxy("inventory", {"AMQP_URI": self.amqp_uri})

    def donate(self, lines, donor=None, caller=ADMIN):
        with self.rpc() as rpc:
            return rpc.record_donation(
                caller,
                self.id,
                {"donor_id": donor or self.donor, "lines": lines},
            )

    def stock(self):
        with self.rpc() as rpc:
            items = rpc.get_stock(ADMIN, self.id)["items"]
        return {i["name"]: i["quantity"] for i in items}

    def redeem(self, quantity=1, caller=VOLUNTEER, item=None):
        with self.rpc() as rpc:
            return rpc.request_redemption(
                caller,
                {
                    "bank_id": self.id,
                    "volunteer_id": "v-1",
                    "lines": [{"item_id": item or self.rice, "quantity": quantity}],
                },
            )

    def redemption(self, redemption_id):
        with self.rpc() as rpc:
            return rpc.get_redemption(ADMIN, redemption_id)

    def answer(self, event_type, redemption_id, points, **data):
        data = {
            "redemption_id": redemption_id,
            "volunteer_id": "v-1",
            "bank_id": self.id,
            "points": points,
            **data,
        }
        event = Envelope(type=event_type, source="/services/points", data=data)
        publish(self.amqp_uri, "points.events", event_type, event)

    def next_event(self, event_type, timeout=10):
        """The next event of this type the bank publishes (others skipped)."""
        while True:
            received = self.events.get(count=1, timeout=timeout)
            assert received, f"no {event_type} arrived"
            [(_, body)] = received
            if body["type"] == event_type:
                return body

    def distribute(self, family="王秀英", quantity=1, caller=ADMIN, item=None):
        with self.rpc() as rpc:
            return rpc.distribute(
                caller,
                {
                    "bank_id": self.id,
                    "family": {"name": family, "community": "铁道家园"},
                    "reason": "困难家庭春节慰问",
                    "lines": [{"item_id": item or self.oil, "quantity": quantity}],
                },
            )


@pytest.fixture
def bank(service_config, container_factory):
    """Start the inventory service with its bank; afterwards its stock and
    redemptions must satisfy every invariant."""
    started = []

    def start(**overrides):
        config = service_config(
            "inventory", EVENT_RETRY_DELAYS_MS=[100, 200], **overrides
        )
        container_factory(InventoryService, config).start()
        started.append(Bank(config))
        return started[-1]

    yield start
    for each in started:
        assert check_stock(each.engine) == []
        each.events.close()
        each.engine.dispose()


def refused(call, *args):
    with pytest.raises(RemoteError) as error:
        call(*args)
    return error.value.exc_type


def test_a_donation_stocks_its_goods_under_the_next_receipt_number(bank):
    bank = bank()

    first = bank.donate([{"item_id": bank.rice, "quantity": 5}])
    second = bank.donate(
        [{"item_id": bank.rice, "quantity": 2}, {"item_id": bank.oil, "quantity": 4}]
    )

    year = datetime.now(DISTRICT).year
    assert (first["receipt_no"], second["receipt_no"]) == (
        f"JZ{year}-000001",
        f"JZ{year}-000002",
    )
    assert bank.stock() == {"大米": 7, "食用油": 4}
    received = bank.next_event("DonationReceived")
    assert received["data"]["receipt_no"] == first["receipt_no"]
    with bank.rpc() as rpc:
        receipt = rpc.get_donation(ADMIN, second["id"], True)
    assert "收据编号：" + second["receipt_no"] in receipt
    assert "华润万家" in receipt and "食用油  4 桶" in receipt


def test_only_the_banks_own_operator_records_its_donations(bank):
    bank = bank()
    stranger = {"user_id": "u-x", "role": "bank_operator", "bank_id": "other-bank"}

    bank.donate([{"item_id": bank.rice, "quantity": 1}], caller=bank.operator)

    assert (
        refused(bank.donate, [{"item_id": bank.rice, "quantity": 1}], None, stranger)
        == "NotAllowed"
    )
    assert bank.stock() == {"大米": 1}


def test_a_donation_dated_after_the_districts_today_is_refused(bank):
    bank = bank()
    today = datetime.now(DISTRICT).date().isoformat()

    def donate(day):
        with bank.rpc() as rpc:
            return rpc.record_donation(
                bank.operator,
                bank.id,
                {
                    "donor_id": bank.donor,
                    "lines": [{"item_id": bank.rice, "quantity": 1}],
                    "donated_on": day,
                },
            )

    with pytest.raises(RemoteError) as future:
        donate("2099-01-01")
    donated = donate(today)

    assert future.value.exc_type == "ValidationError"
    assert "donated_on" in future.value.value
    with bank.rpc() as rpc:
        assert rpc.get_donation(ADMIN, donated["id"])["donated_on"] == today
    assert bank.stock() == {"大米": 1}


def test_a_redemption_reserves_the_goods_and_completes_when_debited(bank):
    bank = bank()
    bank.donate([{"item_id": bank.rice, "quantity": 3}])

    pending = bank.redeem(quantity=2)
    reserved = bank.next_event("StockReserved")
    bank.answer("PointsDebited", pending["id"], 60, transfer_id="t-1", balance=40)

    assert pending["status"] == "pending"
    assert reserved["data"]["points"] == 60
    assert bank.next_event("RedemptionCompleted")["data"]["transfer_id"] == "t-1"
    assert bank.redemption(pending["id"])["status"] == "completed"
    assert bank.stock() == {"大米": 1}


def test_a_refused_debit_puts_the_goods_back(bank):
    bank = bank()
    bank.donate([{"item_id": bank.rice, "quantity": 3}])
    pending = bank.redeem(quantity=2)

    bank.answer("PointsDebitRejected", pending["id"], 60, reason="积分不足", balance=10)

    cancelled = bank.next_event("RedemptionCancelled")
    assert cancelled["data"]["reason"] == "积分不足"
    assert bank.redemption(pending["id"])["status"] == "cancelled"
    assert bank.redemption(pending["id"])["reason"] == "积分不足"
    assert bank.stock() == {"大米": 3}


def test_an_answer_for_a_settled_redemption_changes_nothing(bank):
    bank = bank()
    bank.donate([{"item_id": bank.rice, "quantity": 3}])
    pending = bank.redeem()
    bank.answer("PointsDebitRejected", pending["id"], 30, reason="no", balance=0)
    bank.next_event("RedemptionCancelled")

    bank.answer("PointsDebited", pending["id"], 30, transfer_id="t-1", balance=0)
    later = bank.redeem()
    bank.next_event("StockReserved")

    assert bank.redemption(pending["id"])["status"] == "cancelled"
    assert bank.redemption(later["id"])["status"] == "pending"
    assert bank.stock() == {"大米": 2}


def test_a_redemption_nobody_answers_is_asked_again_then_given_up(bank):
    bank = bank(
        REDEMPTION_TIMER_INTERVAL=0.1,
        REDEMPTION_RETRY_AFTER_SECONDS=0.3,
        REDEMPTION_DEADLINE_SECONDS=1.5,
    )
    bank.donate([{"item_id": bank.rice, "quantity": 2}])

    pending = bank.redeem()

    first = bank.next_event("StockReserved")
    again = bank.next_event("StockReserved")
    cancelled = bank.next_event("RedemptionCancelled")
    assert (first["data"]["attempt"], again["data"]["attempt"]) == (1, 2)
    assert cancelled["data"]["reason"] == "the points ledger did not answer in time"
    assert bank.redemption(pending["id"])["status"] == "cancelled"
    assert bank.stock() == {"大米": 2}


def test_replicas_share_the_timer_and_a_restart_forgets_nothing(
    bank, container_factory
):
    bank = bank(
        REDEMPTION_TIMER_INTERVAL=0.05,
        REDEMPTION_RETRY_AFTER_SECONDS=0.2,
        REDEMPTION_DEADLINE_SECONDS=2,
    )
    replica = container_factory(
        InventoryService,
        dict(bank.config, WEB_SERVER_ADDRESS=f"127.0.0.1:{free_port()}"),
    )
    replica.start()
    bank.donate([{"item_id": bank.rice, "quantity": 5}])
    waiting = [bank.redeem()["id"] for _ in range(5)]

    replica.stop()
    replica = container_factory(
        InventoryService,
        dict(bank.config, WEB_SERVER_ADDRESS=f"127.0.0.1:{free_port()}"),
    )
    replica.start()

    cancelled = [bank.next_event("RedemptionCancelled") for _ in waiting]
    assert sorted(c["data"]["redemption_id"] for c in cancelled) == sorted(waiting)
    # each was cancelled once: no replica released the same goods twice
    later = bank.events.get(count=100, timeout=1)
    assert [b for _, b in later if b["type"] == "RedemptionCancelled"] == []
    assert bank.stock() == {"大米": 5}


def test_goods_given_only_free_are_never_redeemed(bank):
    bank = bank()
    bank.donate([{"item_id": bank.oil, "quantity": 3}])

    assert refused(bank.redeem, 1, VOLUNTEER, bank.oil) == "ItemNotRedeemable"


def test_a_redemption_beyond_the_stock_is_refused_and_reserves_nothing(bank):
    bank = bank()
    bank.donate([{"item_id": bank.rice, "quantity": 1}])

    assert refused(bank.redeem, 2) == "OutOfStock"

    assert bank.stock() == {"大米": 1}
    with bank.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Redemption)) == 0


def test_a_volunteer_redeems_only_for_themselves(bank):
    bank = bank()
    bank.donate([{"item_id": bank.rice, "quantity": 1}])
    other = {"user_id": "u-han", "role": "volunteer", "volunteer_id": "v-2"}

    assert refused(bank.redeem, 1, other) == "NotAllowed"


def test_a_family_receives_goods_at_most_the_monthly_limit(bank):
    bank = bank(DISTRIBUTIONS_PER_FAMILY_PER_MONTH=2)
    bank.donate([{"item_id": bank.oil, "quantity": 10}])

    bank.distribute("王秀英")
    bank.distribute(" 王秀英 ")

    assert refused(bank.distribute, "王秀英") == "FamilyLimitReached"
    bank.distribute("李桂兰")
    assert bank.stock() == {"食用油": 7}
    given = bank.next_event("GoodsDistributed")
    assert given["data"]["community"] == "铁道家园"
    assert "王秀英" not in str(given)


def test_staff_of_another_community_may_not_give_the_banks_goods(bank):
    bank = bank()
    bank.donate([{"item_id": bank.oil, "quantity": 1}])
    own = {"user_id": "u-s", "role": "community_staff", "community": "铁道家园"}
    other = {"user_id": "u-t", "role": "community_staff", "community": "五号街坊"}

    assert refused(bank.distribute, "王秀英", 1, other) == "NotAllowed"
    bank.distribute("王秀英", 1, own)


def test_stock_low_is_announced_when_the_stock_falls_below_its_threshold(bank):
    bank = bank()
    bank.donate([{"item_id": bank.rice, "quantity": 3}])

    bank.distribute(quantity=1, item=bank.rice)
    bank.distribute("李桂兰", quantity=1, item=bank.rice)

    low = bank.next_event("StockLow")
    assert (low["data"]["quantity"], low["data"]["threshold"]) == (1, 2)
    assert low["data"]["item_name"] == "大米"


def test_a_stocktake_books_the_difference_with_its_reason(bank):
    bank = bank()
    bank.donate(
        [{"item_id": bank.rice, "quantity": 5}, {"item_id": bank.oil, "quantity": 2}]
    )
    bank.redeem(quantity=1)

    with bank.rpc() as rpc:
        taken = rpc.take_stock(
            bank.operator,
            bank.id,
            {
                "reason": "月末盘点：两袋受潮",
                "counts": [
                    {"item_id": bank.rice, "quantity": 3},
                    {"item_id": bank.oil, "quantity": 3},
                ],
            },
        )
        below = refused(
            rpc.take_stock,
            bank.operator,
            bank.id,
            {"reason": "x", "counts": [{"item_id": bank.rice, "quantity": 0}]},
        )

    differences = {line["item_id"]: line["difference"] for line in taken["lines"]}
    assert differences == {bank.rice: -2, bank.oil: 1}
    # the rice reserved for the pending redemption is still on the shelf
    assert bank.stock() == {"大米": 2, "食用油": 3}
    assert below == "CountBelowReserved"
    with bank.engine.connect() as conn:
        reasons = conn.scalars(
            select(StockMovement.reason).where(StockMovement.kind == "stocktake")
        ).all()
    assert reasons == ["月末盘点：两袋受潮"] * 2


def test_the_destinations_report_follows_each_donors_goods_first_in_first_out(bank):
    bank = bank()
    with bank.rpc() as rpc:
        later = rpc.register_donor(ADMIN, {"name": "张大爷", "kind": "individual"})[
            "id"
        ]
    bank.donate([{"item_id": bank.oil, "quantity": 3}])
    bank.donate([{"item_id": bank.oil, "quantity": 2}], donor=later)
    bank.distribute("王秀英", quantity=4)

    today = datetime.now(DISTRICT).date().isoformat()
    with bank.rpc() as rpc:
        report = rpc.report(
            ADMIN, "destinations", {"from": "2000-01-01", "to": "2999-12-31"}
        )
        donations = rpc.report(ADMIN, "donations", {"from": today, "to": today})

    fates = {
        d["name"]: {k: d["items"][0][k] for k in ("donated", "distributed", "on_shelf")}
        for d in report["donors"]
    }
    assert fates == {
        "华润万家": {"donated": 3, "distributed": 3, "on_shelf": 0},
        "张大爷": {"donated": 2, "distributed": 1, "on_shelf": 1},
    }
    assert [d["items"][0]["distributed_to"] for d in report["donors"]] == [
        {"铁道家园": 3},
        {"铁道家园": 1},
    ]
    assert {d["name"]: d["donations"] for d in donations["donors"]} == {
        "华润万家": 1,
        "张大爷": 1,
    }


def test_reports_cover_only_the_callers_banks(bank):
    bank = bank()
    stranger = {"user_id": "u-x", "role": "bank_operator", "bank_id": "other-bank"}
    staff = {"user_id": "u-s", "role": "community_staff", "community": "铁道家园"}
    period = {"from": "2000-01-01", "to": "2999-12-31"}

    with bank.rpc() as rpc:
        own = rpc.report(bank.operator, "redemptions", period)
        theirs = rpc.report(stranger, "stock", {})
        staffs = rpc.report(staff, "distributions", period)
        refusal = refused(rpc.report, stranger, "stock", {"bank_id": bank.id})

    assert [b["bank_id"] for b in own["banks"]] == [bank.id]
    assert theirs["banks"] == []
    assert [b["bank_id"] for b in staffs["banks"]] == [bank.id]
    assert refusal == "NotAllowed"
