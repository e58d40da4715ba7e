"""Reconcile the order flow: orders confirmed, points credited, events consumed.

Read-only checks over the services' databases and the broker, used by the
load test and the fault-injection suite once traffic has stopped. Each check
takes the `Sources` and returns a `Finding` that counts what was lost (an
effect that should exist and does not) and what was duplicated (an effect
applied more than once, or one that should not exist). Another checker joins
by adding a function of the same shape to the `checks` given to `reconcile`:

    report = reconcile(sources, checks=(*FLOW_CHECKS, my_ledger_check))
"""

import json
import logging
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pika
from pika.exceptions import ChannelClosedByBroker
from sqlalchemy import create_engine, text

logger = logging.getLogger(__name__)

ORDER_CREDIT = "order_credit"
COMPLETED = "completed"
OUTBOX_SERVICES = ("teams", "orders", "points", "inventory")
EXAMPLES = 5
# sent outbox rows are purged after 72 hours (OUTBOX_RETENTION_HOURS)
RECENT_HOURS = 71


@dataclass
class Sources:
    """Where the checks look, and what the clients saw during the run."""

    database_urls: dict
    amqp_uri: str
    queues: list = field(default_factory=list)
    # orders whose confirm the clients saw succeed (None: not recorded)
    confirmed_orders: set | None = None
    # (order_id, volunteer_id) -> PointsCredited event ids an independent
    # consumer saw on the broker (None: no such consumer ran)
    credits_seen: dict | None = None
    _engines: dict = field(default_factory=dict, repr=False)

    def engine(self, service):
        if service not in self._engines:
            self._engines[service] = create_engine(self.database_urls[service])
        return self._engines[service]

    def rows(self, service, sql, **params):
        with self.engine(service).connect() as conn:
            return conn.execute(text(sql), params).all()

    def close(self):
        for engine in self._engines.values():
            engine.dispose()
        self._engines.clear()


@dataclass
class Finding:
    """What one check found: counts, and a few examples of each problem."""

    check: str
    lost: int = 0
    duplicated: int = 0
    problems: list = field(default_factory=list)
    figures: dict = field(default_factory=dict)

    @property
    def ok(self):
        return not (self.lost or self.duplicated or self.problems)

    def problem(self, text_):
        if len(self.problems) < EXAMPLES:
            self.problems.append(text_)
        else:
            self.figures["more_problems"] = self.figures.get("more_problems", 0) + 1


@dataclass
class Report:
    findings: list

    @property
    def lost(self):
        return sum(f.lost for f in self.findings)

    @property
    def duplicated(self):
        return sum(f.duplicated for f in self.findings)

    @property
    def ok(self):
        return all(f.ok for f in self.findings)

    def to_dict(self):
        return {
            "ok": self.ok,
            "lost": self.lost,
            "duplicated": self.duplicated,
            "checks": {
                f.check: {
                    "ok": f.ok,
                    "lost": f.lost,
                    "duplicated": f.duplicated,
                    "problems": f.problems,
                    **f.figures,
                }
                for f in self.findings
            },
        }

    def lines(self):
        yield f"lost={self.lost} duplicated={self.duplicated} ok={self.ok}"
        for f in self.findings:
            mark = "ok  " if f.ok else "FAIL"
            figures = " ".join(f"{k}={v}" for k, v in f.figures.items())
            yield f"  {mark} {f.check}: lost={f.lost} dup={f.duplicated} {figures}"
            for problem in f.problems:
                yield f"       {problem}"


def _named(key):
    return "order_id={} volunteer_id={}".format(*key)


def expected_credits(sources):
    """(order_id, volunteer_id) -> minutes, for every order ever completed."""
    rows = sources.rows(
        "orders",
        "SELECT a.order_id, a.volunteer_id, a.minutes FROM assignments a "
        "WHERE a.minutes > 0 AND a.order_id IN "
        "(SELECT order_id FROM order_history WHERE status = :completed)",
        completed=COMPLETED,
    )
    return {(r.order_id, r.volunteer_id): r.minutes for r in rows}


def actual_credits(sources):
    """(order_id, volunteer_id) -> [minutes of each credit in the ledger]."""
    rows = sources.rows(
        "points",
        "SELECT order_id, to_account, minutes FROM transfers WHERE kind = :kind",
        kind=ORDER_CREDIT,
    )
    credits = {}
    for r in rows:
        volunteer_id = r.to_account.removeprefix("volunteer:")
        credits.setdefault((r.order_id, volunteer_id), []).append(r.minutes)
    return credits


def confirmed_orders_completed(sources):
    """Every confirm a client saw succeed left the order completed."""
    finding = Finding("confirmed orders are completed")
    if sources.confirmed_orders is None:
        finding.figures["skipped"] = "no client record"
        return finding
    completed = {
        r.order_id
        for r in sources.rows(
            "orders",
            "SELECT DISTINCT order_id FROM order_history WHERE status = :completed",
            completed=COMPLETED,
        )
    }
    missing = sorted(sources.confirmed_orders - completed)
    finding.lost = len(missing)
    finding.figures["confirmed"] = len(sources.confirmed_orders)
    for order_id in missing:
        finding.problem(f"confirmed but not completed: order_id={order_id}")
    return finding


def credited_once(sources):
    """Each volunteer of each completed order has exactly one credit, for the
    minutes reported, and no credit exists for anything else."""
    finding = Finding("one credit per volunteer per completed order")
    expected = expected_credits(sources)
    actual = actual_credits(sources)
    for key, minutes in expected.items():
        credits = actual.get(key, [])
        if not credits:
            finding.lost += 1
            finding.problem(f"no credit: {_named(key)}")
        elif len(credits) > 1:
            finding.duplicated += len(credits) - 1
            finding.problem(f"{len(credits)} credits: {_named(key)}")
        elif credits[0] != minutes:
            finding.problem(f"credited {credits[0]} min for {minutes}: {_named(key)}")
    for key, credits in actual.items():
        if key not in expected:
            finding.duplicated += len(credits)
            finding.problem(f"credit without a completed order: {_named(key)}")
    finding.figures.update(expected=len(expected), credited=len(actual))
    return finding


def ledger_balanced(sources):
    """The ledger sums to zero and no volunteer's balance is below zero."""
    finding = Finding("ledger sums to zero, no negative balance")
    [(total, negative)] = sources.rows(
        "points",
        "SELECT COALESCE(SUM(balance), 0), "
        "COUNT(*) FILTER (WHERE kind = 'volunteer' AND balance < 0) FROM accounts",
    )
    if total != 0:
        finding.problem(f"balances sum to {total}, not 0")
    if negative:
        finding.problem(f"{negative} volunteer balances below zero")
    finding.figures.update(balance_sum=int(total), negative_balances=negative)
    return finding


def transitions_have_events(sources):
    """Nothing half written: each transition in an order's history has its
    one event in the orders outbox, and each event its transition (orders
    placed within the outbox's retention, whose sent rows are purged later)."""
    finding = Finding("every order transition has its event")
    recent = "SELECT id FROM orders WHERE placed_at > :since"
    since = datetime.now(UTC) - timedelta(hours=RECENT_HOURS)
    history = Counter(
        r.order_id
        for r in sources.rows(
            "orders",
            f"SELECT order_id FROM order_history WHERE order_id IN ({recent})",
            since=since,
        )
    )
    recent_ids = {r.id for r in sources.rows("orders", recent, since=since)}
    events = Counter()
    for (body,) in sources.rows("orders", "SELECT body FROM outbox"):
        subject = json.loads(body).get("subject")
        if subject in recent_ids:
            events[subject] += 1
    for order_id in sorted(recent_ids):
        if history[order_id] > events[order_id]:
            finding.lost += history[order_id] - events[order_id]
            finding.problem(f"transitions without events: order_id={order_id}")
        elif history[order_id] < events[order_id]:
            finding.duplicated += events[order_id] - history[order_id]
            finding.problem(f"events without transitions: order_id={order_id}")
    finding.figures.update(orders=len(recent_ids), transitions=sum(history.values()))
    return finding


def credits_seen_on_broker(sources):
    """An independent consumer saw one PointsCredited per credit: the events
    reached the broker, once each."""
    finding = Finding("every credit seen once on points.events")
    if sources.credits_seen is None:
        finding.figures["skipped"] = "no probe ran"
        return finding
    expected = set(expected_credits(sources))
    watched = {key for key in expected if key[0] in (sources.confirmed_orders or ())}
    for key in watched:
        event_ids = sources.credits_seen.get(key, [])
        distinct = set(event_ids)
        if not distinct:
            finding.lost += 1
            finding.problem(f"never seen: {_named(key)}")
        elif len(distinct) > 1:
            finding.duplicated += len(distinct) - 1
            finding.problem(f"{len(distinct)} events for one credit: {_named(key)}")
    finding.figures.update(
        watched=len(watched),
        redeliveries=sum(
            len(ids) - len(set(ids)) for ids in sources.credits_seen.values()
        ),
    )
    return finding


def outboxes_drained(sources):
    """Every event written to an outbox was published."""
    finding = Finding("outboxes have no unsent rows")
    for service in OUTBOX_SERVICES:
        if service not in sources.database_urls:
            continue
        [(unsent,)] = sources.rows(
            service, "SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL"
        )
        finding.figures[f"{service}_unsent"] = unsent
        finding.lost += unsent
        if unsent:
            finding.problem(f"{service}: {unsent} events never published")
    return finding


def queues_drained(sources):
    """Every handler queue, retry queue and dead-letter queue is empty."""
    finding = Finding("handler, retry and dead-letter queues are empty")
    depths = queue_depths(sources.amqp_uri, sources.queues)
    for name, depth in depths.items():
        if depth is None:
            finding.problem(f"queue {name} does not exist")
        elif depth:
            finding.lost += depth
            finding.problem(f"{depth} messages left in {name}")
    finding.figures["queues"] = len(depths)
    return finding


def ledger_and_stock_invariants(sources):
    """The ledger-and-stock checker of `ops.invariants`, as one more check."""
    from ops.invariants import check_all

    finding = Finding("ledger and stock invariants (ops.invariants)")
    urls = sources.database_urls
    violations = check_all(
        points=urls["points"], inventory=urls.get("inventory"), orders=urls["orders"]
    )
    for violation in violations:
        finding.problem(f"{violation.rule}: {violation.detail}")
    finding.figures["violations"] = len(violations)
    return finding


FLOW_CHECKS = (
    confirmed_orders_completed,
    transitions_have_events,
    credited_once,
    ledger_balanced,
    credits_seen_on_broker,
    outboxes_drained,
    queues_drained,
)


# the flow's checks and the ledger-and-stock ones: what the load test and the
# fault suite run
ALL_CHECKS = (*FLOW_CHECKS, ledger_and_stock_invariants)


def reconcile(sources, checks=ALL_CHECKS):
    """Run every check; a check that cannot run counts as a problem."""
    findings = []
    for check in checks:
        try:
            findings.append(check(sources))
        except Exception as exc:  # noqa: BLE001 - report it, run the others
            logger.exception("check %s could not run", check.__name__)
            failed = Finding(check.__name__)
            failed.problem(f"could not run: {exc!r}")
            findings.append(failed)
    return Report(findings)


def pika_parameters(amqp_uri):
    # nameko's URIs say `pyamqp://`; pika speaks the same protocol as `amqp://`
    return pika.URLParameters(amqp_uri.replace("pyamqp://", "amqp://", 1))


def queue_depths(amqp_uri, queues):
    """Exact message counts (a passive declare, not the lagging management
    statistics); None for a queue that does not exist."""
    depths = {}
    connection = pika.BlockingConnection(pika_parameters(amqp_uri))
    try:
        channel = connection.channel()
        for name in queues:
            try:
                ok = channel.queue_declare(name, passive=True)
                depths[name] = ok.method.message_count
            except ChannelClosedByBroker:
                depths[name] = None
                channel = connection.channel()
    finally:
        connection.close()
    return depths


def busy(sources):
    """What still moves: unsent outbox rows and messages in handler queues."""
    unsent = sum(
        sources.rows(s, "SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL")[0][0]
        for s in OUTBOX_SERVICES
        if s in sources.database_urls
    )
    # a message waiting in a retry queue is still in flight; one in a
    # dead-letter queue has stopped moving
    moving = [q for q in sources.queues if not q.endswith(".dlq")]
    queued = sum(d or 0 for d in queue_depths(sources.amqp_uri, moving).values())
    return unsent + queued


def wait_until_quiet(sources, timeout=60, settle=1.0, interval=0.25):
    """Wait until nothing is in flight for `settle` seconds; return how long
    that took, or raise TimeoutError."""
    started = time.monotonic()
    quiet_since = None
    while True:
        now = time.monotonic()
        try:
            in_flight = busy(sources)
        except Exception as exc:  # noqa: BLE001 - the broker or database may be back soon
            logger.debug("cannot tell what is in flight yet: %r", exc)
            in_flight = -1
        if in_flight == 0:
            quiet_since = quiet_since or now
            if now - quiet_since >= settle:
                return quiet_since - started
        else:
            quiet_since = None
        if now - started > timeout:
            raise TimeoutError(f"still {in_flight} in flight after {timeout}s")
        time.sleep(interval)
