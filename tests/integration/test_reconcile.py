"""The reconciliation finds what was lost and what was applied twice."""

import json
from datetime import UTC, datetime

import pika
import pytest
from sqlalchemy import create_engine, insert
from sqlalchemy.orm import Session

from ops import reconcile
from services.orders.models import Assignment, HistoryEntry, Order
from services.orders.models import Base as OrdersBase
from services.points.models import Account, Transfer
from services.points.models import Base as PointsBase

pytestmark = pytest.mark.integration

NOW = datetime.now(UTC)
FLOW = ("placed", "dispatched", "accepted", "reported", "completed")


@pytest.fixture
def sources(make_database, rabbit_config):
    sources = reconcile.Sources(
        {"orders": make_database("orders"), "points": make_database("points")},
        rabbit_config["AMQP_URI"],
    )
    yield sources
    sources.close()


def completed_order(sources, order_id, minutes, events=5):
    """An order that went the whole flow, with `events` of its transitions
    in the outbox."""
    engine = create_engine(sources.database_urls["orders"])
    with Session(engine) as session, session.begin():
        session.add(
            Order(
                id=order_id,
                resident_id="r",
                entered_by="r",
                category="助老",
                title="t",
                description="d",
                community="c",
                address="a",
                status="completed",
                team_id="t-1",
                placed_at=NOW,
                updated_at=NOW,
                history=[HistoryEntry(status=s, by="r", at=NOW) for s in FLOW],
                assignments=[
                    Assignment(volunteer_id=v, minutes=m) for v, m in minutes.items()
                ],
            )
        )
        outbox = OrdersBase.metadata.tables["outbox"]
        for n in range(events):
            session.execute(
                insert(outbox).values(
                    event_id=f"{order_id}-{n}",
                    exchange="orders.events",
                    routing_key="OrderX",
                    created_at=NOW,
                    sent_at=NOW,
                    body=json.dumps({"subject": order_id}),
                )
            )
    engine.dispose()


def credit(sources, order_id, volunteer_id, minutes, transfer_id=None):
    engine = create_engine(sources.database_urls["points"])
    with Session(engine) as session, session.begin():
        for account, kind in [
            ("district:issuing", "issuing"),
            (f"volunteer:{volunteer_id}", "volunteer"),
        ]:
            if session.get(Account, account) is None:
                session.add(
                    Account(
                        id=account,
                        kind=kind,
                        balance=0,
                        certified_minutes=0,
                        opened_at=NOW,
                    )
                )
        session.flush()
        session.add(
            Transfer(
                id=transfer_id or f"{order_id}:{volunteer_id}",
                kind="order_credit",
                from_account="district:issuing",
                to_account=f"volunteer:{volunteer_id}",
                amount=minutes // 6,
                order_id=order_id,
                minutes=minutes,
                created_at=NOW,
            )
        )
        session.get(Account, "district:issuing").balance -= minutes // 6
        session.get(Account, f"volunteer:{volunteer_id}").balance += minutes // 6
    engine.dispose()


def test_a_whole_flow_reconciles(sources):
    completed_order(sources, "o-1", {"v-1": 60, "v-2": 30})
    credit(sources, "o-1", "v-1", 60)
    credit(sources, "o-1", "v-2", 30)
    sources.confirmed_orders = {"o-1"}

    # the rows are made by hand, without what ops.invariants also checks
    report = reconcile.reconcile(sources, reconcile.FLOW_CHECKS)

    assert report.ok, list(report.lines())
    assert (report.lost, report.duplicated) == (0, 0)


def test_a_volunteer_never_credited_is_lost(sources):
    completed_order(sources, "o-1", {"v-1": 60, "v-2": 30})
    credit(sources, "o-1", "v-1", 60)

    report = reconcile.reconcile(sources, [reconcile.credited_once])

    assert (report.lost, report.duplicated) == (1, 0)
    assert "v-2" in report.findings[0].problems[0]


def test_a_volunteer_credited_twice_is_duplicated(sources):
    completed_order(sources, "o-1", {"v-1": 60})
    credit(sources, "o-1", "v-1", 60, transfer_id="first")
    credit(sources, "o-1", "v-1", 60, transfer_id="second")

    report = reconcile.reconcile(sources, [reconcile.credited_once])

    assert (report.lost, report.duplicated) == (0, 1)


def test_a_confirm_the_database_does_not_know_is_lost(sources):
    sources.confirmed_orders = {"o-404"}

    report = reconcile.reconcile(sources, [reconcile.confirmed_orders_completed])

    assert report.lost == 1


def test_a_transition_without_its_event_is_half_written(sources):
    completed_order(sources, "o-1", {"v-1": 60}, events=4)

    report = reconcile.reconcile(sources, [reconcile.transitions_have_events])

    assert report.lost == 1


def test_an_unsent_outbox_row_and_a_dead_letter_are_lost(sources):
    engine = create_engine(sources.database_urls["points"])
    with engine.begin() as conn:
        conn.execute(
            insert(PointsBase.metadata.tables["outbox"]).values(
                event_id="e-1",
                exchange="points.events",
                routing_key="PointsCredited",
                body="{}",
                created_at=NOW,
            )
        )
    engine.dispose()
    dead_letter(sources.amqp_uri, "evt-x--y.dlq")
    sources.queues = ["evt-x--y.dlq", "evt-never-declared"]

    report = reconcile.reconcile(
        sources, [reconcile.outboxes_drained, reconcile.queues_drained]
    )

    assert report.lost == 2
    assert "queue evt-never-declared does not exist" in report.findings[1].problems


def dead_letter(amqp_uri, queue):
    connection = pika.BlockingConnection(reconcile.pika_parameters(amqp_uri))
    channel = connection.channel()
    channel.queue_declare(queue, durable=True)
    channel.confirm_delivery()
    channel.basic_publish("", queue, b"{}")
    connection.close()
