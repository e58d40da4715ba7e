"""The ledger: rates by completion day, caps, corrections, statements,
leaderboards, and the points side of the redemption saga."""

from datetime import date

import pytest
from nameko.exceptions import RemoteError
from nameko.standalone.rpc import ServiceRpcProxy
from sqlalchemy import create_engine, event, insert, select
from sqlalchemy.engine import Engine

from eventing.database import COMMAND_KEY
from eventing.envelope import Envelope
from ops.invariants import check_all
from services.points.models import ISSUING_ACCOUNT, Account, Rate, Transfer
from services.points.service import PointsService
from tests.helpers import Listener, publish, wait_for

pytestmark = pytest.mark.integration

ADMIN = {"user_id": "u-admin", "role": "admin"}


def order_completed(
    order_id, minutes, completed_at="2026-12-03T08:00:00+00:00", **more
):
    return Envelope(
        type="OrderCompleted",
        source="/services/orders",
        subject=order_id,
        data={
            "order_id": order_id,
            "category": more.get("category", "助老"),
            "community": more.get("community", "铁道家园"),
            "team_id": more.get("team_id", "t-1"),
            "minutes": minutes,
            "completed_at": completed_at,
            "confirmed_by": "u-1",
        },
    )


def stock_reserved(redemption_id, volunteer_id, points, attempt=1):
    return Envelope(
        type="StockReserved",
        source="/services/inventory",
        subject=redemption_id,
        data={
            "redemption_id": redemption_id,
            "bank_id": "b-1",
            "volunteer_id": volunteer_id,
            "points": points,
            "lines": [{"item_id": "i-1", "quantity": 1, "points_price": points}],
            "attempt": attempt,
        },
    )


def redemption_cancelled(redemption_id, volunteer_id, points):
    return Envelope(
        type="RedemptionCancelled",
        source="/services/inventory",
        subject=redemption_id,
        data={
            "redemption_id": redemption_id,
            "bank_id": "b-1",
            "volunteer_id": volunteer_id,
            "points": points,
            "reason": "the points ledger did not answer in time",
            "lines": [{"item_id": "i-1", "quantity": 1, "points_price": points}],
        },
    )


def debit_answers(listener, count):
    """The next `count` answers to redemptions among the ledger's events."""
    answers = []
    while len(answers) < count:
        received = listener.get(count=1)
        assert received, f"only {len(answers)} answers arrived"
        [(_, body)] = received
        if body["type"] in ("PointsDebited", "PointsDebitRejected"):
            answers.append(body)
    return answers


class Ledger:
    """The points service under test, seen from the broker and its tables."""

    def __init__(self, config):
        self.config = config
        self.amqp_uri = config["AMQP_URI"]
        self.engine = create_engine(config["DATABASE_URL"])

    def send(self, exchange, envelope):
        publish(self.amqp_uri, exchange, envelope.type, envelope)

    def rpc(self, command_key=None):
        context = {COMMAND_KEY: command_key} if command_key else None
        return ServiceRpcProxy(
            "points", {"AMQP_URI": self.amqp_uri}, context_data=context
        )

    def transfers(self, **where):
        with self.engine.connect() as conn:
            query = select(Transfer).order_by(Transfer.created_at)
            for key, value in where.items():
                query = query.where(getattr(Transfer, key) == value)
            return conn.execute(query).all()

    def balance(self, volunteer_id):
        with self.rpc() as points:
            return points.get_points(ADMIN, volunteer_id)["balance"]

    def credit(self, order_id, minutes, **more):
        self.send("orders.events", order_completed(order_id, minutes, **more))
        volunteers = set(minutes)
        wait_for(
            lambda: (
                {t.volunteer_id for t in self.transfers(order_id=order_id)}
                >= volunteers
            ),
            message=f"credits of {order_id}",
        )


@pytest.fixture
def ledger(service_config, container_factory):
    """Start the points service (with config overrides); after the test, its
    ledger must satisfy every invariant."""
    started = []

    def start(**overrides):
        config = service_config("points", EVENT_RETRY_DELAYS_MS=[100, 200], **overrides)
        container_factory(PointsService, config).start()
        started.append(Ledger(config))
        return started[-1]

    yield start
    for each in started:
        assert check_all(each.engine) == []
        each.engine.dispose()


def test_each_credit_uses_the_rate_in_force_on_its_completion_day(ledger):
    points = ledger()
    with points.engine.begin() as conn:
        conn.execute(
            insert(Rate).values(
                category="助老",
                effective_from=date(2026, 12, 5),
                points_per_hour=12,
                set_by="u-admin",
                set_at="2026-12-01T00:00:00+00:00",
            )
        )

    points.credit("before", {"v-1": 60}, completed_at="2026-12-04T15:00:00+00:00")
    points.credit("after", {"v-1": 60}, completed_at="2026-12-04T16:00:00+00:00")

    [before] = points.transfers(order_id="before")
    [after] = points.transfers(order_id="after")
    assert (before.amount, before.rate_per_hour, before.rate_since) == (
        10,
        10,
        date(2000, 1, 1),
    )
    # 16:00 UTC is midnight in the district: the new rate's first day
    assert (after.amount, after.rate_per_hour, after.rate_since) == (
        12,
        12,
        date(2026, 12, 5),
    )


def test_caps_pay_up_to_the_limit_and_record_what_they_kept(ledger):
    points = ledger(POINTS_CAP_PER_ORDER=25, POINTS_CAP_PER_DAY=40)

    points.credit("long", {"v-1": 240})
    points.credit("second", {"v-1": 120})
    points.credit("third", {"v-1": 60})
    points.credit("next-day", {"v-1": 60}, completed_at="2026-12-04T08:00:00+00:00")

    paid = {
        t.order_id: (t.amount, t.uncapped_points, t.cap_rule)
        for t in points.transfers(kind="order_credit")
    }
    assert paid == {
        "long": (25, 40, "per_order"),
        "second": (15, 20, "per_day"),
        "third": (0, 10, "per_day"),
        "next-day": (10, 10, None),
    }
    assert points.balance("v-1") == 50


@pytest.fixture
def statements():
    """Every statement and commit any engine in this process runs, in order,
    as (connection, what) pairs: the service's own engine included."""
    seen = []

    def on_execute(conn, cursor, statement, parameters, context, executemany):
        seen.append((id(conn.connection.dbapi_connection), statement, parameters))

    def on_commit(conn):
        seen.append((id(conn.connection.dbapi_connection), "COMMIT", None))

    event.listen(Engine, "before_cursor_execute", on_execute)
    event.listen(Engine, "commit", on_commit)
    yield seen
    event.remove(Engine, "before_cursor_execute", on_execute)
    event.remove(Engine, "commit", on_commit)


def _touches_issuing(statement, parameters):
    return statement.startswith("UPDATE accounts") and ISSUING_ACCOUNT in str(
        parameters
    )


def test_an_order_takes_its_credits_from_the_issuing_account_once_last(
    ledger, statements
):
    points = ledger()
    points.credit("o-1", {"v-1": 60, "v-2": 90, "v-3": 30})

    [issuing] = [i for i, s in enumerate(statements) if _touches_issuing(*s[1:])]
    connection = statements[issuing][0]
    after = [s for s in statements[issuing + 1 :] if s[0] == connection]
    # the shared row is locked for one statement and the commit, not for the
    # transfers and the events written after it
    assert after[0][1] == "COMMIT"
    assert sorted(t.amount for t in points.transfers(order_id="o-1")) == [5, 10, 15]
    with points.engine.connect() as conn:
        balance = conn.execute(
            select(Account.balance, Account.certified_minutes).where(
                Account.id == ISSUING_ACCOUNT
            )
        ).one()
    assert tuple(balance) == (-30, -180)


def test_leaderboards_rank_volunteers_teams_and_communities_for_a_period(ledger):
    points = ledger()
    points.credit("o-1", {"v-1": 120, "v-2": 60}, team_id="t-1")
    points.credit("o-2", {"v-3": 300}, team_id="t-2", community="五号街坊")
    points.credit("o-3", {"v-2": 60}, team_id="t-1")
    points.credit("o-4", {"v-1": 600}, completed_at="2026-11-30T08:00:00+00:00")

    with points.rpc() as rpc:
        query = {"from": "2026-12-01", "to": "2026-12-31"}
        volunteers = rpc.leaderboard(ADMIN, {**query, "community": "铁道家园"})
        teams = rpc.leaderboard(ADMIN, {**query, "by": "team"})
        communities = rpc.leaderboard(ADMIN, {**query, "by": "community"})

    assert [
        (i["rank"], i["volunteer_id"], i["points"], i["minutes"])
        for i in volunteers["items"]
    ] == [(1, "v-1", 20, 120), (1, "v-2", 20, 120)]
    assert [(i["rank"], i["team_id"], i["points"]) for i in teams["items"]] == [
        (1, "t-2", 50),
        (2, "t-1", 40),
    ]
    assert [(i["community"], i["points"]) for i in communities["items"]] == [
        ("五号街坊", 50),
        ("铁道家园", 40),
    ]


def test_a_debit_takes_the_points_and_a_debit_beyond_the_balance_is_refused(ledger):
    points = ledger()
    points.credit("o-1", {"v-1": 120})
    answers = Listener(points.amqp_uri, "points.events")

    points.send("inventory.events", stock_reserved("r-1", "v-1", 15))
    points.send("inventory.events", stock_reserved("r-2", "v-1", 6))

    debited, rejected = debit_answers(answers, 2)
    assert (debited["type"], debited["data"]["balance"]) == ("PointsDebited", 5)
    assert rejected["type"] == "PointsDebitRejected"
    assert rejected["data"]["reason"] == "a balance of 5 does not pay 6"
    with points.rpc() as rpc:
        statement = rpc.get_points(ADMIN, "v-1")
    # spending points never lowers certified minutes
    assert (statement["balance"], statement["certified_minutes"]) == (5, 120)
    answers.close()


def test_a_repeated_request_repeats_the_first_answer_and_debits_once(ledger):
    points = ledger()
    points.credit("o-1", {"v-1": 60})
    answers = Listener(points.amqp_uri, "points.events")

    points.send("inventory.events", stock_reserved("r-1", "v-1", 10))
    points.send("inventory.events", stock_reserved("r-1", "v-1", 10, attempt=2))

    first, again = debit_answers(answers, 2)
    assert first["type"] == again["type"] == "PointsDebited"
    assert first["data"]["transfer_id"] == again["data"]["transfer_id"]
    assert len(points.transfers(kind="redemption_debit")) == 1
    answers.close()


def test_a_cancellation_after_the_debit_gives_the_points_back(ledger):
    points = ledger()
    points.credit("o-1", {"v-1": 60})
    points.send("inventory.events", stock_reserved("r-1", "v-1", 10))
    wait_for(lambda: points.transfers(kind="redemption_debit"))

    points.send("inventory.events", redemption_cancelled("r-1", "v-1", 10))

    wait_for(lambda: points.transfers(kind="redemption_refund"), message="refund")
    assert points.balance("v-1") == 10


def test_a_cancellation_before_the_request_bars_any_later_debit(ledger):
    points = ledger()
    points.credit("o-1", {"v-1": 60})
    answers = Listener(points.amqp_uri, "points.events")

    points.send("inventory.events", redemption_cancelled("r-1", "v-1", 10))
    points.send("inventory.events", stock_reserved("r-1", "v-1", 10))

    [answer] = debit_answers(answers, 1)
    assert answer["type"] == "PointsDebitRejected"
    assert points.balance("v-1") == 10
    assert points.transfers(kind="redemption_debit") == []
    answers.close()


def test_a_reversal_undoes_a_credit_once_with_its_reason_and_author(ledger):
    points = ledger()
    points.credit("o-1", {"v-1": 90})
    [credit] = points.transfers(order_id="o-1")

    with points.rpc() as rpc:
        entry = rpc.reverse_transfer(ADMIN, credit.id, {"reason": "时长填错"})
        with pytest.raises(RemoteError) as again:
            rpc.reverse_transfer(ADMIN, credit.id, {"reason": "twice"})
        statement = rpc.get_points(ADMIN, "v-1")

    assert (entry["amount"], entry["reverses"], entry["reason"], entry["author"]) == (
        -15,
        credit.id,
        "时长填错",
        "u-admin",
    )
    assert again.value.exc_type == "NotReversible"
    assert (statement["balance"], statement["certified_minutes"]) == (0, 0)


def test_a_reversal_run_again_under_its_key_answers_with_the_first(ledger):
    # the answer to the first run was lost and the caller retried with the
    # same Idempotency-Key: the same reversal, not a 409
    points = ledger()
    points.credit("o-1", {"v-1": 90})
    [credit] = points.transfers(order_id="o-1")

    with points.rpc(command_key="k-1") as rpc:
        first = rpc.reverse_transfer(ADMIN, credit.id, {"reason": "时长填错"})
        again = rpc.reverse_transfer(ADMIN, credit.id, {"reason": "时长填错"})
    with points.rpc(command_key="k-2") as rpc, pytest.raises(RemoteError) as other:
        rpc.reverse_transfer(ADMIN, credit.id, {"reason": "时长填错"})

    assert again == first
    assert other.value.exc_type == "NotReversible"
    assert len(points.transfers(kind="reversal")) == 1
    assert points.balance("v-1") == 0


def test_spent_points_cannot_be_reversed_below_zero(ledger):
    points = ledger()
    points.credit("o-1", {"v-1": 60})
    points.send("inventory.events", stock_reserved("r-1", "v-1", 8))
    wait_for(lambda: points.transfers(kind="redemption_debit"))
    [credit] = points.transfers(order_id="o-1")

    with points.rpc() as rpc, pytest.raises(RemoteError) as refused:
        rpc.reverse_transfer(ADMIN, credit.id, {"reason": "wrong order"})

    assert refused.value.exc_type == "InsufficientPoints"
    assert refused.value.value == (
        f"the points of entry {credit.id} were already spent:"
        " volunteer v-1 has 2 points, fewer than the 10 this needs"
    )
    assert points.balance("v-1") == 2


def test_an_adjustment_moves_points_against_the_adjustment_account(ledger):
    points = ledger()
    points.credit("o-1", {"v-1": 60})

    with points.rpc() as rpc:
        given = rpc.adjust_points(
            ADMIN, {"volunteer_id": "v-1", "points": 5, "reason": "表彰"}
        )
        with pytest.raises(RemoteError) as too_much:
            rpc.adjust_points(
                ADMIN, {"volunteer_id": "v-1", "points": -16, "reason": "误记"}
            )
        with pytest.raises(RemoteError) as not_admin:
            rpc.adjust_points(
                {"user_id": "u-2", "role": "community_staff", "community": "铁道家园"},
                {"volunteer_id": "v-1", "points": 1, "reason": "x"},
            )

    assert (given["kind"], given["amount"], given["reason"]) == (
        "adjustment",
        5,
        "表彰",
    )
    assert too_much.value.exc_type == "InsufficientPoints"
    assert too_much.value.value == (
        "volunteer v-1 has 15 points, fewer than the 16 this needs"
    )
    assert not_admin.value.exc_type == "NotAllowed"
    assert points.balance("v-1") == 15


def test_an_adjustment_run_again_under_its_key_moves_the_points_once(ledger):
    # what the gateway does for a retry with the same Idempotency-Key after
    # the first answer was lost (a 503): the command arrives a second time
    points = ledger()
    points.credit("o-1", {"v-1": 60})
    body = {"volunteer_id": "v-1", "points": 5, "reason": "表彰"}

    with points.rpc(command_key="k-1") as rpc:
        first = rpc.adjust_points(ADMIN, body)
        again = rpc.adjust_points(ADMIN, body)
    with points.rpc(command_key="k-2") as rpc:
        other = rpc.adjust_points(ADMIN, body)

    assert again == first
    assert other["transfer_id"] != first["transfer_id"]
    assert len(points.transfers(kind="adjustment")) == 2
    assert points.balance("v-1") == 20


def test_a_statement_pages_through_every_entry_once_with_a_cursor(ledger):
    points = ledger()
    for n in range(5):
        points.credit(f"o-{n}", {"v-1": 60})

    pages, cursor = [], None
    with points.rpc() as rpc:
        while True:
            page = rpc.get_points(ADMIN, "v-1", {"limit": 2, "cursor": cursor})
            pages.append([e["order_id"] for e in page["entries"]])
            cursor = page["next_cursor"]
            if cursor is None:
                break

    assert [len(p) for p in pages] == [2, 2, 1]
    assert sorted(sum(pages, [])) == [f"o-{n}" for n in range(5)]


def test_staff_see_only_the_points_of_volunteers_of_their_community(ledger):
    points = ledger()
    points.send(
        "teams.events",
        Envelope(
            type="VolunteerRegistered",
            source="/services/teams",
            data={"volunteer_id": "v-1", "name": "李雷", "community": "铁道家园"},
        ),
    )
    points.credit("o-1", {"v-1": 60})
    wait_for(lambda: points.balance("v-1") == 10)
    own = {"user_id": "u-2", "role": "community_staff", "community": "铁道家园"}
    other = {"user_id": "u-3", "role": "community_staff", "community": "五号街坊"}

    with points.rpc() as rpc:
        wait_for(lambda: rpc.get_points(own, "v-1")["balance"] == 10)
        with pytest.raises(RemoteError) as refused:
            rpc.get_points(other, "v-1")

    assert refused.value.exc_type == "NotAllowed"


def test_a_rate_may_only_take_effect_after_today(ledger):
    points = ledger()

    with points.rpc() as rpc:
        with pytest.raises(RemoteError) as past:
            rpc.set_rate(
                ADMIN,
                {
                    "category": "助老",
                    "points_per_hour": 20,
                    "effective_from": "2020-01-01",
                },
            )
        future = rpc.set_rate(
            ADMIN,
            {"category": "助老", "points_per_hour": 20, "effective_from": "2999-01-01"},
        )
        rates = rpc.list_rates(ADMIN)["items"]

    assert past.value.exc_type == "RateNotAllowed"
    assert future["points_per_hour"] == 20
    assert [(r["category"], r["effective_from"]) for r in rates] == [
        ("*", "2000-01-01"),
        ("助老", "2999-01-01"),
    ]
