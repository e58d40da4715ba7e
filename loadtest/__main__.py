"""`python -m loadtest`: load the order flow, reconcile, report.

By default it starts its own system (every service as `volunteer-platform
run` would, on a fresh vhost and fresh PostgreSQL databases, on 127.0.0.1
only), builds a district through the API, measures the broker alone, runs
Locust headless for the duration at the rate asked, waits until nothing is
in flight, reconciles and writes build/loadtest/report.{json,md,png}. It
exits non-zero if anything was lost or duplicated, or a request failed.
"""

import json
import logging
import math
import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import click

from loadtest import ceiling, district, provision, report
from loadtest import profile as profiler
from loadtest.cost import Cost
from loadtest.probe import CreditProbe
from loadtest.sampler import ResourceSampler
from loadtest.system import ADMIN_PASSWORD, AttachedSystem, System
from ops import reconcile
from ops.cli import LOCAL_ADMIN_PASSWORD, parse_replicas

logger = logging.getLogger("loadtest")

HERE = Path(__file__).resolve().parent
LOOPBACK = ("127.0.0.1", "localhost", "::1")
VHOST = "vp-loadtest"
DB_PREFIX = "vp_load"


@click.command()
@click.option("--duration", type=int, default=60, show_default=True, help="Seconds.")
@click.option("--rate", type=float, default=50, show_default=True, help="Flows/s.")
@click.option("--users", type=int, help="Locust users [default: 2 x rate, >= 5].")
@click.option("--replicas", multiple=True, metavar="SERVICE=N")
@click.option("--port", type=int, default=18000, show_default=True)
@click.option(
    "--attach",
    metavar="URL",
    help="Load a running system (`volunteer-platform run`, compose) instead of "
    "starting one; its broker and databases come from the same environment.",
)
@click.option("--out", type=click.Path(path_type=Path), default=Path("build/loadtest"))
@click.option("--ceiling-seconds", type=float, default=10, show_default=True)
@click.option("--sample-every", type=float, default=5, show_default=True)
@click.option("--profile", multiple=True, help="py-spy record these services.")
@click.option("--log-level", default="INFO", show_default=True)
@click.option("--max-workers", type=int, default=10, show_default=True)
@click.option("--max-errors", type=int, default=0, show_default=True)
def main(
    duration,
    rate,
    users,
    replicas,
    port,
    attach,
    out,
    ceiling_seconds,
    sample_every,
    profile,
    log_level,
    max_workers,
    max_errors,
):
    """Run the load test and write its report."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    logging.getLogger("pika").setLevel(logging.WARNING)
    if duration > 3600 or rate > 500:
        raise click.BadParameter("a load test here lasts at most an hour, 500 flows/s")
    # a flow takes about a second on a busy machine: enough users that each
    # starts a flow every two seconds
    users = users or max(5, math.ceil(2 * rate))
    (out / "run").mkdir(parents=True, exist_ok=True)
    replica_counts = parse_replicas(replicas)
    conditions = {
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "duration_s": duration,
        "rate": rate,
        "users": users,
        "replicas": replica_counts,
        "max_workers": max_workers,
        "log_level": log_level,
        "cpus": os.cpu_count(),
        "loadavg_before": [round(x, 2) for x in os.getloadavg()],
    }
    if attach:
        if urlsplit(attach).hostname not in LOOPBACK:
            raise click.BadParameter("the load test only targets this machine")
        system = AttachedSystem(
            attach, os.environ.get("GATEWAY_ADMIN_PASSWORD", LOCAL_ADMIN_PASSWORD)
        )
    else:
        try:
            claim = provision.claim(DB_PREFIX)
        except provision.Busy as exc:
            raise click.ClickException(str(exc)) from None
        system = System(
            provision.fresh_vhost(VHOST),
            provision.fresh_databases(DB_PREFIX),
            out / "run",
            port,
            config_overrides={"*": {"max_workers": max_workers}},
            log_level=log_level,
        )
        for old in (out / "run").glob("*.log"):
            old.unlink()
    sampler = ResourceSampler(system, sample_every)
    try:
        if not attach:
            system.prepare()
            system.start(replica_counts)
        outcome = run(
            system,
            sampler,
            duration,
            rate,
            users,
            out,
            ceiling_seconds,
            profile,
            conditions,
        )
    finally:
        sampler.stop()
        if not attach:
            system.stop()
            claim.close()
    problems = []
    if outcome["lost"] or outcome["duplicated"] or not outcome["reconciliation"]["ok"]:
        problems.append("reconciliation failed")
    if outcome["errors"] > max_errors:
        problems.append(f"{outcome['errors']} requests failed")
    click.echo((out / "report.md").read_text(encoding="utf-8"))
    if problems:
        raise click.ClickException("; ".join(problems))


def run(
    system,
    sampler,
    duration,
    rate,
    users,
    out,
    ceiling_seconds,
    profile,
    conditions,
):
    queues = system.queues()
    sampler.start()
    logger.info("system up at %s; building the district", system.url)
    setup = district.build(
        system.url,
        getattr(system, "admin_password", ADMIN_PASSWORD),
        prefix=f"load{int(time.time())}",
    )
    setup_path = out / "run" / "setup.json"
    setup_path.write_text(json.dumps(setup, ensure_ascii=False), encoding="utf-8")
    sources = reconcile.Sources(system.database_urls, system.amqp_uri, queues)
    reconcile.wait_until_quiet(sources, timeout=60)
    logger.info("measuring the broker alone for %ss", ceiling_seconds)
    broker = (
        ceiling.measure(system.amqp_uri, ceiling_seconds) if ceiling_seconds else None
    )
    probe = CreditProbe(system.amqp_uri)
    probe.start()
    spies = [
        profiler.record(p, out, duration) for s in profile for p in system.running(s)
    ]
    cost = Cost(system)
    cost.start()
    records = run_locust(system.url, setup_path, out, duration, rate, users)
    drained_in = reconcile.wait_until_quiet(sources, timeout=120, settle=2)
    cost.drained()
    time.sleep(1)
    probe.stop()
    for spy, folded in spies:
        spy.wait(timeout=60)
        if folded.exists():
            profiler.summarize(folded)
    sources.confirmed_orders = {f["order_id"] for f in records["flows"] if f.get("ok")}
    sources.credits_seen = probe.credits_seen()
    checked = reconcile.reconcile(sources)
    sources.close()
    reconciliation = {**checked.to_dict(), "lines": list(checked.lines())}
    for line in reconciliation["lines"]:
        logger.info("%s", line)
    sampler.stop()
    completed = sum(1 for flow in records["flows"] if flow.get("ok"))
    figures = report.build(
        records,
        probe.seen,
        broker,
        reconciliation,
        {
            "samples": sampler.samples,
            "summary": sampler.summary(),
            "per_flow": cost.per_flow(completed),
        },
        {
            **conditions,
            "drained_after_s": round(drained_in, 2),
            "optional_steps": setup["optional_steps"],
        },
    )
    report.write(figures, out)
    return figures


def run_locust(url, setup_path, out, duration, rate, users):
    records_path = out / "run" / "records.json"
    env = {
        **os.environ,
        "LOADTEST_SETUP": str(setup_path),
        "LOADTEST_RECORDS": str(records_path),
        "LOADTEST_RATE": str(rate),
        "LOADTEST_USERS": str(users),
        "LOADTEST_MAX_FLOWS": str(math.ceil(rate * duration * 1.05)),
    }
    command = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(HERE / "locustfile.py"),
        "--headless",
        "--host",
        url,
        "--users",
        str(users),
        "--spawn-rate",
        str(max(users / 2, 1)),
        "--run-time",
        f"{duration}s",
        "--stop-timeout",
        "15",
        "--only-summary",
        "--csv",
        str(out / "run" / "locust"),
        "--loglevel",
        "WARNING",
    ]
    logger.info("Locust: %d users, %s flows/s, %d s", users, rate, duration)
    subprocess.run(command, env=env, timeout=duration + 120, check=False)
    return json.loads(records_path.read_text(encoding="utf-8"))


if __name__ == "__main__":
    main()
