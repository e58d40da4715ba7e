"""Redemptions racing for a volunteer's last points and a bank's last stock
across two replicas of the ledger and of the stock, one of each SIGKILLed
while the sagas are in flight, with orders flowing all the while."""

import time
import uuid

import pytest
import requests

from loadtest import district as districts
from loadtest.system import ADMIN_PASSWORD
from tests.faults.conftest import RECOVERIES, assert_nothing_lost
from tests.faults.helpers import wait_for
from tests.helpers import at_once

pytestmark = pytest.mark.faults

RICE_PRICE = 10
RICE_STOCK = 6
TIMEOUT = 15


class Api:
    def __init__(self, url, token):
        self.url = url
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {token}"

    def call(self, method, path, body=None, expect=(200,)):
        answer = self.http.request(method, self.url + path, json=body, timeout=TIMEOUT)
        assert answer.status_code in expect, f"{method} {path}: {answer.text}"
        return answer.json()

    def post(self, path, body, expect=(201,)):
        return self.call("POST", path, body, expect)

    def get(self, path):
        return self.call("GET", path)


def open_bank(platform):
    """A bank with six bags of rice at 10 points, its operator, and two new
    volunteers in no team: 节俭 with 10 points (one bag), 富足 with 100."""
    url = platform.url
    admin = Api(url, districts.sign_in_admin(url, ADMIN_PASSWORD))
    staff = Api(url, platform.district["staff_token"])
    bank_id = admin.post(
        "/api/banks", {"name": "故障互助银行", "community": districts.COMMUNITY}
    )["id"]
    districts.create_account(admin, "faults.bank", "bank_operator", bank_id=bank_id)
    operator = Api(url, districts.sign_in(url, "faults.bank", districts.PASSWORD))
    donor = operator.post("/api/donors", {"name": "华润万家", "kind": "company"})
    rice = operator.post(
        "/api/items", {"name": "大米", "unit": "袋", "points_price": RICE_PRICE}
    )["id"]
    operator.post(
        f"/api/banks/{bank_id}/donations",
        {"donor_id": donor["id"], "lines": [{"item_id": rice, "quantity": RICE_STOCK}]},
    )
    volunteers = {}
    for name, phone, points in (
        ("节俭", "13700000001", 10),
        ("富足", "13700000002", 100),
    ):
        volunteer_id = staff.post(
            "/api/volunteers",
            {
                "name": name,
                "phone": phone,
                "community": districts.COMMUNITY,
                "skills": ["陪护"],
            },
        )["id"]
        # the ledger learns of the volunteer from VolunteerRegistered
        adjustment = {"volunteer_id": volunteer_id, "points": points, "reason": "启动"}
        wait_for(
            lambda body=adjustment: (
                admin.http.post(
                    url + "/api/points/adjustments", json=body, timeout=TIMEOUT
                ).status_code
                == 201
            ),
            timeout=30,
            what=f"{name}'s opening points",
        )
        volunteers[name] = volunteer_id
    return admin, operator, bank_id, rice, volunteers


def test_redemptions_racing_for_the_last_points_and_stock_survive_a_killed_replica(
    healthy,
):
    system = healthy.system
    admin, operator, bank_id, rice, volunteers = open_bank(healthy)
    for service in ("points", "inventory"):
        system.spawn(service, replica=1)
    system.wait_ready()
    traffic = healthy.traffic()
    traffic.start()

    resent = []

    def redeem(volunteer_id):
        body = {
            "bank_id": bank_id,
            "volunteer_id": volunteer_id,
            "lines": [{"item_id": rice, "quantity": 1}],
        }
        key = str(uuid.uuid4())

        def run():
            # the goods are reserved as the request is taken (202), or refused
            # then for want of stock (409); the points are taken afterwards. A
            # request caught by the kill (503) is sent again with its key, as
            # a client does, and never reserves twice
            for _ in range(5):
                answer = operator.http.post(
                    f"{operator.url}/api/redemptions",
                    json=body,
                    headers={"Idempotency-Key": key},
                    timeout=TIMEOUT,
                )
                if answer.status_code != 503:
                    break
                resent.append(key)
            assert answer.status_code in (202, 409), answer.text
            return answer.json()

        return run

    def kill_replicas():
        # while the first sagas are between the stock and the ledger
        time.sleep(0.05)
        for service in ("points", "inventory"):
            [replica] = [p for p in system.running(service) if p.replica == 1]
            system.kill(replica)
        return time.monotonic()

    # ten requests of 节俭, whose points pay one bag, and ten of 富足, whose
    # pay ten: twenty requests for six bags
    *answers, killed = at_once(
        [redeem(volunteers["节俭"]) for _ in range(10)]
        + [redeem(volunteers["富足"]) for _ in range(10)]
        + [kill_replicas]
    )
    taken = [(i < 10, a["id"]) for i, a in enumerate(answers) if "id" in a]
    refusals = {a["message"] for a in answers if "id" not in a}

    def settled():
        outcomes = [
            (frugal, operator.get(f"/api/redemptions/{i}")) for frugal, i in taken
        ]
        if all(o["status"] != "pending" for _, o in outcomes):
            return outcomes
        return None

    outcomes = wait_for(settled, timeout=90, what="every redemption to settle")
    settled_after = round(time.monotonic() - killed, 1)
    traffic.stop()
    report, drained = healthy.reconcile(traffic)

    def completed(by_frugal):
        return sum(
            o["status"] == "completed" for frugal, o in outcomes if frugal == by_frugal
        )

    frugal, wealthy = completed(True), completed(False)
    balances = {
        name: admin.get(f"/api/volunteers/{volunteer_id}/points")["balance"]
        for name, volunteer_id in volunteers.items()
    }
    stock = operator.get(f"/api/banks/{bank_id}/stock")["items"]
    RECOVERIES["redemptions racing, a ledger and a stock replica killed"] = {
        "settled_after_s": settled_after,
        "drained_after_s": drained,
        "reserved": len(taken),
        "resent_after_503": len(resent),
        "completed": {"节俭": frugal, "富足": wealthy},
        "answers": dict(traffic.statuses),
    }
    # every bag was reserved by someone (one that came back could be taken
    # again), refusals were for stock alone, and 节俭's points paid one bag
    assert len(taken) >= RICE_STOCK
    assert refusals <= {"fewer than 1 袋 of 大米 in stock"}
    assert frugal <= 1
    assert wealthy == sum(not frugal for frugal, _ in taken)
    assert balances == {
        "节俭": 10 - RICE_PRICE * frugal,
        "富足": 100 - RICE_PRICE * wealthy,
    }
    assert [(i["name"], i["quantity"]) for i in stock] == [
        ("大米", RICE_STOCK - frugal - wealthy)
    ]
    cancelled = [o for _, o in outcomes if o["status"] == "cancelled"]
    assert all(o.get("reason") for o in cancelled)
    assert_nothing_lost(report)
