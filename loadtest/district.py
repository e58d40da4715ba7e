"""The accounts, teams and volunteers a load test needs, made through the API.

Everyone signs in once here; the Locust users only reuse the tokens.
"""

import logging

import requests

logger = logging.getLogger(__name__)

COMMUNITY = "铁道家园"
STATION = "S-TDJY"
CATEGORY = "助老"
PASSWORD = "负载测试password1"
VOLUNTEERS_PER_TEAM = 2
TIMEOUT = 30
# optional steps that other issues add to the flow; each runs when the
# gateway has the route, and is skipped otherwise
OPTIONAL_STEPS = ("start", "rate")


class Client:
    def __init__(self, url, token=None):
        self.url = url
        self.http = requests.Session()
        if token:
            self.http.headers["Authorization"] = f"Bearer {token}"

    def post(self, path, body=None, expect=(200, 201)):
        answer = self.http.post(self.url + path, json=body or {}, timeout=TIMEOUT)
        if answer.status_code not in expect:
            raise RuntimeError(f"POST {path}: {answer.status_code} {answer.text}")
        return answer.json()


def sign_in(url, username, password):
    body = Client(url).post(
        "/api/auth/token", {"username": username, "password": password}
    )
    return body["access_token"]


def create_account(admin, username, role, **scope):
    admin.post(
        "/api/users",
        {
            "username": username,
            "password": PASSWORD,
            "role": role,
            "display_name": username,
            **scope,
        },
    )


def sign_in_admin(url, password):
    """The admin account, which the gateway makes before it opens its port."""
    return sign_in(url, "admin", password)


def add_station(admin):
    """The community's station, which makes it one of the district's."""
    answer = admin.http.put(
        f"{admin.url}/api/stations/{STATION}",
        json={
            "name": f"{COMMUNITY}学雷锋文明使者志愿服务站",
            "street": "长江路",
            "community": COMMUNITY,
            "address": "长江路1号",
            "opening_hours": [
                {"weekdays": [1, 2, 3, 4, 5], "from": "08:30", "to": "17:00"}
            ],
        },
        timeout=TIMEOUT,
    )
    answer.raise_for_status()


def build(url, admin_password, teams=10, residents=20, prefix="load"):
    """Create the district; return what the Locust users need."""
    admin = Client(url, sign_in_admin(url, admin_password))
    add_station(admin)
    create_account(admin, f"{prefix}.staff", "community_staff", community=COMMUNITY)
    staff_token = sign_in(url, f"{prefix}.staff", PASSWORD)
    staff = Client(url, staff_token)
    built_teams = []
    for t in range(teams):
        team = staff.post(
            "/api/teams",
            {
                "name": f"第{t + 1}志愿服务队",
                "categories": [CATEGORY],
                "community": COMMUNITY,
                "contact_phone": f"1380000{t:04d}",
            },
        )
        volunteer_ids = []
        for v in range(VOLUNTEERS_PER_TEAM):
            volunteer = staff.post(
                "/api/volunteers",
                {
                    "name": f"志愿者{t + 1}-{v + 1}",
                    "phone": f"139{t:04d}{v:04d}",
                    "community": COMMUNITY,
                    "skills": ["陪护"],
                },
            )
            staff.post(
                f"/api/teams/{team['id']}/members", {"volunteer_id": volunteer["id"]}
            )
            volunteer_ids.append(volunteer["id"])
        leader = f"{prefix}.leader{t}"
        create_account(admin, leader, "team_leader", team_id=team["id"])
        built_teams.append(
            {
                "id": team["id"],
                "volunteer_ids": volunteer_ids,
                "leader_token": sign_in(url, leader, PASSWORD),
            }
        )
    resident_tokens = []
    for r in range(residents):
        username = f"{prefix}.resident{r}"
        create_account(admin, username, "resident", community=COMMUNITY)
        resident_tokens.append(sign_in(url, username, PASSWORD))
    logger.info("district built: %d teams, %d residents", teams, residents)
    return {
        "community": COMMUNITY,
        "category": CATEGORY,
        "staff_token": staff_token,
        "teams": built_teams,
        "resident_tokens": resident_tokens,
        "optional_steps": [s for s in OPTIONAL_STEPS if has_route(url, staff_token, s)],
    }


def has_route(url, token, step):
    """Whether the gateway's OpenAPI document offers `POST /api/orders/{id}/<step>`."""
    answer = requests.get(
        f"{url}/api/openapi.json",
        headers={"Authorization": f"Bearer {token}"},
        timeout=TIMEOUT,
    )
    answer.raise_for_status()
    return any(
        path.startswith("/api/orders/{")
        and path.endswith(f"}}/{step}")
        and "post" in operations
        for path, operations in answer.json()["paths"].items()
    )
