"""Invariants of the points ledger, checked from its tables alone.

`check_ledger(db)` takes a database URL or an SQLAlchemy engine of the points
service and returns the violations it finds (an empty list when every
invariant holds). It reads; it never writes. `ops/invariants.py` combines it
with the inventory's checks and the checks across services.
"""

from collections import defaultdict

from sqlalchemy import select

from eventing.audit import Violation, session_for
from services.points import rules
from services.points.models import (
    ANY_CATEGORY,
    DEBITED,
    ORDER_CREDIT,
    REDEMPTION_DEBIT,
    REDEMPTION_REFUND,
    REVERSAL,
    VOLUNTEER,
    Account,
    Rate,
    RedemptionDebit,
    Transfer,
)


def check_ledger(db):
    """Every invariant of the points ledger; [] when all hold."""
    with session_for(db) as session:
        accounts = session.scalars(select(Account)).all()
        transfers = session.scalars(select(Transfer)).all()
        rates = session.scalars(select(Rate)).all()
        answers = session.scalars(select(RedemptionDebit)).all()
    return [
        *_sums_to_zero(accounts),
        *_no_negative_balance(accounts),
        *_balances_are_sums(accounts, transfers),
        *_credits_explained(transfers, rates),
        *_reversals_mirror(transfers),
        *_redemptions_answered_once(transfers, answers),
    ]


def _sums_to_zero(accounts):
    points = sum(a.balance for a in accounts)
    minutes = sum(a.certified_minutes for a in accounts)
    if points or minutes:
        yield Violation(
            "ledger_sums_to_zero", f"balances sum to {points}, minutes to {minutes}"
        )


def _no_negative_balance(accounts):
    for a in accounts:
        if a.kind == VOLUNTEER and (a.balance < 0 or a.certified_minutes < 0):
            yield Violation(
                "no_negative_balance",
                f"{a.id} has {a.balance} points, {a.certified_minutes} minutes",
            )


def _balances_are_sums(accounts, transfers):
    points, minutes = defaultdict(int), defaultdict(int)
    for t in transfers:
        points[t.to_account] += t.amount
        points[t.from_account] -= t.amount
        minutes[t.to_account] += t.minutes or 0
        minutes[t.from_account] -= t.minutes or 0
    for a in accounts:
        if (a.balance, a.certified_minutes) != (points[a.id], minutes[a.id]):
            yield Violation(
                "balance_is_sum_of_transfers",
                f"{a.id} says {a.balance} points and {a.certified_minutes} minutes;"
                f" its transfers give {points[a.id]} and {minutes[a.id]}",
            )


def _credits_explained(transfers, rates):
    rows = {(r.category, r.effective_from): r for r in rates}
    for t in transfers:
        if t.kind == ORDER_CREDIT:
            problem = _credit_problem(t, rows)
            if problem:
                yield Violation("credit_traceable", f"credit {t.id}: {problem}")


def _credit_problem(t, rates):
    if not (t.order_id and t.minutes and t.volunteer_id and t.earned_on):
        return "names no order, volunteer, minutes or completion day"
    if t.dedupe_key != f"{ORDER_CREDIT}:{t.order_id}:{t.volunteer_id}":
        return f"keyed {t.dedupe_key!r}, not by its order and volunteer"
    if t.uncapped_points != rules.points_for(t.minutes, t.rate_per_hour):
        return (
            f"{t.minutes} minutes at {t.rate_per_hour} do not earn {t.uncapped_points}"
        )
    if t.amount > t.uncapped_points or (t.amount < t.uncapped_points) != bool(
        t.cap_rule
    ):
        return f"pays {t.amount} of {t.uncapped_points} with cap {t.cap_rule}"
    rate = rates.get((t.rate_category, t.rate_since))
    if rate is None or rate.points_per_hour != t.rate_per_hour:
        return (
            f"no rate row {t.rate_category} since {t.rate_since} at {t.rate_per_hour}"
        )
    if _rate_in_force(rates, t.category, t.earned_on) is not rate:
        return f"the rate in force for {t.category} on {t.earned_on} is another"
    return None


def _rate_in_force(rates, category, day):
    for candidate in (category, ANY_CATEGORY):
        since = [d for c, d in rates if c == candidate and d <= day]
        if since:
            return rates[(candidate, max(since))]
    return None


def _reversals_mirror(transfers):
    by_id = {t.id: t for t in transfers}
    for t in transfers:
        if t.kind != REVERSAL:
            continue
        original = by_id.get(t.reverses)
        if original is None or (
            original.from_account,
            original.to_account,
            original.amount,
            original.minutes,
        ) != (t.to_account, t.from_account, t.amount, t.minutes):
            yield Violation("reversal_mirrors_original", f"reversal {t.id}")


def redemption_net_debits(transfers):
    """Points each redemption took net of refunds, by redemption id."""
    net = defaultdict(int)
    for t in transfers:
        if t.kind == REDEMPTION_DEBIT:
            net[t.redemption_id] += t.amount
        elif t.kind == REDEMPTION_REFUND:
            net[t.redemption_id] -= t.amount
    return net


def _redemptions_answered_once(transfers, answers):
    net = redemption_net_debits(transfers)
    for answer in answers:
        paid = net.pop(answer.redemption_id, 0)
        refunded = answer.refund_id is not None
        expected = answer.points if answer.outcome == DEBITED and not refunded else 0
        if paid != expected:
            yield Violation(
                "redemption_debited_once",
                f"redemption {answer.redemption_id} ({answer.outcome},"
                f" refunded={refunded}) took {paid} points, not {expected}",
            )
    for redemption_id, paid in net.items():
        yield Violation(
            "redemption_debited_once",
            f"redemption {redemption_id} moved {paid} points without an answer",
        )


def load_redemption_debits(db):
    """Net points per redemption and the ledger's answers, for cross-checks."""
    with session_for(db) as session:
        transfers = session.scalars(
            select(Transfer).where(
                Transfer.kind.in_([REDEMPTION_DEBIT, REDEMPTION_REFUND])
            )
        ).all()
        answers = session.scalars(select(RedemptionDebit)).all()
    return redemption_net_debits(transfers), {a.redemption_id: a for a in answers}


def load_credits(db):
    """(order_id, volunteer_id) -> minutes of every credit ever made (a later
    reversal corrects the points; the credit still answered the order)."""
    with session_for(db) as session:
        rows = session.execute(
            select(Transfer.order_id, Transfer.volunteer_id, Transfer.minutes).where(
                Transfer.kind == ORDER_CREDIT
            )
        )
        return {(order_id, v): minutes for order_id, v, minutes in rows}
