"""How many order flows a second nameko alone carries on this machine.

    python -m benchmarks.stack_floor [--seconds 20] [--clients 20]

A flow of the load test is seven HTTP requests, each an RPC call into a
service, and nine events (one per step, two credits). This runs the same
path with nothing on it: an HTTP entrypoint that makes an RPC call
(`floor_front`), the RPC (`floor_back`) that dispatches an event, a handler
of that event (`floor_sink`): stock nameko in three processes on a fresh
vhost, no database, no schema, no outbox, no logging of their own. Client
threads post steps for the duration, first without the event, then with it.

It prints steps a second, what that is in flows (seven steps, and nine
events with the event run), and the CPU milliseconds each part of the
machine spent per step (the three services, RabbitMQ, the client). What the
order flow costs beyond this is the product's own work; what this costs is
the floor under any figure the load test can show here.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import requests
import yaml

from loadtest import provision
from loadtest.cost import cpu_by_part

VHOST = "vp-floor"
SERVICES = ("Front", "Back", "Sink")
STEPS_PER_FLOW = 7
EVENTS_PER_FLOW = 9


@dataclass(frozen=True)
class Running:
    name: str
    pid: int


class Services:
    """The three processes, as `loadtest.cost.cpu_by_part` reads a system."""

    def __init__(self, amqp_uri, port, folder):
        self.amqp_uri = amqp_uri
        self.port = port
        self.folder = Path(folder)
        self.processes = {}
        self.logs = {}

    def start(self):
        config = self.folder / "floor.yml"
        config.write_text(
            yaml.safe_dump(
                {
                    "AMQP_URI": self.amqp_uri,
                    "WEB_SERVER_ADDRESS": f"127.0.0.1:{self.port}",
                    "max_workers": 10,
                    "LOGGING": {"version": 1, "root": {"level": "WARNING"}},
                }
            )
        )
        for cls in SERVICES:
            log = self.logs[cls] = open(self.folder / f"{cls}.log", "wb")  # noqa: SIM115
            self.processes[cls] = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "nameko",
                    "run",
                    "--config",
                    str(config),
                    f"benchmarks.floor_services:{cls}",
                ],
                stdout=subprocess.DEVNULL,
                stderr=log,
            )
        deadline = time.monotonic() + 60
        while True:
            try:
                requests.post(self.url, data="warm", timeout=5).raise_for_status()
                return
            except requests.RequestException:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}/step"

    def running(self, service=None):
        return [Running(f"{cls.lower()}-0", p.pid) for cls, p in self.processes.items()]

    def stop(self):
        for process in self.processes.values():
            process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        for log in self.logs.values():
            log.close()


def load(url, clients, seconds):
    """Steps posted and answered by `clients` threads in `seconds`."""
    done = Counter()
    stop = time.monotonic() + seconds

    def client(n):
        with requests.Session() as session:
            while time.monotonic() < stop:
                answer = session.post(url, data=f"步骤-{n}", timeout=30)
                done["ok" if answer.ok else "failed"] += 1

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return done


def measure(services, events, clients, seconds):
    url = services.url + ("" if events else "?events=0")
    load(url, clients, 2)  # warm up
    before = cpu_by_part(services)
    started = time.monotonic()
    done = load(url, clients, seconds)
    elapsed = time.monotonic() - started
    after = cpu_by_part(services)
    steps = done["ok"]
    cpu = {
        part: round((after[part] - before[part]) / steps * 1000, 3)
        for part in sorted(after)
        if part != "postgresql"
    }
    return {
        "events": events,
        "steps": steps,
        "failed": done["failed"],
        "steps_per_s": round(steps / elapsed, 1),
        "cpu_ms_per_step": cpu,
        "cpu_ms_per_step_total": round(sum(cpu.values()), 3),
    }


def report(result):
    title = "HTTP → RPC → event → handler" if result["events"] else "HTTP → RPC"
    print(f"\n{title}: {result['steps']} steps answered, {result['failed']} failed")
    print(f"  steps/s: {result['steps_per_s']}")
    print("  CPU ms per step:")
    for part, ms in result["cpu_ms_per_step"].items():
        print(f"    {part:16s} {ms:7.3f}")
    print(f"    {'total':16s} {result['cpu_ms_per_step_total']:7.3f}")


def floor(plain, with_events):
    """A flow's CPU on the bare stack: seven steps, nine events."""
    step = plain["cpu_ms_per_step_total"]
    event = max(0.0, with_events["cpu_ms_per_step_total"] - step)
    flow_ms = STEPS_PER_FLOW * step + EVENTS_PER_FLOW * event
    return {
        "step_ms": step,
        "event_ms": round(event, 3),
        "flow_ms": round(flow_ms, 2),
        "flows_per_s_on_all_cores": round(os.cpu_count() * 1000 / flow_ms, 1),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--port", type=int, default=18100)
    args = parser.parse_args()
    print(f"{os.cpu_count()} CPUs, load average before {os.getloadavg()}")
    amqp_uri = provision.fresh_vhost(VHOST)
    with tempfile.TemporaryDirectory() as folder:
        services = Services(amqp_uri, args.port, folder)
        try:
            services.start()
            plain = measure(services, False, args.clients, args.seconds)
            report(plain)
            with_events = measure(services, True, args.clients, args.seconds)
            report(with_events)
        finally:
            services.stop()
    bare = floor(plain, with_events)
    print(
        f"\nA flow on the bare stack ({STEPS_PER_FLOW} steps at"
        f" {bare['step_ms']} ms, {EVENTS_PER_FLOW} events at {bare['event_ms']} ms):"
        f" {bare['flow_ms']} ms of CPU, so at most"
        f" {bare['flows_per_s_on_all_cores']} flows/s with every core busy and"
        " nothing else to do"
    )


if __name__ == "__main__":
    main()
