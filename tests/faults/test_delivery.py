"""Deliveries a broker or a foreign system may make: the same event again and
again, events in another order, an event that always fails, one that fails
a few times."""

import uuid

import pytest
import requests
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from eventing.envelope import Envelope
from loadtest.district import PASSWORD, sign_in
from services.gateway import accounts
from tests.faults.conftest import RECOVERIES, assert_nothing_lost
from tests.faults.helpers import publish, take_all, wait_for
from tests.faults.traffic import Traffic

pytestmark = pytest.mark.faults

ORDERS_QUEUE = "evt-teams-{}--orders.handle_{}"
POINTS_COMPLETED = "evt-orders-OrderCompleted--points.handle_order_completed"
POINTS_REGISTERED = "evt-teams-VolunteerRegistered--points.handle_volunteer_registered"


def event(type_, source, data, event_id=None):
    return Envelope(
        type=type_,
        source=f"/services/{source}",
        data=data,
        id=event_id or str(uuid.uuid4()),
    )


def test_an_event_delivered_five_times_is_applied_once(healthy):
    order_id = next(iter(_one_flow(healthy)))
    [(event_id, body)] = healthy.sources.rows(
        "orders",
        "SELECT event_id, body FROM outbox WHERE routing_key = 'OrderCompleted' "
        "AND body LIKE :pattern",
        pattern=f"%{order_id}%",
    )

    publish(
        healthy.rabbit.amqp_uri,
        "orders.events",
        "OrderCompleted",
        body,
        event_id,
        times=5,
    )
    report, drained = healthy.reconcile()

    ignored = healthy.log_lines("points", f"duplicate ignored event_id={event_id}")
    RECOVERIES["one OrderCompleted delivered 5 more times"] = {
        "drained_after_s": drained,
        "duplicates_ignored": len(ignored),
    }
    assert len(ignored) == 5
    assert_nothing_lost(report)


def test_events_out_of_order_still_give_one_credit_each(healthy):
    team_id, volunteers = str(uuid.uuid4()), [str(uuid.uuid4()) for _ in range(2)]
    community = healthy.district["community"]
    registered = {
        v: event(
            "VolunteerRegistered",
            "teams",
            {"volunteer_id": v, "name": f"迟到的志愿者{i}", "community": community},
        )
        for i, v in enumerate(volunteers)
    }
    team_events = [
        *(
            event(
                "VolunteerJoinedTeam", "teams", {"team_id": team_id, "volunteer_id": v}
            )
            for v in volunteers
        ),
        *registered.values(),
        event(
            "TeamRegistered",
            "teams",
            {
                "team_id": team_id,
                "name": "后来的队",
                "categories": ["助老"],
                "community": community,
            },
        ),
    ]
    uri = healthy.rabbit.amqp_uri

    # the orders service hears of the members before the team, and the points
    # service hears of the volunteers only after they were credited
    for e in team_events:
        handler = {
            "VolunteerJoinedTeam": "volunteer_joined_team",
            "VolunteerRegistered": "volunteer_registered",
            "TeamRegistered": "team_registered",
        }[e.type]
        publish(uri, "", ORDERS_QUEUE.format(e.type, handler), e.to_json(), e.id)
    order_id = _flow_with_new_team(healthy, team_id, volunteers)
    wait_for(lambda: _credits(healthy, order_id) == 2, 30, "the credits")
    for e in registered.values():
        publish(uri, "", POINTS_REGISTERED, e.to_json(), e.id)
    report, drained = healthy.reconcile()

    RECOVERIES["team events reversed, registrations after credits"] = {
        "drained_after_s": drained
    }
    assert _balances(healthy, volunteers) == [10, 5]
    assert_nothing_lost(report)


def test_a_poison_message_is_dead_lettered_and_a_flaky_one_applied_once(healthy):
    healthy.restart("points", faults="fail:poison-@always,fail:flaky-@3")
    poison = event(
        "OrderCompleted",
        "orders",
        {
            "order_id": str(uuid.uuid4()),
            "category": "助老",
            "community": "铁道家园",
            "team_id": "t-1",
            "minutes": {"v-poison": 60},
            "completed_at": "2026-12-03T08:00:00+00:00",
            "confirmed_by": "u-1",
        },
        event_id=f"poison-{uuid.uuid4()}",
    )
    flaky_volunteer = str(uuid.uuid4())
    flaky = event(
        "VolunteerRegistered",
        "teams",
        {"volunteer_id": flaky_volunteer, "name": "时好时坏", "community": "铁道家园"},
        event_id=f"flaky-{uuid.uuid4()}",
    )
    uri = healthy.rabbit.amqp_uri

    publish(uri, "orders.events", "OrderCompleted", poison.to_json(), poison.id)
    publish(uri, "teams.events", "VolunteerRegistered", flaky.to_json(), flaky.id)
    dead = wait_for(
        lambda: take_all(uri, POINTS_COMPLETED + ".dlq"), 60, "the dead letter"
    )
    report, drained = healthy.reconcile()

    [(headers, body)] = dead
    assert body["id"] == poison.id
    assert "injected failure" in headers["x-death-reason"]
    assert headers["x-retry-attempt"] == 4
    failures = healthy.log_lines("points", f"failing event_id={flaky.id}")
    assert len(failures) == 3
    assert healthy.sources.rows(
        "points", "SELECT COUNT(*) FROM inbox WHERE event_id = :id", id=flaky.id
    ) == [(1,)]
    assert _account_exists(healthy, flaky_volunteer)
    RECOVERIES["poison dead-lettered, flaky applied after 3 failures"] = {
        "drained_after_s": drained
    }
    assert_nothing_lost(report)


def _one_flow(platform):
    traffic = platform.traffic()
    order_id = traffic.run_flow(
        requests.Session(),
        platform.district["teams"][0],
        platform.district["resident_tokens"][0],
    )
    assert order_id, traffic.failures
    platform.confirmed.add(order_id)
    return {order_id}


def _flow_with_new_team(platform, team_id, volunteers):
    url = platform.url
    username = f"faults.leader.{team_id[:8]}"
    _leader_account(platform, username, team_id)
    team = {
        "id": team_id,
        "volunteer_ids": volunteers,
        "leader_token": sign_in(url, username, PASSWORD),
    }
    traffic = Traffic(url, platform.district)
    resident = platform.district["resident_tokens"][1]
    order_id = wait_for(
        lambda: traffic.run_flow(requests.Session(), team, resident),
        30,
        "orders to learn the team from the reversed events",
    )
    platform.confirmed.add(order_id)
    return order_id


def _leader_account(platform, username, team_id):
    """The team's leader account. The team exists only in the events this
    scenario published (the teams service never saw it, as if another system
    had announced it), so the gateway refuses an account naming it (422): the
    account is written into the gateway's database as the gateway would."""
    engine = create_engine(platform.system.database_urls["gateway"])
    try:
        with Session(engine) as session, session.begin():
            accounts.create_user(
                session,
                {
                    "username": username,
                    "password": PASSWORD,
                    "role": "team_leader",
                    "display_name": username,
                    "team_id": team_id,
                },
            )
    finally:
        engine.dispose()


def _credits(platform, order_id):
    return platform.sources.rows(
        "points", "SELECT COUNT(*) FROM transfers WHERE order_id = :o", o=order_id
    )[0][0]


def _balances(platform, volunteers):
    return [
        platform.sources.rows(
            "points", "SELECT balance FROM accounts WHERE volunteer_id = :v", v=v
        )[0][0]
        for v in volunteers
    ]


def _account_exists(platform, volunteer_id):
    return bool(
        platform.sources.rows(
            "points", "SELECT 1 FROM accounts WHERE volunteer_id = :v", v=volunteer_id
        )
    )
