"""Locust users that each run whole orders, from placing to confirming.

Locust is gevent-based: this file imports nothing of nameko or eventlet, only
Locust's own HTTP client. The district comes from the JSON file named by
LOADTEST_SETUP (made through the API beforehand); every request and every
flow is recorded and written to LOADTEST_RECORDS when the test stops.
"""

import itertools
import json
import math
import os
import random
import time

from locust import FastHttpUser, constant_throughput, events, task
from locust.exception import StopUser

SETUP = json.loads(open(os.environ["LOADTEST_SETUP"], encoding="utf-8").read())
RECORDS_PATH = os.environ["LOADTEST_RECORDS"]
RATE = float(os.environ["LOADTEST_RATE"])
USERS = int(os.environ["LOADTEST_USERS"])
MAX_FLOWS = int(os.environ["LOADTEST_MAX_FLOWS"])
MINUTES = (90, 45)

requests_seen = []
flows = []
user_numbers = itertools.count()


@events.request.add_listener
def _record_request(name, start_time, response_time, exception, response, **_):
    status = getattr(response, "status_code", 0) if response is not None else 0
    requests_seen.append((name, start_time, response_time, exception is None, status))


@events.test_stop.add_listener
def _write_records(**_):
    with open(RECORDS_PATH, "w", encoding="utf-8") as out:
        json.dump({"requests": requests_seen, "flows": flows}, out)


class FlowFailed(Exception):
    """A step of the flow was refused; the flow stops there."""


class Resident(FastHttpUser):
    """One resident with a team: places orders and sees each one through."""

    wait_time = constant_throughput(RATE / USERS)

    def on_start(self):
        number = next(user_numbers)
        self.resident = SETUP["resident_tokens"][number % len(SETUP["resident_tokens"])]
        self.team = SETUP["teams"][number % len(SETUP["teams"])]
        self.flows_left = math.ceil(MAX_FLOWS / USERS)
        self.number = number
        # users spawned together would move in waves: spread their first
        # flows over one pacing period
        time.sleep(random.uniform(0, USERS / RATE))

    def step(self, name, path, token, body=None):
        with self.client.post(
            path,
            json=body or {},
            headers={"Authorization": f"Bearer {token}"},
            name=name,
            catch_response=True,
        ) as answer:
            if answer.status_code not in (200, 201):
                answer.failure(f"{answer.status_code} {answer.text[:200]}")
                raise FlowFailed(name)
            return answer.json()

    @task
    def order_flow(self):
        if self.flows_left <= 0:
            raise StopUser()
        self.flows_left -= 1
        started = time.time()
        record = {"user": self.number, "started": started, "ok": False}
        flows.append(record)
        try:
            self.run_flow(record)
        except FlowFailed as exc:
            record["failed_at"] = str(exc)
        record["ended"] = time.time()

    def run_flow(self, record):
        team, staff = self.team, SETUP["staff_token"]
        leader = team["leader_token"]
        order = self.step(
            "place",
            "/api/orders",
            self.resident,
            {
                "category": SETUP["category"],
                "title": "陪老人去医院复诊",
                "description": "周三上午九点，需要轮椅",
                "community": SETUP["community"],
                "address": "长江路12号3单元",
            },
        )
        path = f"/api/orders/{order['id']}"
        record["order_id"] = order["id"]
        self.step("dispatch", f"{path}/dispatch", staff, {"team_id": team["id"]})
        volunteers = team["volunteer_ids"]
        self.step("accept", f"{path}/accept", leader, {"volunteer_ids": volunteers})
        if "start" in SETUP["optional_steps"]:
            self.step("start", f"{path}/start", leader)
        minutes = dict(zip(volunteers, MINUTES, strict=False))
        self.step("report", f"{path}/report", leader, {"minutes": minutes})
        self.step("confirm", f"{path}/confirm", self.resident)
        record["confirmed_at"] = time.time()
        record["minutes"] = minutes
        if "rate" in SETUP["optional_steps"]:
            self.step(
                "rate", f"{path}/rate", self.resident, {"stars": 5, "comment": "很好"}
            )
        record["ok"] = True
