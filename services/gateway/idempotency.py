"""Idempotency keys: a retried command answers what its first try answered.

A route declared `idempotent=True` accepts an `Idempotency-Key` header. The
key is claimed, scoped to the caller, by inserting a row under a primary key
before the command runs: of two simultaneous requests with one key exactly one
inserts, runs the command and stores its answer; the other waits for that
answer and replays it. The same key with another method, path or body is a
409. An answer of 500 or more is not kept (the key is released), so a command
that failed because a service was down can be retried with the same key.

A 503 may hide a command that did run: the service answered, but too late or
into a lost connection. So the key also travels with the command (the worker
context key `command_key`), and the service derives the new thing's id from
it (`UnitOfWork.new_id`): the retry finds what the first run created, under
the same id, instead of creating a second one.
"""

import hashlib
import json
import logging
import re
import time
from datetime import UTC, datetime, timedelta

import eventlet
from sqlalchemy import delete, update
from sqlalchemy.dialects import postgresql, sqlite
from werkzeug.wrappers import Response

from services.gateway.errors import BadRequest, Conflict
from services.gateway.models import IdempotencyKey

logger = logging.getLogger(__name__)

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
KEY = re.compile(r"^[\x21-\x7e]{1,255}$")
WAIT_KEY = "GATEWAY_RPC_TIMEOUT"
RETENTION_KEY = "GATEWAY_IDEMPOTENCY_HOURS"
DEFAULT_RETENTION_HOURS = 24
POLL_INTERVAL = 0.05


def now():
    return datetime.now(UTC)


def fingerprint(request):
    """What the key promises: the same method, path and JSON body."""
    raw = request.get_data()
    try:
        body = json.dumps(json.loads(raw or b"{}"), sort_keys=True)
    except (ValueError, RecursionError):
        body = raw.hex()
    text = f"{request.method} {request.path}\n{body}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def command_key(caller_id, key):
    """The key as the services see it: unique per caller, and opaque."""
    return hashlib.sha256(f"{caller_id}\n{key}".encode()).hexdigest()


class Store:
    """Claims keys, keeps first answers and replays them."""

    def __init__(self, config):
        # a repeat waits for the first request as long as its RPC may take
        self.wait_seconds = float(config.get(WAIT_KEY, 10)) + 5
        # a claim older than that was left by a gateway that died meanwhile
        self.abandoned_after = timedelta(seconds=2 * self.wait_seconds)

    def respond(self, db, request, key, answer):
        """The first answer for this caller's key, running `answer` at most once."""
        if not KEY.match(key):
            raise BadRequest(f"{HEADER} must be 1-255 printable ASCII characters")
        caller_id, print_ = request.caller.user_id, fingerprint(request)
        request.command_key = command_key(caller_id, key)
        deadline = time.monotonic() + self.wait_seconds
        while not self.claim(db, caller_id, key, print_):
            first = self.first_answer(db, caller_id, key, print_)
            if first is not None:
                return first
            if time.monotonic() > deadline:
                raise Conflict(f"a request with this {HEADER} is still running")
            eventlet.sleep(POLL_INTERVAL)
        response = answer(request)
        self.settle(db, caller_id, key, response)
        return response

    def claim(self, db, caller_id, key, print_):
        with db.transaction() as uow:
            session = uow.session
            insert = _insert_for(session)
            inserted = session.execute(
                insert(IdempotencyKey)
                .values(
                    caller_id=caller_id,
                    key=key,
                    fingerprint=print_,
                    created_at=now(),
                )
                .on_conflict_do_nothing()
            ).rowcount
            return inserted == 1 or self.take_over(session, caller_id, key, print_)

    def take_over(self, session, caller_id, key, print_):
        taken = session.execute(
            update(IdempotencyKey)
            .where(
                IdempotencyKey.caller_id == caller_id,
                IdempotencyKey.key == key,
                IdempotencyKey.fingerprint == print_,
                IdempotencyKey.status.is_(None),
                IdempotencyKey.created_at < now() - self.abandoned_after,
            )
            .values(created_at=now())
        ).rowcount
        if taken:
            logger.warning(
                "took over an abandoned idempotency key caller=%s", caller_id
            )
        return taken == 1

    def first_answer(self, db, caller_id, key, print_):
        """The stored answer; None while the first request runs or if released."""
        with db.session() as session:
            row = session.get(IdempotencyKey, (caller_id, key))
            if row is None or row.fingerprint == print_ and row.status is None:
                return None
            if row.fingerprint != print_:
                raise Conflict(
                    f"this {HEADER} was used for another request; use a new key"
                )
            return Response(
                row.body,
                status=row.status,
                content_type="application/json; charset=utf-8",
                headers={REPLAYED_HEADER: "true"},
            )

    def settle(self, db, caller_id, key, response):
        """Keep the answer, or release the key after a failure of ours."""
        row = (IdempotencyKey.caller_id == caller_id) & (IdempotencyKey.key == key)
        try:
            with db.transaction() as uow:
                if response.status_code >= 500:
                    uow.session.execute(delete(IdempotencyKey).where(row))
                    return
                uow.session.execute(
                    update(IdempotencyKey)
                    .where(row)
                    .values(
                        status=response.status_code,
                        body=response.get_data(as_text=True),
                    )
                )
        except Exception:  # noqa: BLE001 - the command's answer still stands
            # the claim stays until it counts as abandoned; the caller gets
            # the real answer rather than an error about bookkeeping
            logger.exception("could not store the answer for an idempotency key")


def purge(session, retention_hours=DEFAULT_RETENTION_HOURS):
    """Forget keys older than the retention period."""
    cutoff = now() - timedelta(hours=retention_hours)
    return session.execute(
        delete(IdempotencyKey).where(IdempotencyKey.created_at < cutoff)
    ).rowcount


def _insert_for(session):
    dialect = session.get_bind().dialect.name
    return postgresql.insert if dialect == "postgresql" else sqlite.insert
