"""Which accounts are active, remembered between requests.

Every request with a token must come from an account that exists and is not
disabled. Reading that from the database on each request was a third of the
gateway's work under load, so each gateway process remembers the accounts it
found active, and forgets one the moment it may have changed:

- a trigger on `users` (migration p6_01) NOTIFYs `account_changed` with the
  account's id whenever its `disabled` column is written or the row deleted,
  by this gateway, another replica or an operator's SQL. PostgreSQL delivers
  the notification when that transaction commits, to every process that
  LISTENs on the channel: each gateway forgets the account within
  milliseconds, and its next request reads the database again;
- the process that disabled an account also forgets it itself, right after
  its commit, so its own next request never sees the old state;
- while a process is not listening (starting up, PostgreSQL restarting, or
  SQLite for a local run, which has no NOTIFY) it remembers nothing and reads
  the database on every request; once listening again it starts afresh.

TRUNCATE fires no trigger: emptying `users` by hand is not heard (restart the
gateways after doing that).

A read that began before a notification arrived is not remembered (the
generation count below), so a slow read cannot put back what was forgotten.
"""

import logging

import eventlet
import psycopg2
from eventlet.green import select
from nameko.extensions import DependencyProvider

from eventing.database import DATABASE_URL_KEY, driver_connect_args

logger = logging.getLogger(__name__)

CHANNEL = "account_changed"
# how long the listener waits for a notification before it checks that its
# connection still answers
KEEPALIVE_SECONDS = 15.0
# remembered accounts beyond this are all forgotten (a district has ~100,000)
MAX_REMEMBERED = 200_000
RECONNECT_MAX_SECONDS = 10.0
# a listener whose server vanished without a word (a cut cable, not a
# restart) must find out in seconds, not in TCP's quarter of an hour
CONNECTION_OPTIONS = {
    "connect_timeout": 5,
    "keepalives": 1,
    "keepalives_idle": 5,
    "keepalives_interval": 2,
    "keepalives_count": 3,
}


class ActiveAccounts(DependencyProvider):
    """The accounts this gateway process knows to be active."""

    def setup(self):
        # None: not PostgreSQL, no NOTIFY to hear
        self.connect_args = driver_connect_args(self.container.config[DATABASE_URL_KEY])
        self._active = set()
        self._generation = 0
        self.listening = False
        self._stopping = False
        self._gt = None

    def start(self):
        if self.connect_args is not None:
            self._gt = self.container.spawn_managed_thread(
                self._listen, identifier="account-listener"
            )

    def stop(self):
        self._stopping = True
        if self._gt is not None:
            self._gt.kill()
        self._stop_remembering()

    kill = stop

    def get_dependency(self, worker_ctx):
        return self

    def check(self, user_id, read):
        """Return if `user_id` is known active; else `read()` (which raises
        unless the account is active) and remember the answer."""
        if user_id in self._active:
            return
        generation = self._generation
        read()
        if self.listening and generation == self._generation:
            if len(self._active) >= MAX_REMEMBERED:
                self._active.clear()
            self._active.add(user_id)

    def forget(self, user_id):
        self._generation += 1
        self._active.discard(user_id)

    def _stop_remembering(self):
        self.listening = False
        self._generation += 1
        self._active.clear()

    def _listen(self):
        backoff = 0.5
        while not self._stopping:
            conn = None
            try:
                conn = psycopg2.connect(**self.connect_args, **CONNECTION_OPTIONS)
                conn.autocommit = True
                with conn.cursor() as cursor:
                    cursor.execute(f"LISTEN {CHANNEL}")
                # a read that began before this may have missed a change
                # nobody told us of: it must not be remembered
                self._generation += 1
                self.listening = True
                logger.info("listening for account changes")
                backoff = 0.5
                self._receive(conn)
            except Exception as exc:  # noqa: BLE001 - the listener must live on
                logger.warning(
                    "not listening for account changes (%s: %s): every request "
                    "reads its account until listening again",
                    type(exc).__name__,
                    str(exc).strip(),
                )
                self._stop_remembering()
                eventlet.sleep(backoff)
                backoff = min(backoff * 2, RECONNECT_MAX_SECONDS)
            finally:
                if conn is not None:
                    conn.close()

    def _receive(self, conn):
        while not self._stopping:
            # any statement (LISTEN, the keepalive) may have read
            # notifications along with its answer: handle those first
            while conn.notifies:
                notice = conn.notifies.pop(0)
                self.forget(notice.payload)
                logger.info("account changed user_id=%s", notice.payload)
            # eventlet's select: only this green thread waits
            readable, _, _ = select.select([conn], [], [], KEEPALIVE_SECONDS)
            if readable:
                conn.poll()
            else:
                with conn.cursor() as cursor:
                    cursor.execute("SELECT 1")
