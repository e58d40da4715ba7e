"""Moving points: plain functions over a unit of work.

Balances change only by `UPDATE ... SET balance = balance + n` on the locked
account row, in the transaction that appends the transfer, so concurrent
movements serialise in the database and the CHECK constraint refuses any that
would take a volunteer below zero. Nothing here reads a balance and then
writes one.
"""

import logging
import uuid
from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite

from eventing.identity import COMMUNITY_STAFF
from services.points import rules
from services.points.exceptions import AccountNotFound, NotAllowed
from services.points.models import (
    ISSUING,
    ISSUING_ACCOUNT,
    VOLUNTEER,
    Account,
    Transfer,
)

logger = logging.getLogger(__name__)

ORDER_CREDIT = "order_credit"
STATEMENT_LIMIT = 50


def now():
    return datetime.now(UTC)


def account_id(volunteer_id):
    return f"volunteer:{volunteer_id}"


def open_account(session, account, kind, volunteer_id=None):
    """Open an account unless it is open already (safe under races)."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(
        insert(Account)
        .values(
            id=account,
            kind=kind,
            volunteer_id=volunteer_id,
            balance=0,
            certified_minutes=0,
            opened_at=now(),
        )
        .on_conflict_do_nothing()
    )


def open_volunteer_account(session, volunteer_id):
    open_account(session, account_id(volunteer_id), VOLUNTEER, volunteer_id)


def _move_points(session, from_account, to_account, amount, minutes=0):
    session.execute(
        update(Account)
        .where(Account.id == from_account)
        .values(balance=Account.balance - amount)
    )
    return session.execute(
        update(Account)
        .where(Account.id == to_account)
        .values(
            balance=Account.balance + amount,
            certified_minutes=Account.certified_minutes + minutes,
        )
        .returning(Account.balance)
    ).scalar_one()


def credit_order(uow, event_id, order, rates, default_rate):
    """Credit every volunteer who served a completed order, once each; emits
    one PointsCredited per volunteer credited."""
    session = uow.session
    rate = rules.rate_for(order["category"], rates, default_rate)
    open_account(session, ISSUING_ACCOUNT, ISSUING)
    credited = []
    for volunteer_id, minutes in sorted(order["minutes"].items()):
        credit_key = f"{ORDER_CREDIT}:{order['order_id']}:{volunteer_id}"
        if session.scalar(select(Transfer.id).where(Transfer.credit_key == credit_key)):
            logger.warning(
                "already credited order_id=%s volunteer_id=%s event_id=%s",
                order["order_id"],
                volunteer_id,
                event_id,
            )
            continue
        open_volunteer_account(session, volunteer_id)
        points = rules.points_for(minutes, rate)
        transfer = Transfer(
            id=str(uuid.uuid4()),
            kind=ORDER_CREDIT,
            from_account=ISSUING_ACCOUNT,
            to_account=account_id(volunteer_id),
            amount=points,
            order_id=order["order_id"],
            minutes=minutes,
            rate_per_hour=rate,
            credit_key=credit_key,
            event_id=event_id,
            created_at=now(),
        )
        session.add(transfer)
        session.flush()
        balance = _move_points(
            session, ISSUING_ACCOUNT, transfer.to_account, points, minutes
        )
        uow.emit(
            "PointsCredited",
            {
                "transfer_id": transfer.id,
                "volunteer_id": volunteer_id,
                "order_id": order["order_id"],
                "minutes": minutes,
                "points": points,
                "rate_per_hour": rate,
                "balance": balance,
            },
            subject=volunteer_id,
        )
        logger.info(
            "points credited event_id=%s order_id=%s volunteer_id=%s points=%d",
            event_id,
            order["order_id"],
            volunteer_id,
            points,
        )
        credited.append(transfer)
    return credited


def check_may_see(caller, volunteer_id):
    if not (
        caller.is_admin
        or caller.role == COMMUNITY_STAFF
        or caller.volunteer_id == volunteer_id
    ):
        raise NotAllowed("only the volunteer, staff and the admin see these points")


def statement(session, caller, volunteer_id, limit=STATEMENT_LIMIT):
    """Balance, certified minutes and the newest entries of one volunteer."""
    check_may_see(caller, volunteer_id)
    account = session.get(Account, account_id(volunteer_id))
    if account is None:
        raise AccountNotFound(f"no points account for volunteer {volunteer_id}")
    transfers = session.scalars(
        select(Transfer)
        .where(
            (Transfer.to_account == account.id) | (Transfer.from_account == account.id)
        )
        .order_by(Transfer.created_at.desc(), Transfer.id)
        .limit(limit)
    )
    return {
        "volunteer_id": volunteer_id,
        "balance": account.balance,
        "certified_minutes": account.certified_minutes,
        "entries": [_entry(t, account.id) for t in transfers],
    }


def _entry(transfer, account):
    created = transfer.created_at
    if created.tzinfo is None:
        created = created.replace(tzinfo=UTC)
    return {
        "transfer_id": transfer.id,
        "kind": transfer.kind,
        "amount": transfer.amount
        if transfer.to_account == account
        else -transfer.amount,
        "order_id": transfer.order_id,
        "minutes": transfer.minutes,
        "rate_per_hour": transfer.rate_per_hour,
        "at": created.isoformat(),
    }
