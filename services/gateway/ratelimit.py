"""Failed sign-ins, limited per account and per address.

Each failure is a row in the gateway's database, so every replica counts the
same failures. Once an account (or an address) has as many failures in the
window as it is allowed, further attempts are refused with 429 before any
password is checked, until the oldest failure leaves the window. A success
clears the account's failures but never the address's: one valid account must
not let an address go on guessing at others.

An attempt is counted before its password is checked, not after: checking
takes tens of milliseconds, and a count made first and written after would
let any number of guesses sent at once through the same check. So each
attempt takes PostgreSQL's transaction lock on its subjects, counts, and
writes itself down as a failure in one transaction; a right password then
takes the account's failures and the attempt's own address row back out.
"""

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select

from services.gateway.errors import TooManyRequests
from services.gateway.models import LoginFailure

WINDOW_KEY = "GATEWAY_LOGIN_WINDOW_SECONDS"
PER_ACCOUNT_KEY = "GATEWAY_LOGIN_FAILURES_PER_ACCOUNT"
PER_ADDRESS_KEY = "GATEWAY_LOGIN_FAILURES_PER_ADDRESS"


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


def attempt(session, limits, username, address):
    """Count a sign-in attempt as a failure, unless either limit is reached
    (TooManyRequests, with Retry-After); return the failures written, for
    `record_success` to take back."""
    subjects = limits.subjects(username, address)
    if session.get_bind().dialect.name == "postgresql":
        # in one order, so two attempts never wait on each other crosswise
        for subject in sorted(subjects):
            session.execute(select(func.pg_advisory_xact_lock(func.hashtext(subject))))
    check(session, limits, username, address)
    moment = now()
    failures = [LoginFailure(subject=subject, failed_at=moment) for subject in subjects]
    session.add_all(failures)
    session.flush()
    return [failure.id for failure in failures]


def check(session, limits, username, address):
    """Raise TooManyRequests (with Retry-After) if either limit is reached."""
    since = now() - timedelta(seconds=limits.window_seconds)
    for subject, allowed in limits.subjects(username, address).items():
        recent = (LoginFailure.subject == subject) & (LoginFailure.failed_at > since)
        count, oldest = session.execute(
            select(func.count(), func.min(LoginFailure.failed_at)).where(recent)
        ).one()
        if count >= allowed:
            retry_after = _seconds_until(oldest, limits.window_seconds)
            raise TooManyRequests(
                f"too many failed sign-ins; try again in {retry_after} seconds",
                headers={"Retry-After": str(retry_after)},
            )


def record_success(session, username, attempted):
    """The password was right: forget the account's failures and take back
    the attempt's own (`attempted`, from `attempt`)."""
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
