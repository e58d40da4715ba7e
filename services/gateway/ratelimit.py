"""Failed sign-ins, limited per account and per address.

Each failure is a row in the gateway's database, so every replica counts the
same failures. Once an account (or an address) has as many failures in the
window as it is allowed, further attempts are refused with 429 before any
password is checked, until the oldest failure leaves the window. A success
clears the account's failures but never the address's: one valid account must
not let an address go on guessing at others.

An attempt is written down before its password is checked, not after:
checking takes tens of milliseconds, and a count made first and written after
would let any number of guesses sent at once through the same check. Each
attempt takes PostgreSQL's transaction locks on its subjects, counts, and
writes a pending row per subject in one transaction. Pending rows are not
failures: an attempt that would reach a limit only if the pending ones
failed waits for them to end instead of being refused, so sign-ins running
at once never refuse one another. A wrong password turns the attempt's rows
into failures; a right one deletes them with the account's failures. A
pending row older than a minute belongs to a process that died checking it,
and counts as a failure.
"""

import math
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import eventlet
from sqlalchemy import String, case, column, delete, func, select, update, values

from services.gateway.errors import TooManyRequests
from services.gateway.models import LoginFailure

WINDOW_KEY = "GATEWAY_LOGIN_WINDOW_SECONDS"
PER_ACCOUNT_KEY = "GATEWAY_LOGIN_FAILURES_PER_ACCOUNT"
PER_ADDRESS_KEY = "GATEWAY_LOGIN_FAILURES_PER_ADDRESS"
# how long an attempt waits for the pending ones that could fill a limit
WAIT_SECONDS = 5.0
WAIT_POLL_SECONDS = 0.05
# a pending attempt this old was left by a process that died checking it
PENDING_STALE_SECONDS = 60


def now():
    return datetime.now(UTC)


@dataclass(frozen=True)
class Limits:
    window_seconds: int = 900
    per_account: int = 5
    # many people may share one address (a community centre, a proxy)
    per_address: int = 20

    @classmethod
    def from_config(cls, config):
        return cls(
            int(config.get(WINDOW_KEY, cls.window_seconds)),
            int(config.get(PER_ACCOUNT_KEY, cls.per_account)),
            int(config.get(PER_ADDRESS_KEY, cls.per_address)),
        )

    def subjects(self, username, address):
        return {
            f"account:{username}": self.per_account,
            f"address:{address}": self.per_address,
        }


def attempt(db, limits, username, address):
    """Write down a sign-in attempt as pending, unless either limit is
    reached (TooManyRequests, with Retry-After); return its rows' ids, for
    `record_failure`, `record_success` or `withdraw`.

    While the attempts already pending could take a subject to its limit,
    wait (up to `WAIT_SECONDS`) to see how they end.
    """
    subjects = limits.subjects(username, address)
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        with db.transaction() as uow:
            session = uow.session
            _lock(session, subjects)
            if not _must_wait(session, limits, subjects):
                moment = now()
                rows = [
                    LoginFailure(subject=subject, failed_at=moment, pending=True)
                    for subject in subjects
                ]
                session.add_all(rows)
                session.flush()
                return [row.id for row in rows]
        if time.monotonic() > deadline:
            raise TooManyRequests(
                "too many sign-ins of this account or from this address are being"
                " checked at once; try again in a second",
                headers={"Retry-After": "1"},
            )
        eventlet.sleep(WAIT_POLL_SECONDS)


def _lock(session, subjects):
    # PostgreSQL's transaction-scoped locks, taken in the order of their keys
    # in one statement, so two attempts never wait on each other crosswise;
    # SQLite (one process) needs none
    if session.get_bind().dialect.name != "postgresql":
        return
    key = func.hashtext(column("subject"))
    session.execute(
        select(func.pg_advisory_xact_lock(key))
        .select_from(
            values(column("subject", String), name="s").data(
                [(subject,) for subject in subjects]
            )
        )
        .order_by(key)
    ).all()


def _must_wait(session, limits, subjects):
    """Raise TooManyRequests if a subject has its failures; True if the
    pending attempts could still bring one to its limit."""
    moment = now()
    since = moment - timedelta(seconds=limits.window_seconds)
    stale = moment - timedelta(seconds=PENDING_STALE_SECONDS)
    failed = ~LoginFailure.pending | (LoginFailure.failed_at <= stale)
    rows = session.execute(
        select(
            LoginFailure.subject,
            func.sum(case((failed, 1), else_=0)),
            func.sum(case((failed, 0), else_=1)),
            func.min(case((failed, LoginFailure.failed_at))),
        )
        .where(LoginFailure.subject.in_(subjects), LoginFailure.failed_at > since)
        .group_by(LoginFailure.subject)
    )
    wait = False
    for subject, failures, pending, oldest in rows:
        allowed = subjects[subject]
        if failures >= allowed:
            retry_after = _seconds_until(oldest, limits.window_seconds)
            raise TooManyRequests(
                f"too many failed sign-ins; try again in {retry_after} seconds",
                headers={"Retry-After": str(retry_after)},
            )
        wait = wait or failures + pending >= allowed
    return wait


def record_failure(session, attempted):
    """The password was wrong: the attempt's rows become failures."""
    session.execute(
        update(LoginFailure)
        .where(LoginFailure.id.in_(attempted))
        .values(pending=False, failed_at=now())
    )


def record_success(session, username, attempted):
    """The password was right: forget the account's failures and the
    attempt's own rows."""
    session.execute(
        delete(LoginFailure).where(
            (LoginFailure.subject == f"account:{username}")
            | LoginFailure.id.in_(attempted)
        )
    )


def withdraw(session, attempted):
    """The attempt ended without an answer on the password (the database
    failed mid-way): it is not held against anyone."""
    session.execute(delete(LoginFailure).where(LoginFailure.id.in_(attempted)))


def purge(session, limits):
    """Forget failures that left the window."""
    since = now() - timedelta(seconds=limits.window_seconds)
    return session.execute(
        delete(LoginFailure).where(LoginFailure.failed_at <= since)
    ).rowcount


def _seconds_until(oldest, window_seconds):
    if oldest.tzinfo is None:  # SQLite hands back naive UTC datetimes
        oldest = oldest.replace(tzinfo=UTC)
    frees_at = oldest + timedelta(seconds=window_seconds)
    return max(1, math.ceil((frees_at - now()).total_seconds()))
