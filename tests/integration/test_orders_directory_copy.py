"""The orders service's copy of the directory follows the teams events, in
whatever order the broker hands them over."""

import pytest
from sqlalchemy import create_engine, select

from eventing.envelope import Envelope
from services.orders.models import Base, KnownMembership, KnownTeam
from services.orders.service import OrdersService
from tests.helpers import publish, wait_for

pytestmark = pytest.mark.integration

INBOX = Base.metadata.tables["inbox"]


@pytest.fixture
def orders(container_factory, service_config):
    config = service_config("orders", EVENT_RETRY_DELAYS_MS=[200, 400, 800, 1600])
    container_factory(OrdersService, config).start()
    engine = create_engine(config["DATABASE_URL"])
    yield config["AMQP_URI"], engine
    engine.dispose()


def send(amqp_uri, event_type, **data):
    event = Envelope(type=event_type, source="/services/teams", data=data)
    publish(amqp_uri, "teams.events", event_type, event)
    return event


def team_data(version, **changes):
    data = {
        "team_id": "t-1",
        "name": "俏玫瑰舞蹈队",
        "categories": ["演出"],
        "community": "铁道家园",
        "street": "长江路",
        "leader_ids": [],
        "kind": "professional",
        "station_id": None,
        "version": version,
    }
    return {**data, **changes}


def applied(engine, event):
    with engine.connect() as conn:
        return conn.scalar(select(INBOX.c.event_id).where(INBOX.c.event_id == event.id))


def team(engine):
    with engine.connect() as conn:
        return conn.execute(
            select(KnownTeam).where(KnownTeam.id == "t-1")
        ).one_or_none()


def membership(engine):
    with engine.connect() as conn:
        return conn.execute(select(KnownMembership)).one_or_none()


def test_a_late_older_update_leaves_a_suspended_team_suspended(orders):
    amqp_uri, engine = orders
    send(amqp_uri, "TeamRegistered", **team_data(1))
    send(
        amqp_uri,
        "TeamSuspended",
        team_id="t-1",
        reason="整改",
        suspended_by="u",
        version=3,
    )
    wait_for(lambda: team(engine) and team(engine).status == "suspended")

    late = send(
        amqp_uri,
        "TeamUpdated",
        **team_data(
            2, name="旧名字", status="active", changed=["name"], updated_by="u"
        ),
    )

    wait_for(lambda: applied(engine, late), message="the late update consumed")
    assert (team(engine).name, team(engine).status, team(engine).version) == (
        "俏玫瑰舞蹈队",
        "suspended",
        3,
    )


def test_a_volunteer_who_left_stays_gone_when_their_joining_arrives_late(orders):
    amqp_uri, engine = orders
    send(
        amqp_uri,
        "VolunteerLeftTeam",
        team_id="t-1",
        volunteer_id="v-1",
        removed_by="u",
        version=2,
    )
    wait_for(lambda: membership(engine), message="the departure applied")

    late = send(
        amqp_uri, "VolunteerJoinedTeam", team_id="t-1", volunteer_id="v-1", version=1
    )

    wait_for(lambda: applied(engine, late), message="the late joining consumed")
    assert (membership(engine).active, membership(engine).version) == (False, 2)


def test_a_volunteer_who_rejoins_is_a_member_again(orders):
    amqp_uri, engine = orders
    for version, event_type in enumerate(
        ["VolunteerJoinedTeam", "VolunteerLeftTeam", "VolunteerJoinedTeam"], 1
    ):
        extra = {"removed_by": "u"} if event_type == "VolunteerLeftTeam" else {}
        send(
            amqp_uri,
            event_type,
            team_id="t-1",
            volunteer_id="v-1",
            version=version,
            **extra,
        )

    wait_for(lambda: membership(engine) and membership(engine).version == 3)
    assert membership(engine).active is True


def test_a_suspension_that_comes_before_its_team_is_applied_once_the_team_is_known(
    orders,
):
    amqp_uri, engine = orders
    send(
        amqp_uri,
        "TeamSuspended",
        team_id="t-1",
        reason="整改",
        suspended_by="u",
        version=2,
    )

    send(amqp_uri, "TeamRegistered", **team_data(1))

    wait_for(
        lambda: team(engine) and team(engine).status == "suspended",
        timeout=15,
        message="the suspension retried after the registration",
    )
    assert team(engine).version == 2
