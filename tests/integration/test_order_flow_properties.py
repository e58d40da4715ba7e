"""Any sequence of commands against a real orders database: every accepted
command moves the order as the lifecycle says and writes exactly one event to
the outbox; every refused one changes nothing."""

from contextlib import contextmanager
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, func, select, update
from sqlalchemy.orm import Session

from eventing.database import UnitOfWork
from eventing.identity import Caller
from services.orders import detours, flow, lifecycle, timers
from services.orders.exceptions import OrdersError
from services.orders.models import Base, HistoryEntry, Order
from services.orders.timing import Timings
from tests.helpers import record_known_membership, record_known_team

pytestmark = pytest.mark.integration

OUTBOX = Base.metadata.tables["outbox"]
RESIDENT = Caller("res-1", "resident")
STAFF = Caller("staff-1", "community_staff", community="铁道家园")
LEADER = Caller("lead-1", "team_leader", team_id="t-1")
VOLUNTEER = Caller("u-9", "volunteer", volunteer_id="v-1")
NEIGHBOUR = Caller("res-2", "resident")
OTHER_LEADER = Caller("lead-2", "team_leader", team_id="t-2")
REQUEST = {
    "category": "助老",
    "title": "陪老人就医",
    "description": "周三上午",
    "community": "铁道家园",
    "address": "一马路3号",
}

# command name -> what the right caller does
COMMANDS = {
    "dispatch": lambda uow, oid: flow.dispatch_order(uow, STAFF, oid, "t-1"),
    "reject": lambda uow, oid: detours.reject_order(uow, STAFF, oid, "duplicate", None),
    "decline": lambda uow, oid: detours.decline_order(uow, LEADER, oid, "太忙"),
    "accept": lambda uow, oid: flow.accept_order(uow, LEADER, oid, ["v-1"]),
    "start": lambda uow, oid: flow.start_order(uow, VOLUNTEER, oid),
    "report": lambda uow, oid: flow.report_service(uow, LEADER, oid, {"v-1": 60}),
    "dispute": lambda uow, oid: detours.dispute_order(uow, RESIDENT, oid, "没来"),
    "request_report": lambda uow, oid: detours.request_report(uow, STAFF, oid, None),
    "confirm": lambda uow, oid: flow.confirm_order(uow, STAFF, oid),
    "rate": lambda uow, oid: flow.rate_order(uow, RESIDENT, oid, 4, "很好"),
    "cancel": lambda uow, oid: detours.cancel_order(uow, RESIDENT, oid, "不需要了"),
}
# callers who may never do these, whatever the order's status
INTRUSIONS = {
    "confirm by a neighbour": lambda uow, oid: flow.confirm_order(uow, NEIGHBOUR, oid),
    "start by another team": lambda uow, oid: flow.start_order(uow, OTHER_LEADER, oid),
    "cancel by a neighbour": lambda uow, oid: detours.cancel_order(
        uow, NEIGHBOUR, oid, "捣乱"
    ),
}
STEPS = sorted(COMMANDS) + sorted(INTRUSIONS) + ["timer"]


@pytest.fixture
def engine(make_database):
    # one database for every example of a test: each example has its own order
    engine = create_engine(make_database("orders"))
    yield engine
    engine.dispose()


@pytest.fixture
def transaction(engine):
    @contextmanager
    def transaction():
        with Session(engine, expire_on_commit=False) as session, session.begin():
            yield UnitOfWork(session, "orders", OUTBOX, Base.metadata.tables["inbox"])

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
    return transaction


def snapshot(engine, order_id):
    with engine.connect() as conn:
        status = conn.scalar(select(Order.status).where(Order.id == order_id))
        history = conn.scalar(
            select(func.count()).where(HistoryEntry.order_id == order_id)
        )
        events = conn.scalars(
            select(OUTBOX.c.routing_key)
            .where(OUTBOX.c.body.contains(order_id))
            .order_by(OUTBOX.c.seq)
        ).all()
    return status, history, events


def fire_the_timer(engine, transaction, order_id, timings):
    """Bring this order's timer (if it has one) due and let the poll fire it."""
    with engine.begin() as conn:
        conn.execute(
            update(Order)
            .where(Order.id == order_id, Order.timer_due_at.is_not(None))
            .values(timer_due_at=flow.now() - timedelta(seconds=1))
        )
    timers.fire_due(transaction, timings)


def expected_move(step, status, timings):
    """The move the lifecycle allows for this step, or None if refused."""
    if step in INTRUSIONS:
        return None
    command = step
    if step == "timer":
        command = lifecycle.timeout_command(status, timings.return_unaccepted)
        if command is None:
            return None
    move = lifecycle.MOVES[command]
    return move if status in move.sources else None


def pick_step(rnd, status, timings):
    """Mostly a step the lifecycle allows, so that sequences reach deep
    states; one time in four any step at all, so that refusals are tried too."""
    legal = [s for s in STEPS if expected_move(s, status, timings)]
    if legal and rnd.random() < 0.75:
        return rnd.choice(legal)
    return rnd.choice(STEPS)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(rnd=st.randoms(use_true_random=False), returns=st.booleans())
def test_each_accepted_command_makes_its_move_and_emits_exactly_one_event(
    engine, transaction, rnd, returns
):
    timings = Timings(return_unaccepted=returns)
    with transaction() as uow:
        order_id = flow.place_order(uow, RESIDENT, REQUEST, timings).id

    for _ in range(rnd.randint(1, 16)):
        status, history, events = snapshot(engine, order_id)
        step = pick_step(rnd, status, timings)
        note(f"{status} --{step}-->")
        expected = expected_move(step, status, timings)
        if step == "timer":
            fire_the_timer(engine, transaction, order_id, timings)
        else:
            try:
                with transaction() as uow:
                    (COMMANDS | INTRUSIONS)[step](uow, order_id)
            except OrdersError:
                pass

        after, history_after, events_after = snapshot(engine, order_id)
        if expected is None:
            assert (after, history_after, events_after) == (status, history, events)
        else:
            assert status not in lifecycle.TERMINAL
            assert after == expected.target
            assert history_after == history + 1
            assert events_after == [*events, expected.event]
        assert after in lifecycle.STATES
