"""A service, a database or the broker that is down gives callers a 503 in
bounded time, not a hang, and leaves nothing half done."""

import time

import pytest
from sqlalchemy import create_engine, text

from services.gateway.service import GatewayService
from services.points.service import PointsService
from tests.e2e.conftest import Api, make_district, sign_in
from tests.helpers import Outage, wait_for

pytestmark = pytest.mark.e2e

POSTGRES_PORT = 5432
AMQP_PORT = 5672


@pytest.fixture
def gateway(service_config, container_factory):
    def start(**overrides):
        config = service_config("gateway", GATEWAY_RPC_TIMEOUT=1, **overrides)
        container_factory(GatewayService, config).start()
        return sign_in(
            f"http://{config['WEB_SERVER_ADDRESS']}", "admin", "admin-password"
        )

    return start


def test_a_service_that_never_started_is_unavailable(gateway):
    admin = gateway()

    answer = admin.get("/api/volunteers/v-1/points", expect=503)

    assert answer == {
        "error": "unavailable",
        "message": "the points service is not running",
    }


def test_a_stopped_service_is_unavailable_after_the_timeout(
    gateway, service_config, container_factory
):
    points = container_factory(PointsService, service_config("points"))
    points.start()
    points.stop()
    admin = gateway()

    started = time.monotonic()
    answer = admin.get("/api/volunteers/v-1/points", expect=503)

    assert 1 <= time.monotonic() - started < 5
    assert answer["message"] == "the points service did not answer within 1s"


@pytest.fixture
def outages():
    made = []

    def make(port):
        outage = Outage(port)
        made.append(outage)
        return outage

    yield make
    for outage in made:
        outage.close()


def through(outage, config):
    config["DATABASE_URL"] = outage.route(config["DATABASE_URL"])


def orders_in(config):
    engine = create_engine(config["DATABASE_URL"])
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT count(*) FROM orders")).scalar_one()
    finally:
        engine.dispose()


def place(resident, key):
    return resident.call("POST", "/api/orders", ORDER, headers={"Idempotency-Key": key})


ORDER = {
    "category": "维修",
    "title": "修水龙头",
    "description": "厨房水龙头漏水",
    "community": "铁道家园",
    "address": "长江路12号",
}


def test_an_orders_database_that_is_down_is_unavailable_and_writes_nothing(
    outages, start_system
):
    database = outages(POSTGRES_PORT)
    district = make_district(
        start_system(lambda configs: through(database, configs["orders"]))
    )
    database.cut()

    answer = place(district.resident, "order-1")

    assert answer.status_code == 503
    assert answer.json() == {
        "error": "unavailable",
        "message": "the orders service's database is unavailable; try again",
    }
    database.restore()
    assert place(district.resident, "order-1").status_code == 201
    assert orders_in(district.configs["orders"]) == 1


def test_a_gateway_whose_database_is_down_is_unavailable(outages, start_system):
    database = outages(POSTGRES_PORT)
    district = make_district(
        start_system(lambda configs: through(database, configs["gateway"]))
    )
    database.cut()

    # the gateway stops trusting what it remembers of accounts as soon as it
    # notices the cut (within milliseconds): then no token is let in
    refused = wait_for(
        lambda: district.staff.get("/api/teams").get("error") == "unavailable",
        timeout=5,
        message="the gateway to find its database gone",
    )
    sign_in = Api(district.url).post(
        "/api/auth/token", {"username": "wang.fang", "password": "密码password1"}
    )

    assert refused
    assert sign_in["error"] == "unavailable"
    database.restore()
    assert district.staff.get("/api/teams", expect=200)["total"] == 1


def test_an_account_disabled_while_the_gateway_was_cut_off_is_refused(
    outages, start_system
):
    # while cut off the gateway hears no notification: what it remembered
    # before must not let the account in afterwards
    database = outages(POSTGRES_PORT)
    district = make_district(
        start_system(lambda configs: through(database, configs["gateway"]))
    )
    district.staff.get("/api/teams", expect=200)
    database.cut()
    direct = district.configs["gateway"]["DATABASE_URL"].replace(
        f":{database.port}/", f":{POSTGRES_PORT}/"
    )
    engine = create_engine(direct)
    try:
        with engine.begin() as conn:
            conn.execute(
                text("UPDATE users SET disabled = true WHERE username = 'wang.fang'")
            )
    finally:
        engine.dispose()

    database.restore()

    answer = wait_for(
        lambda: (
            district.staff.get("/api/teams").get("error") != "unavailable"
            and district.staff.get("/api/teams")
        ),
        timeout=10,
        message="the gateway to reach its database again",
    )
    assert answer == {"error": "unauthorized", "message": "the account is disabled"}


def test_a_broker_that_is_down_is_unavailable_and_nothing_is_placed(
    outages, start_system
):
    broker = outages(AMQP_PORT)

    def gateway_through_outage(configs):
        gateway = configs["gateway"]
        gateway["AMQP_URI"] = broker.route(gateway["AMQP_URI"])
        gateway["GATEWAY_RPC_TIMEOUT"] = 2

    district = make_district(start_system(gateway_through_outage))
    broker.cut()

    answer = place(district.resident, "order-1")

    assert answer.status_code == 503
    assert answer.json()["error"] == "unavailable"
    broker.restore()
    placed = wait_for(
        lambda: (r := place(district.resident, "order-1")).status_code == 201 and r,
        timeout=30,
        message="the gateway to reach the broker again",
    )
    assert placed.json()["status"] == "placed"
    assert orders_in(district.configs["orders"]) == 1
