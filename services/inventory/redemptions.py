"""The redemption saga, inventory's side.

1. A request reserves the goods (stock taken into the redemption, status
   `pending`) and emits StockReserved, all in one transaction.
2. The points ledger answers PointsDebited (the redemption completes:
   RedemptionCompleted) or PointsDebitRejected (the reservation goes back to
   stock: RedemptionCancelled).
3. A redemption still pending at its `next_check_at` is asked about again
   (StockReserved once more, with the next attempt number; the ledger repeats
   its first answer), and one still pending at its `deadline_at` is cancelled.
   The ledger refunds a debit it made for a cancelled redemption, so whichever
   message arrives last, a cancelled redemption ends with its points back.

Every step moves a redemption out of `pending` only under its row lock, so a
redemption is completed or cancelled, never both.
"""

import logging
from dataclasses import dataclass
from datetime import UTC, timedelta

from sqlalchemy import select

from eventing.handlers import Unprocessable
from services.inventory import catalogue, policy, stock
from services.inventory.exceptions import ItemNotRedeemable, RedemptionNotFound
from services.inventory.models import (
    CANCELLED,
    COMPLETED,
    PENDING,
    RELEASE,
    RESERVATION,
    Redemption,
    RedemptionLine,
    StockMovement,
)

logger = logging.getLogger(__name__)

SYSTEM = "system"
TIMED_OUT = "the points ledger did not answer in time"


@dataclass(frozen=True)
class Timing:
    """When a pending redemption is asked about again, and when given up."""

    retry_after: timedelta
    deadline: timedelta

    def next_check(self, moment, attempts, deadline_at):
        wait = self.retry_after * 2 ** (attempts - 1)
        return min(moment + wait, deadline_at)


def request(uow, caller, fields, timing):
    """Reserve the goods for a volunteer; emits StockReserved."""
    session = uow.session
    bank = catalogue.get_bank(session, fields["bank_id"])
    policy.check_may_redeem(caller, bank, fields["volunteer_id"])
    redemption_id = uow.new_id()
    done = session.get(Redemption, redemption_id)
    if done is not None:
        logger.info("redemption requested before redemption_id=%s", redemption_id)
        return done
    items = catalogue.items_for(session, fields["lines"])
    barred = sorted(i.name for i in items.values() if i.free_only)
    if barred:
        raise ItemNotRedeemable(f"only given free, never redeemed: {', '.join(barred)}")
    lines = catalogue.merged(fields["lines"])
    moment = stock.now()
    redemption = Redemption(
        id=redemption_id,
        bank_id=bank.id,
        volunteer_id=fields["volunteer_id"],
        status=PENDING,
        points=sum(q * items[i].points_price for i, q in lines),
        requested_by=caller.user_id,
        requested_at=moment,
        attempts=1,
        deadline_at=moment + timing.deadline,
    )
    redemption.next_check_at = timing.next_check(moment, 1, redemption.deadline_at)
    redemption.lines = [
        RedemptionLine(item_id=i, quantity=q, points_price=items[i].points_price)
        for i, q in lines
    ]
    session.add(redemption)
    session.flush()
    for item_id, quantity in lines:
        stock.take(
            uow,
            bank.id,
            items[item_id],
            quantity,
            kind=RESERVATION,
            ref_id=redemption.id,
            by=caller.user_id,
        )
    _ask_for_points(uow, redemption)
    return redemption


def _ask_for_points(uow, redemption):
    uow.emit(
        "StockReserved",
        {**_facts(redemption), "attempt": redemption.attempts},
        subject=redemption.id,
    )
    logger.info(
        "stock reserved redemption_id=%s volunteer_id=%s points=%d attempt=%d",
        redemption.id,
        redemption.volunteer_id,
        redemption.points,
        redemption.attempts,
    )


def _facts(redemption):
    return {
        "redemption_id": redemption.id,
        "bank_id": redemption.bank_id,
        "volunteer_id": redemption.volunteer_id,
        "points": redemption.points,
        "lines": [
            {
                "item_id": line.item_id,
                "quantity": line.quantity,
                "points_price": line.points_price,
            }
            for line in redemption.lines
        ],
    }


def _pending(session, event_id, data):
    """The redemption an answer is about, locked; None if it is settled."""
    rid = data["redemption_id"]
    redemption = session.get(Redemption, rid, with_for_update=True)
    if redemption is None:
        raise Unprocessable(f"no redemption {rid}")
    if redemption.status != PENDING:
        logger.info(
            "answer for a settled redemption ignored redemption_id=%s status=%s"
            " event_id=%s",
            rid,
            redemption.status,
            event_id,
        )
        return None
    return redemption


def complete(uow, event_id, data):
    """The ledger took the points: the goods are the volunteer's; emits
    RedemptionCompleted."""
    redemption = _pending(uow.session, event_id, data)
    if redemption is None:
        return
    redemption.status = COMPLETED
    redemption.transfer_id = data["transfer_id"]
    _settle(redemption)
    uow.emit(
        "RedemptionCompleted",
        {**_facts(redemption), "transfer_id": redemption.transfer_id},
        subject=redemption.id,
    )
    logger.info(
        "redemption completed redemption_id=%s event_id=%s", redemption.id, event_id
    )


def refused(uow, event_id, data):
    """The ledger refused the points: release the goods; emits RedemptionCancelled."""
    redemption = _pending(uow.session, event_id, data)
    if redemption is not None:
        cancel(uow, redemption, data["reason"])


def cancel(uow, redemption, reason):
    """Put the reserved goods back and end the redemption unpaid."""
    reservations = uow.session.scalars(
        select(StockMovement)
        .where(
            StockMovement.ref_id == redemption.id,
            StockMovement.kind == RESERVATION,
        )
        .order_by(StockMovement.item_id)
    )
    for taken in list(reservations):
        stock.give_back(
            uow, taken, kind=RELEASE, ref_id=redemption.id, by=SYSTEM, reason=reason
        )
    redemption.status, redemption.reason = CANCELLED, reason
    _settle(redemption)
    uow.emit(
        "RedemptionCancelled",
        {**_facts(redemption), "reason": reason},
        subject=redemption.id,
    )
    logger.info(
        "redemption cancelled redemption_id=%s reason=%s", redemption.id, reason
    )


def _settle(redemption):
    redemption.settled_at = stock.now()
    redemption.next_check_at = None


def sweep(uow, timing, batch_size):
    """Ask again about redemptions whose check is due; cancel those past their
    deadline. Claims rows with SKIP LOCKED, so replicas share the work and a
    redemption being answered right now is left to its answer."""
    moment = stock.now()
    due = uow.session.scalars(
        select(Redemption)
        .where(Redemption.status == PENDING, Redemption.next_check_at <= moment)
        .order_by(Redemption.next_check_at)
        .limit(batch_size)
        .with_for_update(skip_locked=True)
    ).all()
    for redemption in due:
        if moment >= _aware(redemption.deadline_at):
            cancel(uow, redemption, TIMED_OUT)
            continue
        redemption.attempts += 1
        redemption.next_check_at = timing.next_check(
            moment, redemption.attempts, _aware(redemption.deadline_at)
        )
        _ask_for_points(uow, redemption)
    return len(due)


def _aware(moment):
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def get(session, caller, redemption_id):
    redemption = session.get(Redemption, redemption_id)
    if redemption is None:
        raise RedemptionNotFound(f"no redemption {redemption_id}")
    policy.check_may_see_redemption(caller, redemption)
    return redemption


def view(redemption):
    answer = {"id": redemption.id, "status": redemption.status}
    if redemption.reason:
        answer["reason"] = redemption.reason
    answer.update(
        bank_id=redemption.bank_id,
        volunteer_id=redemption.volunteer_id,
        points=redemption.points,
        lines=_facts(redemption)["lines"],
    )
    return answer
