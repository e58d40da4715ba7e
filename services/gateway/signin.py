"""Signing in and refreshing: what /api/auth/token and /api/auth/refresh answer.

Access tokens are short-lived JWTs; a refresh token (kept in the gateway's
database, used once) buys the next pair. Sign-in attempts are limited per
account and per address (`ratelimit`).
"""

import logging
from dataclasses import dataclass

from services.gateway import accounts, auth, ratelimit, tokens
from services.gateway.errors import Unauthorized
from services.gateway.models import User

logger = logging.getLogger(__name__)

TOKEN_TTL_KEY = "GATEWAY_TOKEN_TTL"
REFRESH_TTL_KEY = "GATEWAY_REFRESH_TTL"
JWT_SECRET_KEY = "GATEWAY_JWT_SECRET"


@dataclass(frozen=True)
class Settings:
    secret: str
    access_ttl: int
    refresh_ttl: int
    limits: ratelimit.Limits

    @classmethod
    def from_config(cls, config):
        return cls(
            config[JWT_SECRET_KEY],
            int(config.get(TOKEN_TTL_KEY, 900)),
            int(config.get(REFRESH_TTL_KEY, 14 * 24 * 3600)),
            ratelimit.Limits.from_config(config),
        )


def sign_in(db, settings, username, password, address):
    """A token pair for the right password; 401 for a wrong one, 429 past the limit."""
    attempted = ratelimit.attempt(db, settings.limits, username, address)
    try:
        with db.session() as session:
            user = accounts.sign_in(session, username, password)
    except Unauthorized:
        with db.transaction() as uow:
            ratelimit.record_failure(uow.session, attempted)
        raise
    except Exception:
        _withdraw(db, attempted)
        raise
    try:
        with db.transaction() as uow:
            ratelimit.record_success(uow.session, username, attempted)
            refresh_token = tokens.issue(uow.session, user.id, settings.refresh_ttl)
    except Exception:
        _withdraw(db, attempted)
        raise
    return token_answer(user, refresh_token, settings)


def _withdraw(db, attempted):
    try:
        with db.transaction() as uow:
            ratelimit.withdraw(uow.session, attempted)
    except Exception:
        # the database that failed the check fails this too: the attempt
        # stays pending, and counts as a failure once it is a minute old
        logger.warning("an unanswered sign-in attempt stays counted", exc_info=True)


def refresh(db, settings, refresh_token):
    """The next token pair for a live refresh token of an active account."""
    with db.transaction() as uow:
        spent = tokens.spend(uow.session, refresh_token)
        user = spent and uow.session.get(User, spent.user_id)
        if user and not user.disabled:
            new_token = tokens.issue(
                uow.session, user.id, settings.refresh_ttl, spent.family_id
            )
    # the spend (and a reused token's ended family) is committed either way
    if not user or user.disabled:
        raise Unauthorized("the refresh token is not valid; sign in again")
    return token_answer(user, new_token, settings)


def token_answer(user, refresh_token, settings):
    return {
        "access_token": auth.issue_token(user, settings.secret, settings.access_ttl),
        "token_type": "bearer",
        "expires_in": settings.access_ttl,
        "refresh_token": refresh_token,
        "refresh_expires_in": settings.refresh_ttl,
        "role": user.role,
        "user": accounts.user_view(user),
    }
