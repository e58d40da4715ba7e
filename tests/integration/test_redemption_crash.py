"""The points service dies in the middle of a redemption (SIGKILL of its
process) and a new one starts: the redemption ends completed, or cancelled
with the goods back and the points back; never both, never neither."""

import os
import signal
import subprocess
import sys

import psycopg2
import pytest
import requests
import yaml
from nameko.standalone.rpc import ServiceRpcProxy
from sqlalchemy import create_engine, select
from sqlalchemy.engine import make_url

from eventing.envelope import Envelope
from eventing.topology import declare_topology
from ops import settings
from ops.invariants import check_all
from services.inventory.models import Redemption
from services.inventory.service import InventoryService
from services.points.models import Account, RedemptionDebit
from services.points.service import PointsService
from tests.helpers import publish, queue_depth, wait_for

pytestmark = pytest.mark.integration

ADMIN = {"user_id": "u-admin", "role": "admin"}
TO_POINTS = (
    "evt-inventory-StockReserved--points.handle_stock_reserved",
    "evt-inventory-RedemptionCancelled--points.handle_redemption_cancelled",
)


class PointsProcess:
    """The points service as its own `nameko run` process, as deployed."""

    def __init__(self, config, tmp_path):
        self.config = config
        self.path = tmp_path / "points.yml"
        self.path.write_text(yaml.safe_dump(config), encoding="utf-8")
        self.log = tmp_path / "points.log"
        self.process = None

    def start(self):
        env = {**os.environ, "PYTHONPATH": str(settings.ROOT)}
        command = [
            sys.executable,
            "-m",
            "nameko",
            "run",
            "--config",
            str(self.path),
            "services.points.service",
        ]
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                command, cwd=settings.ROOT, env=env, stdout=log, stderr=log
            )
        wait_for(self.healthy, timeout=60, interval=0.2, message="points to start")

    def healthy(self):
        try:
            address = self.config["WEB_SERVER_ADDRESS"]
            return requests.get(f"http://{address}/health", timeout=1).ok
        except requests.RequestException:
            return False

    def kill(self):
        """SIGKILL: no shutdown, no rollback sent, no ack; the OS closes the
        sockets and the broker and the database find out for themselves."""
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait()


class Saga:
    """The inventory service in this process, points in another."""

    def __init__(self, inventory_config, points_config, points):
        self.amqp_uri = inventory_config["AMQP_URI"]
        self.inventory_db = create_engine(inventory_config["DATABASE_URL"])
        self.points_url = points_config["DATABASE_URL"]
        self.points_db = create_engine(self.points_url)
        self.points = points

    def rpc(self):
        return ServiceRpcProxy("inventory", {"AMQP_URI": self.amqp_uri})

    def open_bank(self):
        with self.rpc() as rpc:
            self.bank = rpc.open_bank(
                ADMIN, {"name": "铁道家园互助银行", "community": "铁道家园"}
            )["id"]
            donor = rpc.register_donor(ADMIN, {"name": "华润万家", "kind": "company"})
            self.rice = rpc.add_item(
                ADMIN, {"name": "大米", "unit": "袋", "points_price": 10}
            )["id"]
            rpc.record_donation(
                ADMIN,
                self.bank,
                {
                    "donor_id": donor["id"],
                    "lines": [{"item_id": self.rice, "quantity": 5}],
                },
            )

    def earn(self, volunteer_id, minutes):
        event = Envelope(
            type="OrderCompleted",
            source="/services/orders",
            data={
                "order_id": "o-1",
                "category": "助老",
                "community": "铁道家园",
                "team_id": "t-1",
                "minutes": {volunteer_id: minutes},
                "completed_at": "2026-12-03T08:00:00+00:00",
                "confirmed_by": "u-1",
            },
        )
        publish(self.amqp_uri, "orders.events", event.type, event)
        wait_for(lambda: self.balance(volunteer_id), message="points credited")

    def redeem(self, volunteer_id):
        with self.rpc() as rpc:
            return rpc.request_redemption(
                ADMIN,
                {
                    "bank_id": self.bank,
                    "volunteer_id": volunteer_id,
                    "lines": [{"item_id": self.rice, "quantity": 1}],
                },
            )["id"]

    def balance(self, volunteer_id):
        with self.points_db.connect() as conn:
            return conn.scalar(
                select(Account.balance).where(Account.volunteer_id == volunteer_id)
            )

    def status(self, redemption_id):
        with self.inventory_db.connect() as conn:
            return conn.scalar(
                select(Redemption.status).where(Redemption.id == redemption_id)
            )

    def stock(self):
        with self.rpc() as rpc:
            [line] = rpc.get_stock(ADMIN, self.bank)["items"]
        return line["quantity"]

    def ledger_settled(self, redemption_id):
        """The ledger answered, refunded any debit of a cancelled redemption,
        and has nothing left to read."""
        with self.points_db.connect() as conn:
            answer = conn.execute(
                select(RedemptionDebit).where(
                    RedemptionDebit.redemption_id == redemption_id
                )
            ).one_or_none()
        if answer is None:
            return False
        owed = (
            answer.outcome == "debited"
            and answer.refund_id is None
            and self.status(redemption_id) == "cancelled"
        )
        waiting = sum(queue_depth(self.amqp_uri, q) for q in TO_POINTS)
        return not owed and waiting == 0

    def invariants(self):
        return check_all(self.points_url, self.inventory_db)


@pytest.fixture
def saga(request, service_config, container_factory, tmp_path):
    """Inventory here, points in a process of its own; the parameter is the
    seconds before a redemption waiting for the ledger is given up."""
    inventory_config = service_config(
        "inventory",
        EVENT_RETRY_DELAYS_MS=[100, 200],
        REDEMPTION_TIMER_INTERVAL=0.2,
        REDEMPTION_RETRY_AFTER_SECONDS=0.5,
        REDEMPTION_DEADLINE_SECONDS=request.param,
    )
    points_config = service_config("points", EVENT_RETRY_DELAYS_MS=[100, 200])
    # as a deployment does: every queue exists before anyone publishes
    declare_topology([PointsService, InventoryService], points_config)
    container_factory(InventoryService, inventory_config).start()
    points = PointsProcess(points_config, tmp_path)
    saga = Saga(inventory_config, points_config, points)
    saga.open_bank()
    yield saga
    if points.process is not None and points.process.poll() is None:
        points.process.kill()
        points.process.wait()
    saga.inventory_db.dispose()
    saga.points_db.dispose()


def hold_account_lock(database_url, volunteer_id):
    """A transaction of our own that holds the volunteer's account row."""
    url = make_url(database_url)
    conn = psycopg2.connect(
        host=url.host, port=url.port, user=url.username, dbname=url.database
    )
    with conn.cursor() as cursor:
        cursor.execute(
            "SELECT balance FROM accounts WHERE volunteer_id = %s FOR UPDATE",
            (volunteer_id,),
        )
    return conn


def blocked_on_a_lock(database_url):
    url = make_url(database_url)
    with (
        psycopg2.connect(
            host=url.host, port=url.port, user=url.username, dbname="postgres"
        ) as conn,
        conn.cursor() as cursor,
    ):
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = %s AND wait_event_type = 'Lock'",
            (url.database,),
        )
        return cursor.fetchone()[0] > 0


# long enough that the restarted ledger, not the timer, settles it
@pytest.mark.parametrize("saga", [120], indirect=True)
def test_killed_in_the_middle_of_the_debit_the_redemption_completes_once(saga):
    saga.points.start()
    saga.earn("v-1", 90)
    lock = hold_account_lock(saga.points_url, "v-1")

    redemption = saga.redeem("v-1")
    wait_for(lambda: blocked_on_a_lock(saga.points_url), message="the debit to wait")
    saga.points.kill()
    lock.rollback()
    lock.close()
    saga.points.start()

    wait_for(lambda: saga.status(redemption) != "pending", timeout=30)
    assert saga.status(redemption) == "completed"
    assert (saga.balance("v-1"), saga.stock()) == (5, 4)
    wait_for(lambda: saga.ledger_settled(redemption))
    assert saga.invariants() == []


@pytest.mark.parametrize("saga", [3], indirect=True)
def test_down_past_the_deadline_the_goods_and_the_points_both_come_back(saga):
    saga.points.start()
    saga.earn("v-1", 90)
    saga.points.kill()

    redemption = saga.redeem("v-1")
    wait_for(lambda: saga.status(redemption) == "cancelled", timeout=30)
    assert saga.stock() == 5
    saga.points.start()

    wait_for(lambda: saga.ledger_settled(redemption), timeout=30)
    assert saga.status(redemption) == "cancelled"
    assert saga.balance("v-1") == 15
    assert saga.invariants() == []
