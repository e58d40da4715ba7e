"""Consumers apply each event once, retry what may pass later, and
dead-letter what never will, with the reason, without blocking the queue."""

import pytest
from sqlalchemy import (
    Column,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    insert,
    select,
)

from eventing.database import Database, add_eventing_tables
from eventing.envelope import Envelope
from eventing.handlers import reliable_handler
from tests.helpers import get_raw, publish, queue_depth, wait_for

pytestmark = pytest.mark.integration

metadata = MetaData()
add_eventing_tables(metadata)
effects = Table(
    "effects",
    metadata,
    Column("seq", Integer, primary_key=True),
    Column("event_id", String(64)),
    Column("title", String(200)),
)
QUEUE = "evt-orders-OrderPlaced--probe.handle_order_placed"
failures_left = {}


class ProbeService:
    """A consumer whose effect is not idempotent by itself: one row per apply."""

    name = "probe"
    db = Database(metadata)

    @reliable_handler("orders", "OrderPlaced")
    def handle_order_placed(self, event):
        with self.db.transaction() as uow:
            if not uow.mark_applied("probe.OrderPlaced", event.id):
                return
            title = event.data["title"]
            uow.session.execute(insert(effects).values(event_id=event.id, title=title))
            if title == "poison":
                raise RuntimeError("this event can never be applied")
            if failures_left.get(event.id, 0) > 0:
                failures_left[event.id] -= 1
                raise ConnectionError("a passing fault")


def order_placed(title="修水管"):
    return Envelope(
        type="OrderPlaced",
        source="/services/orders",
        data={
            "order_id": "o-1",
            "resident_id": "r-1",
            "entered_by": "r-1",
            "category": "维修",
            "title": title,
            "description": "厨房漏水",
            "community": "铁道家园",
            "address": "长江路12号",
            "placed_at": "2026-12-03T08:00:00+00:00",
        },
    )


@pytest.fixture
def probe(container_factory, service_config):
    config = service_config("inventory", EVENT_RETRY_DELAYS_MS=[50, 100, 150])
    engine = create_engine(config["DATABASE_URL"])
    metadata.create_all(engine, tables=[effects])
    container = container_factory(ProbeService, config)
    container.start()
    yield config["AMQP_URI"], engine
    engine.dispose()


def applied(engine):
    with engine.connect() as conn:
        return [
            row.title for row in conn.execute(select(effects).order_by(effects.c.seq))
        ]


def dead_letter(amqp_uri):
    message = get_raw(amqp_uri, QUEUE + ".dlq")
    assert message is not None, "nothing reached the dead-letter queue"
    return message


def test_the_same_event_delivered_five_times_is_applied_once(probe):
    amqp_uri, engine = probe
    event = order_placed()

    for _ in range(5):
        publish(amqp_uri, "orders.events", "OrderPlaced", event)
    publish(amqp_uri, "orders.events", "OrderPlaced", order_placed("最后一单"))

    wait_for(lambda: "最后一单" in applied(engine))
    assert applied(engine) == ["修水管", "最后一单"]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("{not json", "body is not JSON"),
        ('{"hello": "world"}', "not a CloudEvents 1.0 envelope"),
    ],
)
def test_a_body_that_is_not_an_event_is_dead_lettered_with_the_reason(
    probe, body, reason
):
    amqp_uri, engine = probe

    publish(amqp_uri, "orders.events", "OrderPlaced", body, message_id="bad-1")

    properties, raw = dead_letter(amqp_uri)
    assert reason in properties.headers["x-death-reason"]
    assert raw.decode() == body
    assert properties.message_id == "bad-1"


def test_data_that_breaks_the_contract_is_dead_lettered_naming_the_field(probe):
    amqp_uri, engine = probe
    event = order_placed()
    broken = Envelope(
        type=event.type, source=event.source, data={**event.data, "title": 7}
    )

    publish(amqp_uri, "orders.events", "OrderPlaced", broken)

    properties, _ = dead_letter(amqp_uri)
    assert "breaks the OrderPlaced contract" in properties.headers["x-death-reason"]
    assert "title" in properties.headers["x-death-reason"]
    assert applied(engine) == []


def test_a_poison_event_is_dead_lettered_after_its_retries_and_the_queue_moves_on(
    probe,
):
    amqp_uri, engine = probe

    publish(amqp_uri, "orders.events", "OrderPlaced", order_placed("poison"))
    publish(amqp_uri, "orders.events", "OrderPlaced", order_placed("下一单"))

    properties, _ = dead_letter(amqp_uri)
    assert "failed 4 times" in properties.headers["x-death-reason"]
    assert "this event can never be applied" in properties.headers["x-death-reason"]
    assert properties.headers["x-retry-attempt"] == 3
    assert applied(engine) == ["下一单"]


def test_a_flaky_event_is_retried_until_it_is_applied_once(probe):
    amqp_uri, engine = probe
    event = order_placed("三次才成")
    failures_left[event.id] = 3

    publish(amqp_uri, "orders.events", "OrderPlaced", event)

    wait_for(lambda: applied(engine) == ["三次才成"], message="the flaky event")
    assert failures_left[event.id] == 0
    assert queue_depth(amqp_uri, QUEUE + ".dlq") == 0


@pytest.mark.parametrize(
    "content_type", ["application/cloudevents+json; charset=utf-8", None, "text/plain"]
)
def test_an_envelope_is_applied_whatever_content_type_it_was_labelled(
    probe, content_type
):
    amqp_uri, engine = probe

    publish(
        amqp_uri,
        "orders.events",
        "OrderPlaced",
        order_placed(),
        content_type=content_type,
    )

    wait_for(lambda: applied(engine) == ["修水管"], message="the event")
