"""Accounts people sign in with: plain functions over a session."""

import functools
import logging
import uuid
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from eventing.identity import ADMIN, ADMIN_USERNAME, RESIDENT
from services.gateway import auth, tokens
from services.gateway.errors import (
    BadRequest,
    Conflict,
    NotFound,
    Unauthorized,
    Unprocessable,
)
from services.gateway.models import User

logger = logging.getLogger(__name__)

# how each database names a second account for one volunteer record
VOLUNTEER_UNIQUE = ("uq_users_volunteer_id", "users.volunteer_id")


def create_user(session, fields):
    fields = dict(fields)
    if fields.get("volunteer_id"):
        _refuse_a_second_account(session, fields["volunteer_id"])
    user = User(
        id=str(uuid.uuid4()),
        password_hash=auth.hash_password(fields.pop("password")),
        created_at=datetime.now(UTC),
        disabled=False,
        **fields,
    )
    session.add(user)
    try:
        session.flush()
    except IntegrityError as exc:
        # made at the same instant as another: PostgreSQL names the index,
        # SQLite the column
        if any(name in str(exc.orig) for name in VOLUNTEER_UNIQUE):
            raise Conflict(
                f"volunteer {fields['volunteer_id']} already has an account"
            ) from None
        raise Conflict(f"the username {fields['username']!r} is taken") from None
    logger.info("account created user_id=%s role=%s", user.id, user.role)
    return user


def _holder(session, volunteer_id):
    return session.scalar(select(User).where(User.volunteer_id == volunteer_id))


def _refuse_a_second_account(session, volunteer_id):
    holder = _holder(session, volunteer_id)
    if holder is not None:
        raise Conflict(
            f"volunteer {volunteer_id} already has an account: {holder.username}"
        )


def sign_in(session, username, password):
    user = session.scalar(select(User).where(User.username == username))
    # verify against a hash even for an unknown name, so timing tells nothing
    password_hash = user.password_hash if user else _unknown_user_hash()
    if not auth.verify_password(password_hash, password) or user is None:
        logger.warning("sign-in refused username=%s", username)
        raise Unauthorized("wrong username or password")
    if user.disabled:
        logger.warning("sign-in of a disabled account user_id=%s", user.id)
        raise Unauthorized("the account is disabled")
    return user


def check_active(session, user_id):
    """Unauthorized unless the account exists and is not disabled.

    A primary-key read; the gateway remembers its answer until the account
    changes (`active_accounts`), so a disabled account's tokens stop working
    at once, on every replica.
    """
    disabled = session.scalar(select(User.disabled).where(User.id == user_id))
    if disabled is None:
        raise Unauthorized("the account no longer exists")
    if disabled:
        raise Unauthorized("the account is disabled")


def set_disabled(session, caller, user_id, disabled):
    """Disable or enable an account; a disabled one loses its refresh tokens."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"no account {user_id}")
    if user.id == caller.user_id and disabled:
        raise Conflict("an admin may not disable their own account")
    user.disabled = disabled
    if disabled:
        tokens.end_all(session, user.id)
    logger.info(
        "account %s user_id=%s by=%s",
        "disabled" if disabled else "enabled",
        user.id,
        caller.user_id,
    )
    return user


def ensure_admin(session, password):
    """Create the district admin account on first start."""
    if session.scalar(select(User).where(User.username == ADMIN_USERNAME)) is None:
        create_user(
            session,
            {
                "username": ADMIN_USERNAME,
                "password": password,
                "role": ADMIN,
                "display_name": "District admin",
            },
        )
        logger.info("created the admin account")


def require_resident(session, user_id, community):
    """Refuse an order entered for someone who has no resident's account, or
    in a community other than the one their account names (where they would
    have to place it themselves)."""
    user = session.get(User, user_id)
    if user is None or user.role != RESIDENT or user.disabled:
        raise BadRequest(
            "some fields are not valid",
            fields={"on_behalf_of": ["not the id of a resident's account"]},
        )
    if user.community not in (None, community):
        # the caller may not be one who should learn where the resident lives
        raise Unprocessable(
            f"the resident's account names a community other than {community}:"
            " their orders are placed there"
        )


def link_volunteer(session, user_id, volunteer_id):
    """Give an approved applicant's account its volunteer record; their next
    token carries it."""
    user = session.get(User, user_id)
    if user is None or user.volunteer_id == volunteer_id:
        return
    if user.volunteer_id is not None:
        logger.warning(
            "account already linked user_id=%s volunteer_id=%s",
            user_id,
            user.volunteer_id,
        )
        return
    holder = _holder(session, volunteer_id)
    if holder is not None:
        logger.warning(
            "volunteer already has an account user_id=%s volunteer_id=%s holder=%s",
            user_id,
            volunteer_id,
            holder.id,
        )
        return
    user.volunteer_id = volunteer_id
    logger.info("account linked user_id=%s volunteer_id=%s", user_id, volunteer_id)


def user_view(user):
    return {
        "id": user.id,
        "username": user.username,
        "role": user.role,
        "display_name": user.display_name,
        "community": user.community,
        "team_id": user.team_id,
        "volunteer_id": user.volunteer_id,
        "bank_id": user.bank_id,
        "disabled": user.disabled,
    }


@functools.cache
def _unknown_user_hash():
    return auth.hash_password(uuid.uuid4().hex)
