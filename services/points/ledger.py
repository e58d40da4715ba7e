"""Moving points: accounts, transfers and statements over a session.

Balances change only by `UPDATE ... SET balance = balance + n` in the
transaction that appends the transfer. A movement that takes points from a
volunteer is guarded in the same statement (`WHERE balance >= n`), and a CHECK
constraint backs it, so concurrent movements serialise on the account row and
none takes a volunteer below zero. Nothing here reads a balance and then
writes one.
"""

import base64
import binascii
import json
import logging
import uuid
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from services.points import policy
from services.points.exceptions import AccountNotFound, BadCursor, InsufficientPoints
from services.points.models import VOLUNTEER, Account, Transfer

logger = logging.getLogger(__name__)

STATEMENT_LIMIT = 50
VOLUNTEER_PREFIX = "volunteer:"


def now():
    return datetime.now(UTC)


def account_id(volunteer_id):
    return f"{VOLUNTEER_PREFIX}{volunteer_id}"


def bank_account_id(bank_id):
    return f"bank:{bank_id}:redemption"


def volunteer_of(account):
    return account.removeprefix(VOLUNTEER_PREFIX) if _is_volunteer(account) else None


def _is_volunteer(account):
    return account.startswith(VOLUNTEER_PREFIX)


def dialect_insert(session):
    dialect = session.get_bind().dialect.name
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


def open_account(session, account, kind, **fields):
    """Open an account unless it is open already (safe under races)."""
    session.execute(
        dialect_insert(session)(Account)
        .values(
            id=account,
            kind=kind,
            balance=0,
            certified_minutes=0,
            opened_at=now(),
            **fields,
        )
        .on_conflict_do_nothing()
    )


def open_accounts(session, accounts):
    """Open several accounts, given as (account, kind, volunteer id or None),
    in one statement; those open already are left alone (safe under races)."""
    opened_at = now()
    rows = [
        {
            "id": account,
            "kind": kind,
            "balance": 0,
            "certified_minutes": 0,
            "opened_at": opened_at,
            "volunteer_id": volunteer_id,
        }
        for account, kind, volunteer_id in accounts
    ]
    session.execute(
        dialect_insert(session)(Account).values(rows).on_conflict_do_nothing()
    )


def open_volunteer_account(session, volunteer_id, community=None):
    account = account_id(volunteer_id)
    open_account(session, account, VOLUNTEER, volunteer_id=volunteer_id)
    if community is not None:
        session.execute(
            update(Account).where(Account.id == account).values(community=community)
        )


def lock_accounts(session, accounts):
    """Lock accounts in the one order every movement uses, so two movements
    never wait on each other crosswise."""
    session.execute(
        select(Account.id)
        .where(Account.id.in_(accounts))
        .order_by(Account.id)
        .with_for_update()
    ).all()


def _change(session, account, points, minutes):
    """Add points and minutes to an account; None if that would take a
    volunteer below zero."""
    stmt = update(Account).where(Account.id == account)
    if points < 0 or minutes < 0:
        stmt = stmt.where(
            or_(
                Account.kind != VOLUNTEER,
                (Account.balance + points >= 0)
                & (Account.certified_minutes + minutes >= 0),
            )
        )
    stmt = stmt.values(
        balance=Account.balance + points,
        certified_minutes=Account.certified_minutes + minutes,
    )
    return session.execute(stmt.returning(Account.balance)).scalar_one_or_none()


def move(
    session,
    kind,
    from_account,
    to_account,
    amount,
    minutes=0,
    transfer_id=None,
    **fields,
):
    """Append one transfer (with `transfer_id`, or a new id) and apply it to
    both balances; return the transfer and the volunteer's balance after it
    (None if no volunteer took part).

    Raises InsufficientPoints before anything changed: a volunteer's row, the
    only guarded one, is always updated first (and one side at most is a
    volunteer's), which is also the order every movement locks rows in.
    """
    sides = sorted(
        [(from_account, -amount, -minutes), (to_account, amount, minutes)],
        key=lambda side: (not _is_volunteer(side[0]), side[0]),
    )
    balance = None
    for account, points, mins in sides:
        after = _change(session, account, points, mins)
        if after is None:
            raise InsufficientPoints(_shortfall(session, account, amount, minutes))
        if _is_volunteer(account):
            balance = after
    transfer = Transfer(
        id=transfer_id or str(uuid.uuid4()),
        kind=kind,
        from_account=from_account,
        to_account=to_account,
        amount=amount,
        minutes=minutes or None,
        volunteer_id=volunteer_of(from_account) or volunteer_of(to_account),
        created_at=now(),
        **fields,
    )
    session.add(transfer)
    session.flush()
    return transfer, balance


def _shortfall(session, account, points, minutes):
    """What `account` lacks to give `points` and `minutes`, in plain words:
    "volunteer v-1 has 7 points, fewer than the 15 this needs"."""
    row = session.execute(
        select(Account.balance, Account.certified_minutes).where(Account.id == account)
    ).one_or_none()
    who = f"volunteer {volunteer_of(account)}" if _is_volunteer(account) else account
    if row is None:
        return f"{who} has no points account"
    balance, certified = row
    short = []
    if balance < points:
        short.append(f"{balance} points, fewer than the {points} this needs")
    if certified < minutes:
        short.append(
            f"{certified} certified minutes, fewer than the {minutes} this needs"
        )
    return f"{who} has {' and '.join(short) or 'too little'}"


class PayOut:
    """Transfers from one account that is not a volunteer's to several that
    may be, applied as one: see `paying_out`."""

    def __init__(self, session, kind, from_account):
        self._session = session
        self._kind = kind
        self._from = from_account
        self._transfers = []

    def pay(self, to_account, amount, minutes=0, transfer_id=None, **fields):
        """Append a transfer and add it to the receiving balance at once;
        return the transfer and that balance (None unless a volunteer's)."""
        after = _change(self._session, to_account, amount, minutes)
        if after is None:
            raise AccountNotFound(f"no account {to_account}")
        transfer = Transfer(
            id=transfer_id or str(uuid.uuid4()),
            kind=self._kind,
            from_account=self._from,
            to_account=to_account,
            amount=amount,
            minutes=minutes or None,
            volunteer_id=volunteer_of(to_account),
            created_at=now(),
            **fields,
        )
        self._transfers.append(transfer)
        return transfer, after if _is_volunteer(to_account) else None

    def settle(self):
        """Write the transfers, then take their sum from the paying account
        in one statement."""
        if not self._transfers:
            return
        self._session.add_all(self._transfers)
        self._session.flush()
        total = sum(t.amount for t in self._transfers)
        minutes = sum(t.minutes or 0 for t in self._transfers)
        if _change(self._session, self._from, -total, -minutes) is None:
            raise AccountNotFound(f"no account {self._from}")


@contextmanager
def paying_out(session, kind, from_account):
    """Pay several accounts from one shared account (the district's issuing
    account) with the shared row touched once, last.

    Every credit takes points from the issuing account, so its row is the one
    every credit of every order waits for. Updated with each transfer, it was
    held from the first transfer to the commit, through the rest of the
    transfers and the events; here the receiving sides and the events go
    first and the issuing row is updated once, for the sum, as the block
    ends, which the caller follows with its commit. The paying account is
    never a volunteer's, so nothing guards it: it may go negative, and the
    receiving rows (locked first, as in `move`) are only ever added to.
    """
    if _is_volunteer(from_account):
        raise ValueError(f"{from_account}: a volunteer pays by `move`")
    payout = PayOut(session, kind, from_account)
    yield payout
    payout.settle()


def signed_amount(transfer):
    """The transfer as the volunteer in it sees it: positive when received."""
    incoming = transfer.to_account == account_id(transfer.volunteer_id)
    return transfer.amount if incoming else -transfer.amount


def get_account(session, volunteer_id):
    account = session.get(Account, account_id(volunteer_id))
    if account is None:
        raise AccountNotFound(f"no points account for volunteer {volunteer_id}")
    return account


def statement(session, caller, volunteer_id, cursor=None, limit=STATEMENT_LIMIT):
    """Balance, certified minutes and one page of entries, newest first;
    `next_cursor` asks for the page after it."""
    account = get_account(session, volunteer_id)
    policy.check_may_see(caller, volunteer_id, account.community)
    query = select(Transfer).where(Transfer.volunteer_id == volunteer_id)
    if cursor:
        at, last_id = _decode(cursor)
        query = query.where(
            or_(
                Transfer.created_at < at,
                (Transfer.created_at == at) & (Transfer.id < last_id),
            )
        )
    page = session.scalars(
        query.order_by(Transfer.created_at.desc(), Transfer.id.desc()).limit(limit + 1)
    ).all()
    more = len(page) > limit
    page = page[:limit]
    return {
        "volunteer_id": volunteer_id,
        "balance": account.balance,
        "certified_minutes": account.certified_minutes,
        "entries": [entry(t) for t in page],
        "next_cursor": _encode(page[-1]) if more else None,
    }


def _aware(moment):
    # SQLite hands back naive datetimes; every time we store is UTC
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _encode(transfer):
    key = json.dumps([_aware(transfer.created_at).isoformat(), transfer.id])
    return base64.urlsafe_b64encode(key.encode()).decode().rstrip("=")


def _decode(cursor):
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        at, last_id = json.loads(base64.urlsafe_b64decode(padded))
        return datetime.fromisoformat(at), str(last_id)
    except (ValueError, TypeError, binascii.Error):
        raise BadCursor("the cursor is not one this statement gave") from None


def entry(transfer):
    """One line of a statement, signed as the volunteer sees it."""
    line = {
        "transfer_id": transfer.id,
        "kind": transfer.kind,
        "amount": signed_amount(transfer),
        "at": _aware(transfer.created_at).isoformat(),
    }
    optional = {
        "order_id": transfer.order_id,
        "minutes": transfer.minutes,
        "rate_per_hour": transfer.rate_per_hour,
        "capped_points": _capped(transfer),
        "redemption_id": transfer.redemption_id,
        "reverses": transfer.reverses,
        "reason": transfer.reason,
        "author": transfer.author,
    }
    line.update({key: value for key, value in optional.items() if value is not None})
    return line


def _capped(transfer):
    if transfer.uncapped_points is None:
        return None
    return transfer.uncapped_points - transfer.amount
