"""Stock-takes: counted quantities for some items, the difference booked as
an adjustment with the reason given.

Goods reserved for pending redemptions are still on the shelf, so what the
count is compared with is the stock plus those reservations; the stock row is
locked first, so no reservation slips in between the comparison and the
booking.
"""

import logging

from services.inventory import catalogue, policy, stock
from services.inventory.exceptions import CountBelowReserved
from services.inventory.models import STOCKTAKE, Stocktake

logger = logging.getLogger(__name__)


def take_stock(uow, caller, bank_id, fields):
    """Book counted quantities against expected ones; emits StockAdjusted."""
    session = uow.session
    bank = catalogue.get_bank(session, bank_id)
    policy.check_operates(caller, bank)
    items = catalogue.items_for(
        session, [{"item_id": c["item_id"]} for c in fields["counts"]]
    )
    stocktake = Stocktake(
        id=catalogue.new_id(),
        bank_id=bank.id,
        reason=fields["reason"],
        counted_by=caller.user_id,
        counted_at=stock.now(),
    )
    session.add(stocktake)
    counted = sorted((c["item_id"], c["quantity"]) for c in fields["counts"])
    lines = [_book(uow, stocktake, items[i], q) for i, q in counted]
    uow.emit(
        "StockAdjusted",
        {
            "stocktake_id": stocktake.id,
            "bank_id": bank.id,
            "reason": stocktake.reason,
            "counted_by": caller.user_id,
            "lines": lines,
        },
        subject=stocktake.id,
    )
    logger.info(
        "stock taken stocktake_id=%s bank_id=%s items=%d",
        stocktake.id,
        bank.id,
        len(lines),
    )
    return stocktake, lines


def _book(uow, stocktake, item, counted):
    row = stock.lock_row(uow.session, stocktake.bank_id, item.id)
    held = stock.reserved(uow.session, stocktake.bank_id, [item.id]).get(item.id, 0)
    if counted < held:
        raise CountBelowReserved(
            f"{counted} {item.unit} of {item.name} counted, but pending"
            f" redemptions hold {held}"
        )
    difference = counted - (row.quantity + held)
    booking = dict(
        kind=STOCKTAKE,
        ref_id=stocktake.id,
        by=stocktake.counted_by,
        reason=stocktake.reason,
    )
    if difference > 0:
        stock.add(uow, stocktake.bank_id, item, difference, **booking)
    elif difference < 0:
        stock.take(uow, stocktake.bank_id, item, -difference, **booking)
    return {"item_id": item.id, "counted": counted, "difference": difference}
