"""Corrections by the district: reversing entries and manual adjustments.

Nothing in the ledger is edited: a wrong credit is undone by a new transfer
the other way that names the entry it reverses, why, and who made it. A
transfer can be reversed once (a unique column says so), and a redemption's
debit or refund is settled by its saga, never by hand.
"""

import logging

from sqlalchemy import select

from services.points import ledger, policy
from services.points.exceptions import (
    InsufficientPoints,
    NotReversible,
    TransferNotFound,
)
from services.points.models import (
    ADJUSTMENT,
    ADJUSTMENT_ACCOUNT,
    MANUAL_ADJUSTMENT,
    ORDER_CREDIT,
    REVERSAL,
    Transfer,
)

logger = logging.getLogger(__name__)

REVERSIBLE = (ORDER_CREDIT, MANUAL_ADJUSTMENT)


def reverse(uow, caller, transfer_id, reason):
    """Undo one ledger entry with a reversing one; emits PointsAdjusted."""
    policy.check_may_correct(caller)
    session = uow.session
    original = session.get(Transfer, transfer_id)
    if original is None:
        raise TransferNotFound(f"no ledger entry {transfer_id}")
    if original.kind not in REVERSIBLE:
        raise NotReversible(
            f"a {original.kind} entry is not reversed by hand; adjust instead"
        )
    ledger.lock_accounts(session, [ledger.account_id(original.volunteer_id)])
    # as for an adjustment: run again under the caller's Idempotency-Key, the
    # command finds the reversal its first run made and answers with it
    reversal_id = uow.new_id("reversal")
    done = session.scalar(select(Transfer).where(Transfer.reverses == transfer_id))
    if done is not None and done.id == reversal_id:
        logger.info("reversal made before transfer_id=%s", reversal_id)
        return done
    if done is not None:
        raise NotReversible(f"entry {transfer_id} was already reversed by {done.id}")
    try:
        transfer, balance = ledger.move(
            session,
            REVERSAL,
            original.to_account,
            original.from_account,
            original.amount,
            original.minutes or 0,
            transfer_id=reversal_id,
            reverses=original.id,
            order_id=original.order_id,
            category=original.category,
            community=original.community,
            team_id=original.team_id,
            earned_on=original.earned_on,
            reason=reason,
            author=caller.user_id,
        )
    except InsufficientPoints as short:
        # certified minutes are never spent: what is missing is points
        raise InsufficientPoints(
            f"the points of entry {transfer_id} were already spent: {short}"
        ) from None
    _announce(uow, transfer, balance)
    return transfer


def adjust(uow, caller, volunteer_id, points, reason):
    """Give (points > 0) or take (points < 0) points by hand; emits PointsAdjusted."""
    policy.check_may_correct(caller)
    session = uow.session
    # with the caller's Idempotency-Key the id is derived from it: the same
    # command run again (its answer was lost, the caller retried) finds its
    # first run's entry instead of moving the points twice
    transfer_id = uow.new_id()
    earlier = session.get(Transfer, transfer_id)
    if earlier is not None:
        logger.info("adjustment made before transfer_id=%s", transfer_id)
        return earlier
    account = ledger.get_account(session, volunteer_id).id
    ledger.open_account(session, ADJUSTMENT_ACCOUNT, ADJUSTMENT)
    sides = (
        (ADJUSTMENT_ACCOUNT, account) if points > 0 else (account, ADJUSTMENT_ACCOUNT)
    )
    transfer, balance = ledger.move(
        session,
        MANUAL_ADJUSTMENT,
        *sides,
        abs(points),
        transfer_id=transfer_id,
        reason=reason,
        author=caller.user_id,
    )
    _announce(uow, transfer, balance)
    return transfer


def _announce(uow, transfer, balance):
    points = ledger.signed_amount(transfer)
    uow.emit(
        "PointsAdjusted",
        {
            "transfer_id": transfer.id,
            "volunteer_id": transfer.volunteer_id,
            "kind": transfer.kind,
            "points": points,
            "reason": transfer.reason,
            "author": transfer.author,
            "reverses": transfer.reverses,
            "balance": balance,
        },
        subject=transfer.volunteer_id,
    )
    logger.info(
        "ledger corrected transfer_id=%s kind=%s volunteer_id=%s points=%d user_id=%s",
        transfer.id,
        transfer.kind,
        transfer.volunteer_id,
        points,
        transfer.author,
    )
