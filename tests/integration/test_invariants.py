"""The invariant checker finds each kind of damage it names, and nothing in
healthy data. Data is made by the services' own domain functions on real
PostgreSQL databases, then damaged by hand."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from eventing.database import UnitOfWork
from eventing.identity import Caller
from ops.cli import main
from ops.invariants import InvariantsBroken, assert_invariants, check_all
from services.inventory import catalogue, donations, redemptions
from services.inventory.models import Base as InventoryBase
from services.orders.models import Assignment, Order
from services.points import credits, rates
from services.points import redemptions as debits
from services.points.models import Base as PointsBase
from services.points.rules import Caps

pytestmark = pytest.mark.integration

ADMIN = Caller(user_id="u-admin", role="admin")
DISTRICT = ZoneInfo("Asia/Shanghai")
TIMING = redemptions.Timing(timedelta(seconds=30), timedelta(minutes=10))


class Databases:
    def __init__(self, make_database):
        self.points = create_engine(make_database("points"))
        self.inventory = create_engine(make_database("inventory"))
        self.orders = create_engine(make_database("orders"))

    def work(self, engine, base, service, fn, *args):
        """Run a domain function in one transaction, as its service would."""
        tables = base.metadata.tables
        with Session(engine, expire_on_commit=False) as session, session.begin():
            uow = UnitOfWork(session, service, tables["outbox"], tables["inbox"])
            return fn(uow, *args)

    def sql(self, engine, statement, **params):
        with engine.begin() as conn:
            conn.execute(text(statement), params)

    def rules_broken(self, settled=True):
        found = check_all(self.points, self.inventory, self.orders, settled=settled)
        return sorted({v.rule for v in found})


@pytest.fixture
def dbs(make_database):
    dbs = Databases(make_database)
    with Session(dbs.points) as session, session.begin():
        rates.seed(session, 10, {})
    yield dbs
    for engine in (dbs.points, dbs.inventory, dbs.orders):
        engine.dispose()


def complete_order(dbs, order_id, volunteer_id, minutes):
    """An order confirmed in the orders database and credited in the ledger."""
    now = datetime.now(UTC)
    with Session(dbs.orders) as session, session.begin():
        session.add(
            Order(
                id=order_id,
                resident_id="r-1",
                entered_by="r-1",
                category="助老",
                title="陪老人聊天",
                description="",
                community="铁道家园",
                address="长江路12号",
                status="completed",
                team_id="t-1",
                placed_at=now,
                updated_at=now,
                assignments=[Assignment(volunteer_id=volunteer_id, minutes=minutes)],
            )
        )
    order = {
        "order_id": order_id,
        "category": "助老",
        "community": "铁道家园",
        "team_id": "t-1",
        "minutes": {volunteer_id: minutes},
        "completed_at": now.isoformat(),
    }
    dbs.work(
        dbs.points,
        PointsBase,
        "points",
        credits.credit_order,
        "e-1",
        order,
        Caps(),
        DISTRICT,
    )


def stocked_bank(dbs, quantity=5):
    def arrange(uow):
        bank_id = catalogue.open_bank(
            uow.session, ADMIN, {"name": "银行", "community": "铁道家园"}
        )
        donor = catalogue.register_donor(
            uow.session, ADMIN, {"name": "华润", "kind": "company"}
        )
        item = catalogue.add_item(
            uow.session,
            ADMIN,
            {
                "name": "大米",
                "unit": "袋",
                "points_price": 10,
                "free_only": False,
                "low_stock_threshold": 0,
                "category": None,
            },
        )
        uow.session.flush()
        donations.record_donation(
            uow,
            ADMIN,
            bank_id,
            {
                "donor_id": donor.id,
                "lines": [{"item_id": item.id, "quantity": quantity}],
            },
            datetime.now(DISTRICT).date(),
        )
        return bank_id, item.id

    return dbs.work(dbs.inventory, InventoryBase, "inventory", arrange)


def reserve(dbs, bank_id, item_id, volunteer_id="v-1"):
    fields = {
        "bank_id": bank_id,
        "volunteer_id": volunteer_id,
        "lines": [{"item_id": item_id, "quantity": 1}],
    }
    redemption = dbs.work(
        dbs.inventory,
        InventoryBase,
        "inventory",
        redemptions.request,
        ADMIN,
        fields,
        TIMING,
    )
    return {
        "redemption_id": redemption.id,
        "bank_id": bank_id,
        "volunteer_id": volunteer_id,
        "points": redemption.points,
    }


def complete(dbs, request):
    answer = dbs.work(
        dbs.points, PointsBase, "points", debits.debit_for_redemption, "e-2", request
    )
    dbs.work(
        dbs.inventory,
        InventoryBase,
        "inventory",
        redemptions.complete,
        "e-3",
        {**request, "transfer_id": answer.transfer_id},
    )


@pytest.fixture
def healthy(dbs):
    """One credited order and one completed redemption: every invariant holds."""
    complete_order(dbs, "o-1", "v-1", 90)
    bank_id, item_id = stocked_bank(dbs)
    complete(dbs, reserve(dbs, bank_id, item_id))
    return dbs, bank_id, item_id


def test_healthy_data_breaks_no_rule(healthy):
    dbs, _, _ = healthy

    assert dbs.rules_broken() == []
    assert_invariants(dbs.points, dbs.inventory, dbs.orders)


def test_a_balance_changed_without_a_transfer_is_found(healthy):
    dbs, _, _ = healthy

    dbs.sql(
        dbs.points,
        "UPDATE accounts SET balance = balance + 7 WHERE id = 'volunteer:v-1'",
    )

    assert dbs.rules_broken() == ["balance_is_sum_of_transfers", "ledger_sums_to_zero"]


def test_a_negative_balance_is_found_even_without_the_constraint(healthy):
    dbs, _, _ = healthy
    dbs.sql(
        dbs.points,
        "ALTER TABLE accounts DROP CONSTRAINT volunteer_balance_not_negative",
    )

    dbs.sql(
        dbs.points,
        "UPDATE accounts SET balance = balance - 20"
        " WHERE id IN ('volunteer:v-1', 'district:issuing')",
    )

    assert "no_negative_balance" in dbs.rules_broken()


def test_a_credit_not_explained_by_its_minutes_and_rate_is_found(healthy):
    dbs, _, _ = healthy

    dbs.sql(
        dbs.points,
        "UPDATE transfers SET rate_per_hour = 12 WHERE kind = 'order_credit'",
    )

    assert dbs.rules_broken() == ["credit_traceable"]


def test_a_credit_at_a_rate_not_in_force_that_day_is_found(healthy):
    dbs, _, _ = healthy

    dbs.sql(
        dbs.points,
        "INSERT INTO rates VALUES ('助老', '2001-01-01', 10, 'u-admin', now())",
    )

    assert dbs.rules_broken() == ["credit_traceable"]


def test_a_credit_for_minutes_the_order_never_confirmed_is_found(healthy):
    dbs, _, _ = healthy

    dbs.sql(dbs.orders, "UPDATE assignments SET minutes = 60")

    assert dbs.rules_broken() == ["credit_matches_order"]


def test_a_confirmed_order_left_uncredited_is_found_once_settled(dbs):
    complete_order(dbs, "o-1", "v-1", 90)

    dbs.sql(dbs.points, "DELETE FROM transfers")
    dbs.sql(dbs.points, "UPDATE accounts SET balance = 0, certified_minutes = 0")

    assert dbs.rules_broken(settled=False) == []
    assert dbs.rules_broken(settled=True) == ["credit_matches_order"]


def test_stock_changed_outside_its_history_is_found(healthy):
    dbs, _, _ = healthy

    dbs.sql(dbs.inventory, "UPDATE stock SET quantity = quantity + 1")

    assert dbs.rules_broken() == ["lots_match_stock", "stock_is_sum_of_history"]


def test_a_redemption_both_completed_and_released_is_found(healthy):
    dbs, bank_id, item_id = healthy

    dbs.sql(
        dbs.inventory,
        "INSERT INTO stock_movements (bank_id, item_id, delta, kind, ref_id,"
        " quantity_after, by, at)"
        " SELECT :b, :i, 1, 'release', id, 5, 'system', now() FROM redemptions",
        b=bank_id,
        i=item_id,
    )
    dbs.sql(dbs.inventory, "UPDATE stock SET quantity = quantity + 1")

    assert "redemption_settled_once" in dbs.rules_broken()


def test_a_completed_redemption_the_ledger_never_debited_is_found(healthy):
    dbs, _, _ = healthy

    # a ledger that is whole by itself, but says it refused the redemption
    dbs.sql(
        dbs.points,
        "UPDATE redemption_debits SET outcome = 'rejected', transfer_id = NULL",
    )
    dbs.sql(dbs.points, "DELETE FROM transfers WHERE kind = 'redemption_debit'")
    dbs.sql(dbs.points, "UPDATE accounts SET balance = 15 WHERE kind = 'volunteer'")
    dbs.sql(dbs.points, "UPDATE accounts SET balance = 0 WHERE kind = 'redemption'")

    assert dbs.rules_broken() == ["redemption_paid"]
    with pytest.raises(InvariantsBroken, match="redemption_paid"):
        assert_invariants(dbs.points, dbs.inventory, dbs.orders)


def test_a_pending_redemption_is_only_a_fault_once_the_system_is_quiet(healthy):
    dbs, bank_id, item_id = healthy

    reserve(dbs, bank_id, item_id)

    assert dbs.rules_broken(settled=False) == []
    assert dbs.rules_broken(settled=True) == ["redemption_settled_once"]


def test_operators_run_the_same_checks_from_the_command_line(healthy):
    dbs, _, _ = healthy
    env = {
        "POINTS_DATABASE_URL": dbs.points.url.render_as_string(hide_password=False),
        "INVENTORY_DATABASE_URL": dbs.inventory.url.render_as_string(False),
        "ORDERS_DATABASE_URL": dbs.orders.url.render_as_string(False),
    }

    clean = CliRunner().invoke(main, ["audit"], env=env)
    dbs.sql(dbs.inventory, "UPDATE stock SET quantity = quantity + 1")
    broken = CliRunner().invoke(main, ["audit"], env=env)

    assert (clean.exit_code, clean.output) == (0, "every invariant holds\n")
    assert broken.exit_code == 1
    assert "stock_is_sum_of_history" in broken.output
