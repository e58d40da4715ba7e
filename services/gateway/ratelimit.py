"""Failed sign-ins, limited per account and per address.

Each failure is a row in the gateway's database, so every replica counts the
same failures. Once an account (or an address) has as many failures in the
window as it is allowed, further attempts are refused with 429 before any
password is checked, until the oldest failure leaves the window. A success
clears the account's failures but never the address's: one valid account must
not let an address go on guessing at others.
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


def record_failure(session, limits, username, address):
    moment = now()
    for subject in limits.subjects(username, address):
        session.add(LoginFailure(subject=subject, failed_at=moment))


def record_success(session, username):
    session.execute(
        delete(LoginFailure).where(LoginFailure.subject == f"account:{username}")
    )


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
