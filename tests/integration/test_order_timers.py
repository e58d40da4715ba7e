"""Order timers live in the orders database: they fire once however many
replicas poll, fire after a restart when they came due while the service was
down, and the quiet period completes a reported order into points."""

from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, func, select, update
from sqlalchemy.orm import Session

from eventing.database import UnitOfWork
from eventing.identity import Caller
from services.orders import flow
from services.orders.models import Base, HistoryEntry, Order
from services.orders.service import OrdersService
from services.orders.timing import Timings
from services.points.models import Account
from services.points.service import PointsService
from tests.conftest import free_port
from tests.helpers import Listener, record_known_membership, record_known_team, wait_for

pytestmark = pytest.mark.integration

OUTBOX = Base.metadata.tables["outbox"]
RESIDENT = Caller("res-1", "resident")
STAFF = Caller("staff-1", "community_staff", community="铁道家园")
LEADER = Caller("lead-1", "team_leader", team_id="t-1")
REQUEST = {
    "category": "助老",
    "title": "陪老人就医",
    "description": "周三上午",
    "community": "铁道家园",
    "address": "一马路3号",
}


@pytest.fixture
def orders_config(service_config):
    return service_config("orders", ORDER_TIMER_INTERVAL_SECONDS=0.1)


@pytest.fixture
def engine(orders_config):
    engine = create_engine(orders_config["DATABASE_URL"])
    yield engine
    engine.dispose()


@pytest.fixture
def transaction(engine):
    @contextmanager
    def transaction():
        with Session(engine, expire_on_commit=False) as session, session.begin():
            yield UnitOfWork(session, "orders", OUTBOX, Base.metadata.tables["inbox"])

    return transaction


def replica(container_factory, config):
    """Another process of the orders service: same database and broker."""
    return container_factory(
        OrdersService, {**config, "WEB_SERVER_ADDRESS": f"127.0.0.1:{free_port()}"}
    )


def place(transaction, count=1, timings=flow.DEFAULT_TIMINGS):
    with transaction() as uow:
        return [
            flow.place_order(uow, RESIDENT, REQUEST, timings).id for _ in range(count)
        ]


def bring_due(engine, order_ids):
    """Move the timers into the past, as if the periods had passed."""
    with engine.begin() as conn:
        conn.execute(
            update(Order)
            .where(Order.id.in_(order_ids))
            .values(timer_due_at=flow.now() - timedelta(minutes=1))
        )


def events_of(engine, event_type):
    with engine.connect() as conn:
        return conn.scalar(
            select(func.count()).where(OUTBOX.c.routing_key == event_type)
        )


def statuses(engine, order_id):
    with engine.connect() as conn:
        return conn.scalars(
            select(HistoryEntry.status)
            .where(HistoryEntry.order_id == order_id)
            .order_by(HistoryEntry.seq)
        ).all()


def test_a_timer_that_came_due_while_the_service_was_down_fires_once_on_start(
    orders_config, engine, transaction, container_factory
):
    first = replica(container_factory, orders_config)
    first.start()
    [order_id] = place(transaction)
    first.stop()
    bring_due(engine, [order_id])
    listener = Listener(orders_config["AMQP_URI"], "orders.events", "OrderExpired")

    replica(container_factory, orders_config).start()

    [(_, expired)] = listener.get(count=1)
    assert expired["data"]["order_id"] == order_id
    assert (expired["data"]["stage"], expired["data"]["outcome"]) == (
        "placed",
        "expired",
    )
    # ten more polls find nothing left to fire
    assert listener.get(count=1, timeout=1) == []
    assert statuses(engine, order_id) == ["placed", "expired"]
    listener.close()


def test_a_timer_not_yet_due_does_not_fire(
    orders_config, engine, transaction, container_factory
):
    [order_id] = place(transaction)

    replica(container_factory, orders_config).start()

    wait_for(lambda: events_of(engine, "OrderPlaced") == 1)
    assert statuses(engine, order_id) == ["placed"]
    assert events_of(engine, "OrderExpired") == 0


def test_two_replicas_fire_each_due_timer_once(
    orders_config, engine, transaction, container_factory
):
    config = {**orders_config, "ORDER_TIMER_INTERVAL_SECONDS": 0.02}
    config["ORDER_TIMER_BATCH"] = 3
    order_ids = place(transaction, count=60)
    bring_due(engine, order_ids)

    for _ in range(2):
        replica(container_factory, config).start()

    wait_for(
        lambda: events_of(engine, "OrderExpired") >= 60,
        timeout=30,
        message="every order expired",
    )
    assert events_of(engine, "OrderExpired") == 60
    assert all(statuses(engine, o) == ["placed", "expired"] for o in order_ids)


def test_an_unaccepted_order_goes_back_for_dispatch_when_so_configured(
    orders_config, engine, transaction, container_factory
):
    timings = Timings.from_config(orders_config)
    [order_id] = place(transaction, timings=timings)
    with transaction() as uow:
        record_known_team(
            uow.session,
            {
                "team_id": "t-1",
                "name": "助老队",
                "community": "铁道家园",
                "categories": ["助老"],
            },
        )
        flow.dispatch_order(uow, STAFF, order_id, "t-1", timings)
    bring_due(engine, [order_id])

    replica(container_factory, orders_config).start()

    wait_for(lambda: statuses(engine, order_id)[-1] == "placed")
    with Session(engine) as session:
        order = session.get(Order, order_id)
        assert order.team_id is None
        assert [d.team_id for d in order.declines] == ["t-1"]
        # a fresh wait for dispatch begins
        assert order.timer_due_at > flow.now() + timedelta(hours=47)


def test_the_quiet_period_completes_the_order_and_its_minutes_become_points(
    orders_config, engine, transaction, service_config, container_factory
):
    points_config = service_config("points")
    container_factory(PointsService, points_config).start()
    config = {**orders_config, "ORDER_QUIET_PERIOD_SECONDS": 1}
    replica(container_factory, config).start()
    timings = Timings.from_config(config)
    listener = Listener(config["AMQP_URI"], "orders.events", "OrderCompleted")
    [order_id] = place(transaction, timings=timings)
    with transaction() as uow:
        record_known_team(
            uow.session,
            {
                "team_id": "t-1",
                "name": "助老队",
                "community": "铁道家园",
                "categories": ["助老"],
            },
        )
        record_known_membership(uow.session, {"team_id": "t-1", "volunteer_id": "v-1"})
        flow.dispatch_order(uow, STAFF, order_id, "t-1", timings)
        flow.accept_order(uow, LEADER, order_id, ["v-1"], timings)
        flow.report_service(uow, LEADER, order_id, {"v-1": 90}, timings)

    [(_, completed)] = listener.get(count=1, timeout=15)

    assert completed["data"]["confirmed_by"] == "system:auto-complete"
    assert completed["data"]["minutes"] == {"v-1": 90}
    points = create_engine(points_config["DATABASE_URL"])
    with points.connect() as conn:
        balance = select(Account.balance).where(Account.volunteer_id == "v-1")
        wait_for(lambda: conn.scalar(balance) == 15, message="points credited")
    points.dispose()
    assert statuses(engine, order_id)[-1] == "completed"
    listener.close()
