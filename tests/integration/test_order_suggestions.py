"""Suggested teams: the order's category, in its community or on its street,
fewest open orders first, then best rated, never a team that declined it; and
no order dispatched to a team that does not serve its category."""

from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from eventing.database import UnitOfWork
from eventing.identity import Caller
from services.orders import detours, flow, queries
from services.orders.exceptions import TeamDoesNotServe
from services.orders.models import Base, Order
from tests.helpers import record_known_membership, record_known_team

pytestmark = pytest.mark.integration

RESIDENT = Caller("res-1", "resident")
STAFF = Caller("staff-1", "community_staff", community="铁道家园")
REQUEST = {
    "category": "演出",
    "title": "重阳节慰问演出",
    "description": "为社区老人表演",
    "community": "铁道家园",
    "address": "长江路12号",
}
TEAMS = [
    # id, community, street, categories
    ("rose", "铁道家园", "长江路", ["演出"]),
    ("books", "五号街坊", "长江路", ["演出"]),
    ("hands", "万达", "福华街", ["演出"]),
    ("care", "铁道家园", None, ["助老"]),
    ("model", "建新街", None, ["演出"]),
]


@pytest.fixture
def transaction(make_database):
    engine = create_engine(make_database("orders"))

    @contextmanager
    def transaction():
        with Session(engine, expire_on_commit=False) as session, session.begin():
            yield UnitOfWork(session, "orders", Base.metadata.tables["outbox"], None)

    with transaction() as uow:
        for team_id, community, street, categories in TEAMS:
            record_known_team(
                uow.session,
                {
                    "team_id": team_id,
                    "name": team_id,
                    "community": community,
                    "street": street,
                    "categories": categories,
                },
            )
            record_known_membership(
                uow.session, {"team_id": team_id, "volunteer_id": f"{team_id}-v"}
            )
    yield transaction
    engine.dispose()


def place(transaction):
    with transaction() as uow:
        return flow.place_order(uow, RESIDENT, REQUEST).id


def serve(transaction, team_id, stars=None):
    """An order the team served, rated when `stars` is given."""
    order_id = place(transaction)
    leader = Caller(f"{team_id}-lead", "team_leader", team_id=team_id)
    with transaction() as uow:
        flow.dispatch_order(uow, STAFF, order_id, team_id)
        flow.accept_order(uow, leader, order_id, [f"{team_id}-v"])
        if stars is None:
            return order_id
        flow.report_service(uow, leader, order_id, {f"{team_id}-v": 60})
        flow.confirm_order(uow, STAFF, order_id)
        flow.rate_order(uow, RESIDENT, order_id, stars, None)
    return order_id


def suggest(transaction, order_id):
    with transaction() as uow:
        return queries.suggested_teams(uow.session, STAFF, order_id)["items"]


def test_teams_of_the_category_in_the_community_or_on_its_street_are_suggested(
    transaction,
):
    order_id = place(transaction)

    suggested = suggest(transaction, order_id)

    assert [t["team_id"] for t in suggested] == ["rose", "books"]
    assert [t["same_community"] for t in suggested] == [True, False]
    assert suggested[1]["street"] == "长江路"


def test_fewer_open_orders_come_first_then_the_better_average_rating(transaction):
    serve(transaction, "rose", stars=3)
    serve(transaction, "rose", stars=4)
    serve(transaction, "books", stars=5)
    order_id = place(transaction)

    rated = suggest(transaction, order_id)
    serve(transaction, "books")
    loaded = suggest(transaction, order_id)

    assert [(t["team_id"], t["average_rating"], t["ratings"]) for t in rated] == [
        ("books", 5.0, 1),
        ("rose", 3.5, 2),
    ]
    assert [(t["team_id"], t["open_orders"]) for t in loaded] == [
        ("rose", 0),
        ("books", 1),
    ]


def test_a_team_that_declined_the_order_is_not_suggested_for_it_again(transaction):
    order_id = place(transaction)
    leader = Caller("rose-lead", "team_leader", team_id="rose")
    with transaction() as uow:
        flow.dispatch_order(uow, STAFF, order_id, "rose")
        detours.decline_order(uow, leader, order_id, "排练冲突")

    suggested = suggest(transaction, order_id)

    assert [t["team_id"] for t in suggested] == ["books"]
    assert [t["team_id"] for t in suggest(transaction, place(transaction))] == [
        "rose",
        "books",
    ]


def test_an_order_is_not_dispatched_to_a_team_that_does_not_serve_its_category(
    transaction,
):
    order_id = place(transaction)

    with pytest.raises(TeamDoesNotServe) as refused, transaction() as uow:
        flow.dispatch_order(uow, STAFF, order_id, "care")
    with transaction() as uow:
        order = uow.session.get(Order, order_id)
        outbox = Base.metadata.tables["outbox"]
        events = uow.session.scalar(select(func.count()).select_from(outbox))

    assert str(refused.value) == "team care does not serve 演出 (it serves 助老)"
    assert (order.status, order.team_id) == ("placed", None)
    assert events == 1  # OrderPlaced alone
