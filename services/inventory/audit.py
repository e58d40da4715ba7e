"""Invariants of the banks' stock and redemptions, checked from the inventory
tables alone.

`check_stock(db, settled=False)` takes a database URL or an SQLAlchemy engine
of the inventory service and returns the violations it finds (an empty list
when every invariant holds). With `settled=True` a redemption still pending
is a violation too: use it once the system is quiet. It reads; it never
writes.
"""

from collections import defaultdict

from sqlalchemy import select

from eventing.audit import Violation, session_for
from services.inventory.models import (
    CANCELLED,
    COMPLETED,
    PENDING,
    RELEASE,
    RESERVATION,
    Lot,
    LotDraw,
    Redemption,
    RedemptionLine,
    Stock,
    StockMovement,
)


def check_stock(db, settled=False):
    """Every invariant of the stock history and the redemptions; [] if all hold."""
    with session_for(db) as session:
        stock = session.scalars(select(Stock)).all()
        movements = session.scalars(select(StockMovement).order_by("seq")).all()
        lots = session.scalars(select(Lot)).all()
        draws = session.scalars(select(LotDraw)).all()
        redemptions = session.scalars(select(Redemption)).all()
        lines = session.scalars(select(RedemptionLine)).all()
    return [
        *_history_adds_up(stock, movements),
        *_lots_add_up(stock, lots, draws),
        *_redemptions_settled_once(redemptions, lines, movements, settled),
    ]


def _history_adds_up(stock, movements):
    """Stock is the sum of its history, and no prefix of it is negative."""
    running = defaultdict(int)
    for m in movements:
        key = (m.bank_id, m.item_id)
        running[key] += m.delta
        if running[key] < 0 or running[key] != m.quantity_after:
            yield Violation(
                "stock_never_negative",
                f"movement {m.seq} leaves {key} at {running[key]}"
                f" (recorded {m.quantity_after})",
            )
    for row in stock:
        key = (row.bank_id, row.item_id)
        history = running.pop(key, 0)
        if row.quantity < 0 or row.quantity != history:
            yield Violation(
                "stock_is_sum_of_history",
                f"{key} holds {row.quantity}; its history says {history}",
            )
    for key in running:
        yield Violation("stock_is_sum_of_history", f"{key} has history but no stock")


def _lots_add_up(stock, lots, draws):
    drawn = defaultdict(int)
    for d in draws:
        drawn[d.lot_seq] += d.quantity
    on_lots = defaultdict(int)
    for lot in lots:
        on_lots[(lot.bank_id, lot.item_id)] += lot.remaining
        if lot.remaining < 0 or lot.quantity - lot.remaining != drawn[lot.seq]:
            yield Violation(
                "lots_match_draws",
                f"lot {lot.seq}: {lot.quantity} in, {lot.remaining} left,"
                f" {drawn[lot.seq]} drawn",
            )
    for row in stock:
        if on_lots[(row.bank_id, row.item_id)] != row.quantity:
            yield Violation(
                "lots_match_stock",
                f"{(row.bank_id, row.item_id)} holds {row.quantity};"
                f" its lots {on_lots[(row.bank_id, row.item_id)]}",
            )


def _redemptions_settled_once(redemptions, lines, movements, settled):
    reserved, released = defaultdict(dict), defaultdict(dict)
    for m in movements:
        if m.kind == RESERVATION:
            reserved[m.ref_id][m.item_id] = -m.delta
        elif m.kind == RELEASE:
            released[m.ref_id][m.item_id] = m.delta
    asked = defaultdict(dict)
    for line in lines:
        asked[line.redemption_id][line.item_id] = line.quantity
    for r in redemptions:
        problem = _redemption_problem(
            r, asked[r.id], reserved[r.id], released[r.id], settled
        )
        if problem:
            yield Violation("redemption_settled_once", f"redemption {r.id}: {problem}")


def _redemption_problem(redemption, asked, reserved, released, settled):
    if reserved != asked:
        return f"reserved {reserved} for lines {asked}"
    if redemption.status == CANCELLED and released != reserved:
        return f"cancelled, yet released {released} of {reserved}"
    if redemption.status in (COMPLETED, PENDING) and released:
        return f"{redemption.status} and released {released}"
    if redemption.status == PENDING and settled:
        return "still pending"
    if redemption.status not in (PENDING, COMPLETED, CANCELLED):
        return f"unknown status {redemption.status}"
    return None


def load_redemptions(db):
    """Every redemption by id, for the checks across services."""
    with session_for(db) as session:
        return {r.id: r for r in session.scalars(select(Redemption))}
