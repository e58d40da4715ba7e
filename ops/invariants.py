"""The system's money-like invariants, checked from the services' databases.

For tests, fault injection, load-test reconciliation and operators
(`volunteer-platform audit`):

    check_all(points, inventory=None, orders=None, settled=True)
        -> list[Violation]          (empty when every invariant holds)
    assert_invariants(points, inventory=None, orders=None, settled=True)
        -> None, or raises InvariantsBroken listing every violation

Each database is given as a URL or an SQLAlchemy engine. `settled=True` says
the system is quiet (no event in flight): a redemption still pending, a
cancelled one not yet refunded, or a completed order not yet credited is then
a violation too; with `settled=False` only what can never be right is.

The rules, by name:
- points alone (services/points/audit.py): ledger_sums_to_zero,
  no_negative_balance, balance_is_sum_of_transfers, credit_traceable (rate in
  force on the completion day, caps recorded, one key per order and
  volunteer), reversal_mirrors_original, redemption_debited_once;
- inventory alone (services/inventory/audit.py): stock_never_negative,
  stock_is_sum_of_history, lots_match_draws, lots_match_stock,
  redemption_settled_once (never both completed and released);
- across services, here: redemption_paid (a completed redemption paid once,
  a cancelled one left no points taken, every answer names a redemption) and
  credit_matches_order (every credit is an order's confirmed minutes; once
  settled, every confirmed minute is credited).
"""

from sqlalchemy import select

from eventing.audit import Violation, session_for
from services.inventory.audit import check_stock, load_redemptions
from services.inventory.models import CANCELLED, COMPLETED, PENDING
from services.orders import lifecycle
from services.orders.models import Assignment, Order
from services.points.audit import check_ledger, load_credits, load_redemption_debits

__all__ = ["InvariantsBroken", "Violation", "assert_invariants", "check_all"]

CONFIRMED = (lifecycle.COMPLETED, lifecycle.RATED)


class InvariantsBroken(AssertionError):
    """At least one invariant does not hold; the message lists each one."""

    def __init__(self, violations):
        self.violations = violations
        super().__init__("\n".join(str(v) for v in violations))


def check_all(points, inventory=None, orders=None, settled=True):
    """Every invariant the given databases allow checking; [] when all hold."""
    violations = check_ledger(points)
    if inventory is not None:
        violations += check_stock(inventory, settled=settled)
        violations += check_redemptions_paid(points, inventory, settled)
    if orders is not None:
        violations += check_credits_match_orders(points, orders, settled)
    return violations


def assert_invariants(points, inventory=None, orders=None, settled=True):
    violations = check_all(points, inventory, orders, settled)
    if violations:
        raise InvariantsBroken(violations)


def check_redemptions_paid(points, inventory, settled=True):
    """A completed redemption took its points once; a cancelled one took none."""
    net, answers = load_redemption_debits(points)
    redemptions = load_redemptions(inventory)
    violations = [
        Violation("redemption_paid", f"the ledger answered unknown redemption {rid}")
        for rid in sorted(set(answers) - set(redemptions))
    ]
    for r in redemptions.values():
        paid = net.get(r.id, 0)
        allowed = {
            COMPLETED: {r.points},
            CANCELLED: {0} if settled else {0, r.points},
            PENDING: {0, r.points},
        }[r.status]
        if paid not in allowed:
            violations.append(
                Violation(
                    "redemption_paid",
                    f"{r.status} redemption {r.id} of {r.points} points took {paid}",
                )
            )
        answer = answers.get(r.id)
        if r.status == COMPLETED and (
            answer is None or answer.transfer_id != r.transfer_id
        ):
            violations.append(
                Violation("redemption_paid", f"redemption {r.id} names another debit")
            )
    return violations


def check_credits_match_orders(points, orders, settled=True):
    """Every credit is a confirmed order's minutes for that volunteer."""
    credits = load_credits(points)
    with session_for(orders) as session:
        served = {
            (a.order_id, a.volunteer_id): a.minutes
            for a in session.scalars(
                select(Assignment)
                .join(Order)
                .where(Order.status.in_(CONFIRMED), Assignment.minutes.is_not(None))
            )
        }
    violations = [
        Violation(
            "credit_matches_order",
            f"credit of {minutes} minutes for {key} matches no confirmed minutes",
        )
        for key, minutes in sorted(credits.items())
        if served.get(key) != minutes
    ]
    if settled:
        violations += [
            Violation("credit_matches_order", f"confirmed minutes {key} not credited")
            for key in sorted(set(served) - set(credits))
        ]
    return violations
