"""Passwords and tokens; the secret comes from config."""

import ctypes
import time

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from eventlet import tpool

from eventing.identity import Caller
from services.gateway.errors import Unauthorized

ALGORITHM = "HS256"
# argon2 allocates its 19 MiB in whichever tpool thread hashes; glibc keeps
# such blocks in per-thread arenas once its mmap threshold has adapted, and
# the gateway grew to ~400 MB. A fixed threshold mmaps them and hands them
# back on free.
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD_BYTES = 1 << 20
# OWASP's recommended argon2id settings (19 MiB, 2 passes, 1 lane): strong,
# and about a tenth of a second on this machine instead of a quarter
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


def _return_large_blocks_to_the_system():
    try:
        ctypes.CDLL("libc.so.6").mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES)
    except OSError:  # not glibc: its allocator has its own policy
        pass


_return_large_blocks_to_the_system()


def hash_password(password):
    # hashing is deliberately slow: run it in a real thread so the gateway's
    # other requests go on meanwhile
    return tpool.execute(_hasher.hash, password)


def verify_password(password_hash, password):
    try:
        return tpool.execute(_hasher.verify, password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def issue_token(user, secret, ttl_seconds):
    issued = int(time.time())
    claims = {
        "sub": user.id,
        "role": user.role,
        "community": user.community,
        "team_id": user.team_id,
        "volunteer_id": user.volunteer_id,
        "bank_id": user.bank_id,
        "iat": issued,
        "exp": issued + ttl_seconds,
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def caller_from_header(header, secret):
    """The Caller a `Bearer` Authorization header proves, or Unauthorized."""
    scheme, _, token = (header or "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized("send 'Authorization: Bearer <token>' from /api/auth/token")
    try:
        claims = jwt.decode(
            token, secret, algorithms=[ALGORITHM], options={"require": ["exp", "sub"]}
        )
    except jwt.ExpiredSignatureError:
        raise Unauthorized(
            "the token has expired; ask /api/auth/token for a new one"
        ) from None
    except jwt.InvalidTokenError as exc:
        raise Unauthorized(f"the token is not valid: {exc}") from None
    return Caller.from_dict({**claims, "user_id": claims["sub"]})
