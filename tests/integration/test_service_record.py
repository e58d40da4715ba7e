"""A volunteer's service record is kept from the orders events, once each."""

import csv
import io
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from eventing.envelope import Envelope
from eventing.identity import Caller
from services.teams import record
from services.teams.models import Base, ServiceEntry, Volunteer
from services.teams.service import TeamsService
from tests.helpers import publish, wait_for

pytestmark = pytest.mark.integration

SHANGHAI = ZoneInfo("Asia/Shanghai")
VOLUNTEER = Caller("u-v", "volunteer", volunteer_id="v-1")
INBOX = Base.metadata.tables["inbox"]


@pytest.fixture
def teams(container_factory, service_config):
    config = service_config("teams", EVENT_RETRY_DELAYS_MS=[100, 200])
    container_factory(TeamsService, config).start()
    engine = create_engine(config["DATABASE_URL"])
    with Session(engine) as session, session.begin():
        session.add(
            Volunteer(
                id="v-1",
                name="张桂芳",
                phone="13900000001",
                community="铁道家园",
                skills=["舞蹈"],
                registered_at=datetime.now(UTC),
            )
        )
    yield config["AMQP_URI"], engine
    engine.dispose()


def completed(order_id, completed_at, minutes, category="演出"):
    return Envelope(
        type="OrderCompleted",
        source="/services/orders",
        subject=order_id,
        data={
            "order_id": order_id,
            "category": category,
            "community": "铁道家园",
            "team_id": "t-1",
            "minutes": minutes,
            "completed_at": completed_at,
            "confirmed_by": "u-1",
        },
    )


def entries(engine):
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(ServiceEntry))


def consumed(engine, event):
    with engine.connect() as conn:
        return conn.scalar(select(INBOX.c.event_id).where(INBOX.c.event_id == event.id))


def service_record(engine):
    with Session(engine) as session:
        return record.service_record(session, VOLUNTEER, "v-1", SHANGHAI)


def test_each_order_served_is_on_the_record_with_its_local_date_and_year(teams):
    amqp_uri, engine = teams
    # 17:30 UTC on New Year's Eve is already the new year in the district
    for event in [
        completed("o-1", "2025-06-01T02:00:00+00:00", {"v-1": 90, "v-2": 30}),
        completed("o-2", "2025-12-31T17:30:00+00:00", {"v-1": 45}, "助老"),
        completed("o-3", "2026-03-08T01:00:00+00:00", {"v-2": 60}),
    ]:
        publish(amqp_uri, "orders.events", "OrderCompleted", event)

    wait_for(lambda: entries(engine) == 4, message="three orders recorded")
    found = service_record(engine)

    assert [
        (e["order_id"], e["date"], e["category"], e["minutes"])
        for e in found["entries"]
    ] == [
        ("o-1", "2025-06-01", "演出", 90),
        ("o-2", "2026-01-01", "助老", 45),
    ]
    assert found["years"] == [
        {"year": 2025, "orders": 1, "minutes": 90},
        {"year": 2026, "orders": 1, "minutes": 45},
    ]
    assert found["total_minutes"] == 135


def test_an_order_delivered_twice_or_completed_twice_is_recorded_once(teams):
    amqp_uri, engine = teams
    first = completed("o-1", "2025-06-01T02:00:00+00:00", {"v-1": 90})
    again = completed("o-1", "2025-06-01T02:00:00+00:00", {"v-1": 90})

    publish(amqp_uri, "orders.events", "OrderCompleted", first)
    publish(amqp_uri, "orders.events", "OrderCompleted", first)
    publish(amqp_uri, "orders.events", "OrderCompleted", again)

    wait_for(lambda: consumed(engine, again), message="both events consumed")
    assert entries(engine) == 1
    assert service_record(engine)["total_minutes"] == 90


def test_the_record_exports_as_csv_that_spreadsheets_read_as_chinese(teams):
    amqp_uri, engine = teams
    publish(
        amqp_uri,
        "orders.events",
        "OrderCompleted",
        completed("o-1", "2025-06-01T02:00:00+00:00", {"v-1": 90}, "交通引导"),
    )
    wait_for(lambda: entries(engine) == 1)

    text = record.to_csv(service_record(engine))

    assert text.startswith("\ufeff")
    [row] = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    assert row == {
        "order_id": "o-1",
        "date": "2025-06-01",
        "category": "交通引导",
        "team_id": "t-1",
        "team": "",
        "minutes": "90",
    }
