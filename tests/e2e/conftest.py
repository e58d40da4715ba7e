"""Every service running in this process against one vhost, the gateway on a
free port, and a small district loaded through the HTTP API."""

import time
from dataclasses import dataclass, field

import pytest
import requests

from services.gateway.service import GatewayService
from services.inventory.service import InventoryService
from services.orders.service import OrdersService
from services.points.service import PointsService
from services.teams.service import TeamsService

SERVICES = {
    "teams": TeamsService,
    "orders": OrdersService,
    "points": PointsService,
    "inventory": InventoryService,
    "gateway": GatewayService,
}


class Api:
    """A signed-in HTTP client of the gateway."""

    def __init__(self, base_url, token=None):
        self.base_url = base_url
        self.session = requests.Session()
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"

    def call(self, method, path, body=None, **kwargs):
        return self.session.request(
            method, self.base_url + path, json=body, timeout=30, **kwargs
        )

    def post(self, path, body=None, expect=None):
        response = self.call("POST", path, body if body is not None else {})
        return _checked(response, expect)

    def get(self, path, expect=None, **params):
        return _checked(self.call("GET", path, params=params), expect)

    def eventually(self, path, body, expect, retry_on, timeout=10):
        """POST until the answer is no longer `retry_on`: the orders service
        learns teams and members from events, a moment after teams answered."""
        deadline = time.monotonic() + timeout
        while True:
            response = self.call("POST", path, body)
            if response.status_code != retry_on or time.monotonic() > deadline:
                return _checked(response, expect)
            time.sleep(0.1)


def _checked(response, expect):
    if expect is not None:
        assert response.status_code == expect, (response.status_code, response.text)
    return response.json()


@pytest.fixture
def start_system(service_config, container_factory):
    """Start every service; `prepare(configs)` may change their configs first.
    Return the gateway's base URL and the configs."""

    def start(prepare=None):
        configs = {
            name: service_config(name, EVENT_RETRY_DELAYS_MS=[100, 500])
            for name in SERVICES
        }
        configs["gateway"]["SERVICE_HEALTH_URLS"] = {
            name: f"http://{config['WEB_SERVER_ADDRESS']}/health"
            for name, config in configs.items()
            if name != "gateway"
        }
        if prepare is not None:
            prepare(configs)
        for name, service_cls in SERVICES.items():
            container_factory(service_cls, configs[name]).start()
        return f"http://{configs['gateway']['WEB_SERVER_ADDRESS']}", configs

    return start


@pytest.fixture
def lone_gateway(service_config, container_factory):
    """Start a gateway without the domain services (as many as asked for);
    return its base URL. Enough for what the gateway answers on its own."""

    def start(**overrides):
        config = service_config("gateway", **overrides)
        container_factory(GatewayService, config).start()
        return f"http://{config['WEB_SERVER_ADDRESS']}"

    return start


@pytest.fixture
def system(start_system):
    """Every service, started; the gateway's base URL and the configs."""
    return start_system()


def sign_in(base_url, username, password):
    answer = Api(base_url).post(
        "/api/auth/token", {"username": username, "password": password}, expect=200
    )
    return Api(base_url, answer["access_token"])


@dataclass
class District:
    url: str
    amqp_uri: str
    configs: dict
    admin: Api
    staff: Api
    leader: Api
    resident: Api
    team_id: str
    volunteer_ids: list
    volunteers: dict = field(default_factory=dict)

    def place_order(self, title="重阳节慰问演出", resident=None):
        body = {
            "category": "演出",
            "title": title,
            "description": "为社区老人表演舞蹈",
            "community": "铁道家园",
            "address": "长江路12号",
        }
        return (resident or self.resident).post("/api/orders", body, expect=201)

    def dispatch(self, order_id):
        return self.staff.eventually(
            f"/api/orders/{order_id}/dispatch",
            {"team_id": self.team_id},
            expect=200,
            retry_on=404,
        )

    def accept(self, order_id):
        return self.leader.eventually(
            f"/api/orders/{order_id}/accept",
            {"volunteer_ids": self.volunteer_ids},
            expect=200,
            retry_on=422,
        )


def create_account(admin, username, role, **scope):
    admin.post(
        "/api/users",
        {
            "username": username,
            "password": "密码password1",
            "role": role,
            "display_name": username,
            **scope,
        },
        expect=201,
    )


# the real communities, on streets of the district, each with one station
PLACES = {
    "铁道家园": ("长江路", "S-TDJY"),
    "五号街坊": ("福华街", "S-WHJF"),
    "万达": ("五里堡", "S-WD"),
    "建新街": ("一马路", "S-JXJ"),
}


def add_places(admin):
    for community, (street, station_id) in PLACES.items():
        admin.call(
            "PUT",
            f"/api/stations/{station_id}",
            {
                "name": f"{community}学雷锋文明使者志愿服务站",
                "street": street,
                "community": community,
                "address": f"{street}1号",
                "opening_hours": [
                    {"weekdays": [1, 2, 3, 4, 5], "from": "08:30", "to": "17:00"}
                ],
            },
        ).raise_for_status()


@pytest.fixture
def district(system):
    """铁道家园: its staff, the 俏玫瑰 dance troupe, two volunteers, a resident."""
    return make_district(system)


def make_district(system):
    url, configs = system
    admin = sign_in(url, "admin", "admin-password")
    add_places(admin)
    create_account(admin, "wang.fang", "community_staff", community="铁道家园")
    staff = sign_in(url, "wang.fang", "密码password1")
    team = staff.post(
        "/api/teams",
        {
            "name": "俏玫瑰舞蹈队",
            "categories": ["演出"],
            "community": "铁道家园",
            "contact_phone": "13800000001",
        },
        expect=201,
    )
    volunteers = {}
    for name, phone in [("李雷", "13900000001"), ("韩梅梅", "13900000002")]:
        volunteer = staff.post(
            "/api/volunteers",
            {"name": name, "phone": phone, "community": "铁道家园", "skills": ["舞蹈"]},
            expect=201,
        )
        staff.post(
            f"/api/teams/{team['id']}/members",
            {"volunteer_id": volunteer["id"]},
            expect=200,
        )
        create_account(admin, f"vol.{phone}", "volunteer", volunteer_id=volunteer["id"])
        volunteers[name] = volunteer["id"]
    create_account(admin, "zhang.dui", "team_leader", team_id=team["id"])
    create_account(admin, "zhao.daye", "resident", community="铁道家园")
    return District(
        url=url,
        amqp_uri=configs["orders"]["AMQP_URI"],
        configs=configs,
        admin=admin,
        staff=staff,
        leader=sign_in(url, "zhang.dui", "密码password1"),
        resident=sign_in(url, "zhao.daye", "密码password1"),
        team_id=team["id"],
        volunteer_ids=sorted(volunteers.values()),
        volunteers=volunteers,
    )
