"""Refresh tokens: opaque, stored as hashes, used once, rotated on each use.

A refresh token buys a new access token and a new refresh token; the one used
is spent. Presenting a spent token means two parties hold it (one of them a
thief), so the whole family rotated from that sign-in is ended.
"""

import hashlib
import logging
import secrets
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, update

from services.gateway.models import RefreshToken

logger = logging.getLogger(__name__)


def now():
    return datetime.now(UTC)


def _hash(raw):
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def issue(session, user_id, ttl_seconds, family_id=None):
    """A new refresh token for the user, in a new family unless one is given."""
    raw = secrets.token_urlsafe(32)
    moment = now()
    session.add(
        RefreshToken(
            token_hash=_hash(raw),
            user_id=user_id,
            family_id=family_id or str(uuid.uuid4()),
            issued_at=moment,
            expires_at=moment + timedelta(seconds=ttl_seconds),
        )
    )
    return raw


def spend(session, raw):
    """Spend a token: its row if it was live; None if unknown, spent or expired.

    A token spent before ends its family. The guarded update makes two
    simultaneous uses of one token spend it once.
    """
    row = session.get(RefreshToken, _hash(raw))
    if row is None:
        return None
    spent = session.execute(
        update(RefreshToken)
        .where(
            RefreshToken.token_hash == row.token_hash, RefreshToken.used_at.is_(None)
        )
        .values(used_at=now())
    ).rowcount
    if not spent:
        end_family(session, row.family_id)
        logger.warning("refresh token reused user_id=%s: family ended", row.user_id)
        return None
    expires_at = row.expires_at
    if expires_at.tzinfo is None:  # SQLite hands back naive UTC datetimes
        expires_at = expires_at.replace(tzinfo=UTC)
    return row if expires_at > now() else None


def end_family(session, family_id):
    session.execute(
        update(RefreshToken)
        .where(RefreshToken.family_id == family_id, RefreshToken.used_at.is_(None))
        .values(used_at=now())
    )


def end_all(session, user_id):
    """End every refresh token of an account (it was disabled)."""
    session.execute(
        update(RefreshToken)
        .where(RefreshToken.user_id == user_id, RefreshToken.used_at.is_(None))
        .values(used_at=now())
    )


def purge(session):
    """Forget tokens that expired."""
    return session.execute(
        delete(RefreshToken).where(RefreshToken.expires_at < now())
    ).rowcount
