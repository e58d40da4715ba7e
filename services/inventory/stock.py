"""Stock moves only through here: one history row per change, the projection
updated in the same statement that checks it, and the donors' lots drawn first
in, first out.

`take` guards its update (`WHERE quantity >= n`) and the CHECK constraint
backs it, so two takes racing for the last units serialise on the stock row
and the second finds too few. Lots of one bank and item are only touched while
that stock row is locked by the same transaction.
"""

import logging
from datetime import UTC, datetime

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from services.inventory.exceptions import OutOfStock
from services.inventory.models import (
    PENDING,
    Item,
    Lot,
    LotDraw,
    Redemption,
    RedemptionLine,
    Stock,
    StockMovement,
)

logger = logging.getLogger(__name__)


def now():
    return datetime.now(UTC)


def dialect_insert(session):
    dialect = session.get_bind().dialect.name
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


def _change(session, bank_id, item_id, delta):
    """Add delta to the stock row (creating it); None if it would go below zero."""
    session.execute(
        dialect_insert(session)(Stock)
        .values(bank_id=bank_id, item_id=item_id, quantity=0)
        .on_conflict_do_nothing()
    )
    stmt = update(Stock).where(Stock.bank_id == bank_id, Stock.item_id == item_id)
    if delta < 0:
        stmt = stmt.where(Stock.quantity >= -delta)
    stmt = stmt.values(quantity=Stock.quantity + delta).returning(Stock.quantity)
    return session.execute(stmt).scalar_one_or_none()


def _record(session, bank_id, item_id, delta, after, **fields):
    movement = StockMovement(
        bank_id=bank_id,
        item_id=item_id,
        delta=delta,
        quantity_after=after,
        at=now(),
        **fields,
    )
    session.add(movement)
    session.flush()
    return movement


def add(uow, bank_id, item, quantity, donor_id=None, donation_id=None, **fields):
    """Put units on the shelf as a new lot; returns the movement."""
    session = uow.session
    after = _change(session, bank_id, item.id, quantity)
    movement = _record(session, bank_id, item.id, quantity, after, **fields)
    session.add(
        Lot(
            bank_id=bank_id,
            item_id=item.id,
            donor_id=donor_id,
            donation_id=donation_id,
            quantity=quantity,
            remaining=quantity,
        )
    )
    return movement


def take(uow, bank_id, item, quantity, **fields):
    """Take units off the shelf, oldest lots first; raises OutOfStock.
    Emits StockLow when this take crosses the item's threshold."""
    session = uow.session
    after = _change(session, bank_id, item.id, -quantity)
    if after is None:
        raise OutOfStock(f"fewer than {quantity} {item.unit} of {item.name} in stock")
    movement = _record(session, bank_id, item.id, -quantity, after, **fields)
    _draw(session, movement, quantity)
    threshold = item.low_stock_threshold
    if after < threshold <= after + quantity:
        _announce_low(uow, bank_id, item, after)
    return movement


def _draw(session, movement, quantity):
    # columns, not entities: a lot already in the session may be stale
    lots = session.execute(
        select(Lot.seq, Lot.remaining)
        .where(
            Lot.bank_id == movement.bank_id,
            Lot.item_id == movement.item_id,
            Lot.remaining > 0,
        )
        .order_by(Lot.seq)
    ).all()
    left = quantity
    for seq, remaining in lots:
        taken = min(remaining, left)
        _draw_lot(session, movement, seq, taken)
        left -= taken
        if left == 0:
            return
    # the stock row said the units were there: the lots must hold them too
    raise RuntimeError(f"lots of stock row {movement.bank_id}/{movement.item_id} short")


def _draw_lot(session, movement, lot_seq, quantity):
    session.execute(
        update(Lot)
        .where(Lot.seq == lot_seq)
        .values(remaining=Lot.remaining - quantity)
        .execution_options(synchronize_session=False)
    )
    session.add(LotDraw(movement_seq=movement.seq, lot_seq=lot_seq, quantity=quantity))


def give_back(uow, taken, **fields):
    """Return what a take took, to the very lots it came from."""
    session = uow.session
    quantity = -taken.delta
    after = _change(session, taken.bank_id, taken.item_id, quantity)
    movement = _record(session, taken.bank_id, taken.item_id, quantity, after, **fields)
    draws = session.scalars(select(LotDraw).where(LotDraw.movement_seq == taken.seq))
    for draw in list(draws):
        _draw_lot(session, movement, draw.lot_seq, -draw.quantity)
    return movement


def _announce_low(uow, bank_id, item, quantity):
    uow.emit(
        "StockLow",
        {
            "bank_id": bank_id,
            "item_id": item.id,
            "item_name": item.name,
            "quantity": quantity,
            "threshold": item.low_stock_threshold,
        },
        subject=item.id,
    )
    logger.warning(
        "stock low bank_id=%s item_id=%s quantity=%d threshold=%d",
        bank_id,
        item.id,
        quantity,
        item.low_stock_threshold,
    )


def lock_row(session, bank_id, item_id):
    """The stock row, locked, created at zero if the bank never held the item."""
    session.execute(
        dialect_insert(session)(Stock)
        .values(bank_id=bank_id, item_id=item_id, quantity=0)
        .on_conflict_do_nothing()
    )
    return session.scalars(
        select(Stock)
        .where(Stock.bank_id == bank_id, Stock.item_id == item_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def reserved(session, bank_id, item_ids=None):
    """Units held by pending redemptions, by item: taken from stock, still
    on the shelf until the redemption completes."""
    query = (
        select(RedemptionLine.item_id, func.sum(RedemptionLine.quantity))
        .join(Redemption)
        .where(Redemption.bank_id == bank_id, Redemption.status == PENDING)
        .group_by(RedemptionLine.item_id)
    )
    if item_ids is not None:
        query = query.where(RedemptionLine.item_id.in_(item_ids))
    return {item_id: int(units) for item_id, units in session.execute(query)}


def bank_stock(session, bank_id):
    """Every item the bank holds or held, with what is left."""
    rows = session.execute(
        select(Stock.quantity, Item)
        .join(Item, Item.id == Stock.item_id)
        .where(Stock.bank_id == bank_id)
        .order_by(Item.name, Item.id)
    ).all()
    return [
        {
            "item_id": item.id,
            "name": item.name,
            "unit": item.unit,
            "quantity": quantity,
            "points_price": item.points_price,
            "free_only": item.free_only,
            "low": quantity < item.low_stock_threshold,
        }
        for quantity, item in rows
    ]
