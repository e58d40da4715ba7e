"""Import the district's registry into PostgreSQL and time keyword search.

    python -m benchmarks.teams_registry [--volunteers 80000] [--teams 420]

Makes a scratch database, migrates it, writes a synthetic registry of the
real district's size, imports it as `import-registry` does (checks, bulk
writes, one event per new row into the outbox, ANALYZE) and times that; then
imports it again (nothing changes), and times keyword searches as people type
names: the first character, the first two, the whole name, over every
volunteer and over the teams, called as the teams service calls them (one
session per search, as one worker would). The database is dropped at the end.
Targets: the import under a minute, the median search under 50 ms.
"""

import argparse
import os
import random
import statistics
import tempfile
import time
import warnings
from pathlib import Path

import psycopg2
from sqlalchemy.orm import Session

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # eventlet's deprecation notice on import
    from eventing.database import make_engine
from eventing.identity import Caller
from eventing.migrations import upgrade
from ops import registry
from ops.synthetic_registry import Size, generate
from services.teams import search

DSN = os.environ.get("BENCH_PG_DSN", "host=127.0.0.1 port=5432 user=postgres")
SECRET = "benchmark-only-id-card-key"
ADMIN = Caller("bench-admin", "admin")
TEAM_WORDS = ("维修", "舞蹈", "艺术团", "助老", "铁道", "雷锋", "服务队", "心理")


def scratch_database():
    name = f"vp_bench_teams_{os.getpid()}"
    conn = psycopg2.connect(DSN + " dbname=postgres")
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    params = dict(part.split("=", 1) for part in DSN.split())
    url = f"postgresql+psycopg2://{params['user']}@{params['host']}:{params['port']}/{name}"
    return conn, name, url


def timed(call, *args):
    started = time.perf_counter()
    result = call(*args)
    return result, time.perf_counter() - started


def typed_queries(folder, count, seed=1):
    """What people type while looking for a volunteer: 1, 2 and all characters."""
    lines = (folder / "volunteers.csv").read_text(encoding="utf-8").splitlines()[1:]
    names = [line.split(",")[1] for line in random.Random(seed).sample(lines, count)]
    return [name[:length] for name in names for length in (1, 2, len(name))]


def volunteer_search(session, q):
    filters = {"q": q, "community": None, "team_id": None, "status": "active"}
    return search.browse_volunteers(
        session, ADMIN, {**filters, "cursor": None, "limit": 20}
    )


def team_search(session, q):
    filters = {"q": q, "community": None, "category": None, "street": None}
    filters.update(kind=None, status=None, cursor=None, limit=20)
    return search.browse_teams(session, ADMIN, filters)


def latencies(engine, call, queries):
    found = []
    for q in queries:
        with Session(engine) as session:
            _, seconds = timed(call, session, q)
        found.append(seconds * 1000)
    return found


def summary(label, times):
    times = sorted(times)
    p95 = times[int(len(times) * 0.95) - 1]
    return (
        f"{label:<34} n={len(times):<4} median {statistics.median(times):6.1f} ms"
        f"   p95 {p95:6.1f} ms   max {times[-1]:6.1f} ms"
    )


def run(size, searches, keep):
    conn, name, url = scratch_database()
    engine = None
    try:
        upgrade("teams", url)
        folder = Path(tempfile.mkdtemp(prefix="vp-registry-"))
        counts, seconds = timed(generate, folder, size)
        print(f"generated {counts} in {seconds:.1f} s")
        outcome, seconds = timed(registry.import_folder, folder, url, SECRET)
        print(f"import: {registry.report(outcome, seconds)}")
        print(f"IMPORT {seconds:.1f} s (target < 60 s)")
        again, seconds = timed(registry.import_folder, folder, url, SECRET)
        print(f"import again: {registry.report(again, seconds)}")
        engine = make_engine(url)
        queries = typed_queries(folder, searches)
        latencies(engine, volunteer_search, queries[:30])  # warm the caches
        volunteer_times = latencies(engine, volunteer_search, queries)
        team_times = latencies(engine, team_search, list(TEAM_WORDS) * 5)
        print(summary("volunteers (1, 2, all characters)", volunteer_times))
        print(summary("teams (keywords)", team_times))
        median = statistics.median(volunteer_times + team_times)
        print(f"SEARCH median {median:.1f} ms (target < 50 ms)")
    finally:
        if engine is not None:
            engine.dispose()
        if not keep:
            with conn.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--volunteers", type=int, default=80_000)
    parser.add_argument("--teams", type=int, default=420)
    parser.add_argument("--searches", type=int, default=100, help="names typed")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    args = parser.parse_args()
    run(Size(volunteers=args.volunteers, teams=args.teams), args.searches, args.keep)


if __name__ == "__main__":
    main()
