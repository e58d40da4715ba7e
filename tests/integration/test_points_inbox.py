"""The points service applies each OrderCompleted once, whatever the broker does."""

import pytest
from sqlalchemy import create_engine, func, select

from eventing.envelope import Envelope
from services.points.models import Account, Transfer
from services.points.service import PointsService
from tests.helpers import Listener, publish, wait_for

pytestmark = pytest.mark.integration


def order_completed(order_id="o-1", minutes=None, category="演出"):
    return Envelope(
        type="OrderCompleted",
        source="/services/orders",
        subject=order_id,
        data={
            "order_id": order_id,
            "category": category,
            "community": "铁道家园",
            "team_id": "t-1",
            "minutes": minutes or {"v-1": 90, "v-2": 30},
            "completed_at": "2026-12-03T08:00:00+00:00",
            "confirmed_by": "u-1",
        },
    )


@pytest.fixture
def points(container_factory, service_config):
    config = service_config("points", EVENT_RETRY_DELAYS_MS=[100, 200])
    container = container_factory(PointsService, config)
    container.start()
    engine = create_engine(config["DATABASE_URL"])
    yield config, engine
    engine.dispose()


def credits(engine):
    with engine.connect() as conn:
        return conn.execute(
            select(Transfer.to_account, Transfer.amount, Transfer.minutes).order_by(
                Transfer.to_account
            )
        ).all()


def balance(engine, volunteer_id):
    with engine.connect() as conn:
        return conn.scalar(
            select(Account.balance).where(Account.volunteer_id == volunteer_id)
        )


def test_a_completed_order_credits_each_volunteer_and_announces_it(points):
    config, engine = points
    listener = Listener(config["AMQP_URI"], "points.events", "PointsCredited")

    publish(config["AMQP_URI"], "orders.events", "OrderCompleted", order_completed())

    announced = listener.get(count=2)
    assert wait_for(lambda: len(credits(engine)) == 2)
    assert credits(engine) == [("volunteer:v-1", 15, 90), ("volunteer:v-2", 5, 30)]
    assert sorted(
        (b["data"]["volunteer_id"], b["data"]["points"]) for _, b in announced
    ) == [("v-1", 15), ("v-2", 5)]
    listener.close()


def test_the_same_event_delivered_twice_credits_once(points):
    config, engine = points
    event = order_completed()
    listener = Listener(config["AMQP_URI"], "points.events", "PointsCredited")

    publish(config["AMQP_URI"], "orders.events", "OrderCompleted", event)
    publish(config["AMQP_URI"], "orders.events", "OrderCompleted", event)
    # a later, different order proves both copies of the first were consumed
    publish(
        config["AMQP_URI"],
        "orders.events",
        "OrderCompleted",
        order_completed("o-2", {"v-3": 60}),
    )

    wait_for(lambda: balance(engine, "v-3") == 10, message="the later order")
    assert balance(engine, "v-1") == 15
    assert len(credits(engine)) == 3
    assert len(listener.get(count=4, timeout=2)) == 3
    listener.close()


def test_two_events_completing_the_same_order_credit_it_once(points):
    config, engine = points
    first, second = order_completed(), order_completed()
    assert first.id != second.id

    publish(config["AMQP_URI"], "orders.events", "OrderCompleted", first)
    publish(config["AMQP_URI"], "orders.events", "OrderCompleted", second)
    publish(
        config["AMQP_URI"],
        "orders.events",
        "OrderCompleted",
        order_completed("o-2", {"v-3": 60}),
    )

    wait_for(lambda: balance(engine, "v-3") == 10, message="the later order")
    assert balance(engine, "v-1") == 15
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Transfer)) == 3


def test_the_ledger_sums_to_zero(points):
    config, engine = points

    publish(config["AMQP_URI"], "orders.events", "OrderCompleted", order_completed())

    wait_for(lambda: len(credits(engine)) == 2)
    with engine.connect() as conn:
        assert conn.scalar(select(func.sum(Account.balance))) == 0


def test_ids_of_the_longest_length_the_contract_allows_are_credited(points):
    config, engine = points
    order_id, volunteer_id = "o" * 64, "v" * 64

    publish(
        config["AMQP_URI"],
        "orders.events",
        "OrderCompleted",
        order_completed(order_id, {volunteer_id: 60}),
    )

    assert wait_for(lambda: balance(engine, volunteer_id) == 10)
