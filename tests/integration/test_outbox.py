"""An event committed with its state change is published, even after a crash,
and no outbox row is published by two relays."""

import subprocess
import sys
import textwrap

import eventlet
import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from eventing.database import UnitOfWork
from eventing.identity import Caller
from eventing.relay import ConfirmingPublisher, relay_batch
from services.orders import flow
from services.orders.models import Base, Order
from services.orders.service import OrdersService
from services.points.service import PointsService
from tests.helpers import Listener, wait_for

pytestmark = pytest.mark.integration

OUTBOX = Base.metadata.tables["outbox"]
RESIDENT = Caller("res-1", "resident")
REQUEST = {
    "category": "助老",
    "title": "陪老人就医",
    "description": "周三上午",
    "community": "铁道家园",
    "address": "一马路3号",
}

CRASH_AFTER_COMMIT = textwrap.dedent("""
    import os, signal, sys
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session
    from eventing.database import UnitOfWork
    from eventing.identity import Caller
    from services.orders import flow
    from services.orders.models import Base

    engine = create_engine(sys.argv[1])
    with Session(engine) as session, session.begin():
        uow = UnitOfWork(session, "orders", Base.metadata.tables["outbox"],
                         Base.metadata.tables["inbox"])
        order_id = flow.place_order(uow, Caller("res-1", "resident"), {request!r}).id
    print(order_id, flush=True)
    # the commit is done and no relay ran: die as hard as a process can
    os.kill(os.getpid(), signal.SIGKILL)
""").format(request=REQUEST)


def unsent(engine):
    with engine.connect() as conn:
        return conn.scalar(
            select(func.count()).select_from(OUTBOX).where(OUTBOX.c.sent_at.is_(None))
        )


def emit_in_transaction(engine, count, event_type="OrderPlaced"):
    with Session(engine) as session, session.begin():
        uow = UnitOfWork(session, "orders", OUTBOX, Base.metadata.tables["inbox"])
        for _ in range(count):
            flow.place_order(uow, RESIDENT, REQUEST)


@pytest.fixture
def orders_config(service_config):
    return service_config("orders")


@pytest.fixture
def engine(orders_config):
    engine = create_engine(orders_config["DATABASE_URL"])
    yield engine
    engine.dispose()


def test_an_event_committed_before_a_crash_is_published_when_a_relay_runs(
    orders_config, engine, container_factory
):
    crashed = subprocess.run(
        [sys.executable, "-c", CRASH_AFTER_COMMIT, orders_config["DATABASE_URL"]],
        capture_output=True,
        text=True,
        timeout=60,
    )
    order_id = crashed.stdout.strip()
    assert crashed.returncode == -9, crashed.stderr
    assert unsent(engine) == 1
    listener = Listener(orders_config["AMQP_URI"], "orders.events", "OrderPlaced")

    container_factory(OrdersService, orders_config).start()

    [(properties, body)] = listener.get(count=1)
    assert body["data"]["order_id"] == order_id
    assert body["data"]["title"] == "陪老人就医"
    assert properties.message_id == body["id"]
    wait_for(lambda: unsent(engine) == 0, message="the row marked sent")
    listener.close()


def test_a_command_that_fails_leaves_neither_the_order_nor_its_event(engine):
    with pytest.raises(RuntimeError), Session(engine) as session, session.begin():
        uow = UnitOfWork(session, "orders", OUTBOX, Base.metadata.tables["inbox"])
        flow.place_order(uow, RESIDENT, REQUEST)
        raise RuntimeError("the worker died mid-command")

    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Order)) == 0
        assert conn.scalar(select(func.count()).select_from(OUTBOX)) == 0


def test_a_relay_that_died_before_marking_sent_publishes_again_and_credits_stay_single(
    orders_config, engine, service_config, container_factory
):
    points_config = service_config("points")
    points_engine = create_engine(points_config["DATABASE_URL"])
    container_factory(PointsService, points_config).start()
    with Session(engine) as session, session.begin():
        uow = UnitOfWork(session, "orders", OUTBOX, Base.metadata.tables["inbox"])
        uow.emit(
            "OrderCompleted",
            {
                "order_id": "o-1",
                "category": "助老",
                "community": "铁道家园",
                "team_id": "t-1",
                "minutes": {"v-1": 90},
                "completed_at": "2026-12-03T10:00:00+00:00",
                "confirmed_by": "res-1",
            },
        )
    listener = Listener(orders_config["AMQP_URI"], "orders.events", "OrderCompleted")
    with engine.connect() as conn:
        rows = conn.execute(
            select(OUTBOX.c.event_id, OUTBOX.c.routing_key, OUTBOX.c.body)
        ).all()
    publisher = ConfirmingPublisher(orders_config["AMQP_URI"], "orders.events")
    publisher.publish(rows)  # published and confirmed, then the relay "died"
    publisher.close()

    container_factory(OrdersService, orders_config).start()

    copies = listener.get(count=2)
    assert [body["id"] for _, body in copies] == [rows[0].event_id] * 2
    wait_for(lambda: unsent(engine) == 0, message="the row marked sent")
    with points_engine.connect() as conn:
        wait_for(
            lambda: (
                conn.scalar(
                    select(func.count()).select_from(Base.metadata.tables["inbox"])
                )
                >= 1
            )
        )
        transfers = conn.exec_driver_sql("SELECT amount FROM transfers").all()
    assert transfers == [(15,)]
    points_engine.dispose()
    listener.close()


def test_two_relays_draining_one_outbox_never_publish_a_row_twice(
    orders_config, engine
):
    emit_in_transaction(engine, 300)
    listener = Listener(orders_config["AMQP_URI"], "orders.events", "OrderPlaced")

    def drain():
        publisher = ConfirmingPublisher(orders_config["AMQP_URI"], "orders.events")
        claimed = []
        while batch := relay_batch(engine, OUTBOX, publisher, batch_size=25):
            claimed.append(batch)
        publisher.close()
        return sum(claimed)

    relays = [eventlet.spawn(drain), eventlet.spawn(drain)]
    claimed = [relay.wait() for relay in relays]

    received = listener.get(count=301, timeout=3)
    ids = [body["id"] for _, body in received]
    assert len(ids) == 300 and len(set(ids)) == 300
    assert sum(claimed) == 300 and min(claimed) > 0, claimed
    assert unsent(engine) == 0
    listener.close()


def test_an_event_nobody_subscribes_to_counts_as_sent_with_a_note(
    orders_config, engine
):
    emit_in_transaction(engine, 1)
    publisher = ConfirmingPublisher(orders_config["AMQP_URI"], "orders.events")

    relay_batch(engine, OUTBOX, publisher, batch_size=10)

    with engine.connect() as conn:
        row = conn.execute(select(OUTBOX.c.sent_at, OUTBOX.c.last_error)).one()
    assert row.sent_at is not None
    assert row.last_error == "unroutable: no queue bound"
    publisher.close()
