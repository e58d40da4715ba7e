"""Orders flowing through the gateway while a fault is injected.

A few green threads each run whole flows, from placing to confirming, at a
steady pace. A step that is refused or times out ends that flow (the order
stays where it got to); what matters afterwards is what the databases say,
which the reconciliation checks. Every answer's status is counted.
"""

import logging
import time
from collections import Counter

import eventlet
import requests

logger = logging.getLogger(__name__)

HTTP_TIMEOUT = 15
MINUTES = (60, 30)


class Traffic:
    def __init__(self, url, district, rate=5.0, workers=5):
        self.url = url
        self.district = district
        self.rate = rate
        self.workers = workers
        self.confirmed = set()
        self.statuses = Counter()
        self.failures = []
        self._running = False
        self._threads = []

    def start(self):
        self._running = True
        self._threads = [eventlet.spawn(self._work, n) for n in range(self.workers)]

    def stop(self):
        self._running = False
        for thread in self._threads:
            thread.wait()
        self._threads = []

    def _work(self, number):
        session = requests.Session()
        team = self.district["teams"][number % len(self.district["teams"])]
        resident = self.district["resident_tokens"][
            number % len(self.district["resident_tokens"])
        ]
        pace = self.workers / self.rate
        while self._running:
            started = time.monotonic()
            self.run_flow(session, team, resident)
            eventlet.sleep(max(pace - (time.monotonic() - started), 0.01))

    def run_flow(self, session, team, resident):
        """One order from placing to confirming; its id if confirmed."""
        d = self.district
        order = self._post(
            session,
            "place",
            "/api/orders",
            resident,
            {
                "category": d["category"],
                "title": "送餐上门",
                "description": "午饭一份，少盐",
                "community": d["community"],
                "address": "五里堡7号",
            },
        )
        if order is None:
            return None
        path = f"/api/orders/{order['id']}"
        leader, volunteers = team["leader_token"], team["volunteer_ids"]
        steps = [
            ("dispatch", "/dispatch", d["staff_token"], {"team_id": team["id"]}),
            ("accept", "/accept", leader, {"volunteer_ids": volunteers}),
            (
                "report",
                "/report",
                leader,
                {"minutes": dict(zip(volunteers, MINUTES, strict=False))},
            ),
            ("confirm", "/confirm", resident, {}),
        ]
        for name, suffix, token, body in steps:
            if self._post(session, name, path + suffix, token, body) is None:
                return None
        self.confirmed.add(order["id"])
        return order["id"]

    def _post(self, session, step, path, token, body):
        try:
            answer = session.post(
                self.url + path,
                json=body,
                headers={"Authorization": f"Bearer {token}"},
                timeout=HTTP_TIMEOUT,
            )
        except requests.RequestException as exc:
            self.statuses["no answer"] += 1
            self.failures.append((time.time(), step, "no answer", repr(exc)))
            return None
        self.statuses[answer.status_code] += 1
        if answer.status_code in (200, 201):
            return answer.json()
        self.failures.append((time.time(), step, answer.status_code, answer.text))
        return None
