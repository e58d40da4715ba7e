"""The points side of the redemption saga: debit, refuse, or refund.

Each redemption gets exactly one answer, held in `redemption_debits` whose
primary key is the redemption id. The answer is claimed with an insert that
does nothing on conflict, so a second request for the same redemption (the
inventory's timer asking again) waits for the first and then repeats its
answer instead of deciding anew. A cancellation that arrives before any
request claims the answer as cancelled; one that arrives after a debit
refunds it. Either way a cancelled redemption ends with its points back.
"""

import logging

from services.points import ledger
from services.points.exceptions import InsufficientPoints
from services.points.models import (
    CANCELLED,
    DEBITED,
    REDEMPTION,
    REDEMPTION_DEBIT,
    REDEMPTION_REFUND,
    REJECTED,
    Account,
    RedemptionDebit,
)

logger = logging.getLogger(__name__)


def _claim(session, data, outcome, reason=None):
    """Insert the redemption's answer; False if it already had one."""
    result = session.execute(
        ledger.dialect_insert(session)(RedemptionDebit)
        .values(
            redemption_id=data["redemption_id"],
            volunteer_id=data["volunteer_id"],
            bank_id=data["bank_id"],
            points=data["points"],
            outcome=outcome,
            reason=reason,
            decided_at=ledger.now(),
        )
        .on_conflict_do_nothing()
    )
    return result.rowcount == 1


def debit_for_redemption(uow, event_id, data):
    """Debit the volunteer for reserved goods, or refuse; emits PointsDebited
    or PointsDebitRejected. A repeated request repeats the first answer."""
    session = uow.session
    rid = data["redemption_id"]
    if not _claim(session, data, DEBITED):
        answer = session.get(RedemptionDebit, rid)
        logger.info(
            "repeating the answer redemption_id=%s outcome=%s event_id=%s",
            rid,
            answer.outcome,
            event_id,
        )
        announce(uow, answer)
        return answer
    answer = session.get(RedemptionDebit, rid)
    account = session.get(Account, ledger.account_id(data["volunteer_id"]))
    if account is None:
        _refuse(answer, "the volunteer has no points account", None)
    else:
        _try_debit(session, answer, event_id)
    announce(uow, answer)
    logger.info(
        "redemption answered redemption_id=%s outcome=%s points=%d event_id=%s",
        rid,
        answer.outcome,
        answer.points,
        event_id,
    )
    return answer


def _try_debit(session, answer, event_id):
    bank_account = ledger.bank_account_id(answer.bank_id)
    ledger.open_account(session, bank_account, REDEMPTION, bank_id=answer.bank_id)
    volunteer_account = ledger.account_id(answer.volunteer_id)
    try:
        transfer, balance = ledger.move(
            session,
            REDEMPTION_DEBIT,
            volunteer_account,
            bank_account,
            answer.points,
            redemption_id=answer.redemption_id,
            dedupe_key=f"{REDEMPTION_DEBIT}:{answer.redemption_id}",
            event_id=event_id,
        )
    except InsufficientPoints:
        # refused before anything moved: the answer is all this commits
        balance = session.get(Account, volunteer_account).balance
        _refuse(answer, f"a balance of {balance} does not pay {answer.points}", balance)
        return
    answer.outcome, answer.transfer_id, answer.balance = DEBITED, transfer.id, balance


def _refuse(answer, reason, balance):
    answer.outcome, answer.reason, answer.balance = REJECTED, reason, balance


def announce(uow, answer):
    """Emit the event that states a redemption's answer."""
    if answer.outcome == DEBITED:
        uow.emit(
            "PointsDebited",
            {
                "transfer_id": answer.transfer_id,
                "redemption_id": answer.redemption_id,
                "volunteer_id": answer.volunteer_id,
                "bank_id": answer.bank_id,
                "points": answer.points,
                "balance": answer.balance,
            },
            subject=answer.volunteer_id,
        )
        return
    uow.emit(
        "PointsDebitRejected",
        {
            "redemption_id": answer.redemption_id,
            "volunteer_id": answer.volunteer_id,
            "bank_id": answer.bank_id,
            "points": answer.points,
            "reason": answer.reason or "the redemption was cancelled",
            "balance": answer.balance,
        },
        subject=answer.volunteer_id,
    )


def settle_cancelled(uow, event_id, data):
    """A cancelled redemption keeps no points: claim the answer as cancelled,
    or refund the debit made for it; emits PointsAdjusted for a refund."""
    session = uow.session
    rid = data["redemption_id"]
    if _claim(session, data, CANCELLED, data["reason"]):
        logger.info("cancelled before any debit redemption_id=%s", rid)
        return None
    answer = session.get(RedemptionDebit, rid, with_for_update=True)
    if answer.outcome != DEBITED or answer.refund_id is not None:
        logger.info(
            "nothing to refund redemption_id=%s outcome=%s event_id=%s",
            rid,
            answer.outcome,
            event_id,
        )
        return None
    return _refund(uow, answer, event_id, data["reason"])


def _refund(uow, answer, event_id, reason):
    volunteer_account = ledger.account_id(answer.volunteer_id)
    ledger.lock_accounts(uow.session, [volunteer_account])
    transfer, balance = ledger.move(
        uow.session,
        REDEMPTION_REFUND,
        ledger.bank_account_id(answer.bank_id),
        volunteer_account,
        answer.points,
        redemption_id=answer.redemption_id,
        dedupe_key=f"{REDEMPTION_REFUND}:{answer.redemption_id}",
        reason=f"redemption cancelled: {reason}",
        event_id=event_id,
    )
    answer.refund_id = transfer.id
    uow.emit(
        "PointsAdjusted",
        {
            "transfer_id": transfer.id,
            "volunteer_id": answer.volunteer_id,
            "kind": REDEMPTION_REFUND,
            "points": answer.points,
            "reason": transfer.reason,
            "redemption_id": answer.redemption_id,
            "balance": balance,
        },
        subject=answer.volunteer_id,
    )
    logger.info(
        "refunded redemption_id=%s points=%d event_id=%s",
        answer.redemption_id,
        answer.points,
        event_id,
    )
    return transfer
