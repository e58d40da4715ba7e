"""`volunteer-platform demo`: one morning of the district, over the gateway's API.

The demo is a plain HTTP client. It signs the cast in (creating the accounts,
teams and volunteers the first time), runs each request of the morning from
order to confirmation, then waits for the points and prints every balance.
"""

import json
import logging
import os
import signal
import time
import unicodedata
import warnings
from dataclasses import dataclass, field
from importlib import resources

import click
import requests

from ops.cli import GATEWAY_URL, start_all, stop

HTTP_TIMEOUT = 10
# the orders service learns teams and members from events, a moment later
RETRY_EVERY = 0.2
RETRY_FOR = 10
POINTS_TIMEOUT = 30
INDENT = "      "
TEAM_FIELDS = ("name", "categories", "community", "contact_phone", "description")


class DemoFailed(click.ClickException):
    """The demo could not finish; the message names the step and the reason."""


class ApiRefused(DemoFailed):
    """The gateway answered a call with an error."""

    def __init__(self, method, path, status, body):
        self.status = status
        message = body.get("message", "") if isinstance(body, dict) else body
        fields = body.get("fields") if isinstance(body, dict) else None
        super().__init__(
            f"{method} {path} answered {status}: {message}"
            + (f" {json.dumps(fields, ensure_ascii=False)}" if fields else "")
        )


def load_district():
    """The demo's district: streets, people, teams and the morning's requests."""
    data = resources.files("ops") / "data" / "district.json"
    return json.loads(data.read_text(encoding="utf-8"))


class Gateway:
    """The gateway's HTTP API, called with or without a bearer token."""

    def __init__(self, url):
        self.url = url.rstrip("/")
        self.http = requests.Session()

    def call(self, method, path, token=None, body=None):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        try:
            answer = self.http.request(
                method,
                self.url + path,
                json=body,
                headers=headers,
                timeout=HTTP_TIMEOUT,
            )
        except requests.RequestException as exc:
            message = f"{method} {path}: no answer from the gateway: {exc}"
            raise DemoFailed(message) from exc
        if not answer.ok:
            raise ApiRefused(method, path, answer.status_code, _json_or_text(answer))
        return answer.json()

    def answers(self):
        try:
            return self.http.get(self.url + "/health", timeout=2).ok
        except requests.RequestException:
            return False


def _json_or_text(answer):
    try:
        return answer.json()
    except ValueError:
        return answer.text[:200]


@dataclass
class Account:
    """A signed-in account: its token and what it says about itself."""

    token: str
    user: dict

    def call(self, gateway, method, path, body=None):
        return gateway.call(method, path, self.token, body)


def sign_in(gateway, username, password):
    body = {"username": username, "password": password}
    answer = gateway.call("POST", "/api/auth/token", body=body)
    return Account(answer["access_token"], answer["user"])


def try_sign_in(gateway, username, password):
    """The account, or None if it does not exist yet (an earlier run made it)."""
    try:
        return sign_in(gateway, username, password)
    except ApiRefused as exc:
        if exc.status != 401:
            raise
        return None


def sign_in_admin(gateway, password):
    try:
        return sign_in(gateway, "admin", password)
    except ApiRefused as exc:
        raise DemoFailed(
            f"the admin could not sign in ({exc.message}); pass --admin-password "
            "or set GATEWAY_ADMIN_PASSWORD to the password the gateway started with"
        ) from exc


def retrying(status, call, *args):
    """`call(*args)`, repeated while it answers `status`, for up to RETRY_FOR s."""
    deadline = time.monotonic() + RETRY_FOR
    while True:
        try:
            return call(*args)
        except ApiRefused as exc:
            if exc.status != status or time.monotonic() > deadline:
                raise
        time.sleep(RETRY_EVERY)


# ---- the cast: accounts, teams and volunteers, made once and reused


@dataclass
class Cast:
    admin: Account
    password: str
    staff: dict = field(default_factory=dict)
    residents: dict = field(default_factory=dict)
    teams: dict = field(default_factory=dict)
    volunteers: dict = field(default_factory=dict)


def ensure_account(gateway, cast, fields):
    """Sign in as `fields["username"]`, creating the account first if needed."""
    # creating first (409 when an earlier run did) spends no failed sign-in,
    # which the gateway counts and limits per address
    body = {**fields, "password": cast.password}
    try:
        cast.admin.call(gateway, "POST", "/api/users", body)
    except ApiRefused as exc:
        if exc.status != 409:
            raise
    return sign_in(gateway, fields["username"], cast.password)


def ensure_staff(gateway, cast, person):
    cast.staff[person["community"]] = ensure_account(
        gateway, cast, {**person, "role": "community_staff"}
    )


def ensure_resident(gateway, cast, person):
    account = ensure_account(gateway, cast, {**person, "role": "resident"})
    cast.residents[person["username"]] = (account, person)


def ensure_team(gateway, cast, team, out):
    """The team's leader, registering the team the first time (its leader's
    account is what remembers the team's id between runs)."""
    leader = team["leader"]
    account = try_sign_in(gateway, leader["username"], cast.password)
    if account is None:
        registered = register_team(gateway, cast, team)
        fields = {**leader, "role": "team_leader", "team_id": registered["id"]}
        account = ensure_account(gateway, cast, fields)
    cast.teams[team["name"]] = account
    out(
        f"{INDENT}队伍 {team['name']} ({'、'.join(team['categories'])}) "
        f"队长 {leader['display_name']}"
    )
    return account


def register_team(gateway, cast, team):
    body = {key: team[key] for key in TEAM_FIELDS}
    return cast.staff[team["community"]].call(gateway, "POST", "/api/teams", body)


def ensure_volunteer(gateway, cast, team, person):
    """The volunteer's id, registering them the first time; then their membership."""
    staff = cast.staff[team["community"]]
    account = try_sign_in(gateway, person["username"], cast.password)
    if account is None:
        volunteer_id = register_volunteer(gateway, staff, team, person)
        fields = _volunteer_account(person, volunteer_id)
        account = ensure_account(gateway, cast, fields)
    volunteer_id = account.user["volunteer_id"]
    team_id = cast.teams[team["name"]].user["team_id"]
    # adding a member twice is harmless: the teams service answers 200
    staff.call(
        gateway, "POST", f"/api/teams/{team_id}/members", {"volunteer_id": volunteer_id}
    )
    cast.volunteers[person["username"]] = {
        **person,
        "id": volunteer_id,
        "team": team["name"],
    }


def register_volunteer(gateway, staff, team, person):
    body = {key: person[key] for key in ("name", "phone", "skills")}
    body["community"] = team["community"]
    return staff.call(gateway, "POST", "/api/volunteers", body)["id"]


def _volunteer_account(person, volunteer_id):
    return {
        "username": person["username"],
        "display_name": person["name"],
        "role": "volunteer",
        "volunteer_id": volunteer_id,
    }


def ensure_places(gateway, admin, district):
    """Each community's street and station (a PUT: running it again is harmless)."""
    for community in district["communities"]:
        station = community["station"]
        body = {
            "name": f"{community['name']}学雷锋文明使者志愿服务站",
            "street": community["street"],
            "community": community["name"],
            "address": station["address"],
            "opening_hours": station["opening_hours"],
        }
        admin.call(gateway, "PUT", f"/api/stations/{station['id']}", body)


def gather_cast(gateway, admin_password, district, out):
    """Every account, team and volunteer of the district, ready to act."""
    admin = sign_in_admin(gateway, admin_password)
    ensure_places(gateway, admin, district)
    cast = Cast(admin, district["password"])
    for person in district["staff"]:
        ensure_staff(gateway, cast, person)
    for person in district["residents"]:
        ensure_resident(gateway, cast, person)
    for team in district["teams"]:
        ensure_team(gateway, cast, team, out)
        for person in team["volunteers"]:
            ensure_volunteer(gateway, cast, team, person)
    return cast


# ---- the morning: each request from order to confirmation


def serve_request(gateway, cast, request, out):
    """Carry one request through the whole flow; its order's id."""
    resident, person = cast.residents[request["resident"]]
    order = place(gateway, resident, person, request, out)
    path = f"/api/orders/{order['id']}"
    dispatch(gateway, cast, person["community"], path, request, out)
    leader = cast.teams[request["team"]]
    served = [cast.volunteers[name] for name in request["minutes"]]
    accept(gateway, leader, path, served, out)
    report(gateway, leader, path, served, request["minutes"], out)
    resident.call(gateway, "POST", path + "/confirm")
    out(f"{INDENT}居民确认完成")
    return order["id"]


def place(gateway, resident, person, request, out):
    body = {
        key: request[key] for key in ("title", "description", "category", "address")
    }
    body["community"] = person["community"]
    order = resident.call(gateway, "POST", "/api/orders", body)
    out(
        f"{request['time']} {person['display_name']} 点单: {request['title']} "
        f"({request['category']}) @ {request['address']}"
    )
    return order


def dispatch(gateway, cast, community, path, request, out):
    staff = cast.staff[community]
    body = {"team_id": cast.teams[request["team"]].user["team_id"]}
    # 404 until the orders service has heard of the team
    retrying(404, staff.call, gateway, "POST", path + "/dispatch", body)
    out(f"{INDENT}社区派单 → {request['team']}")


def accept(gateway, leader, path, served, out):
    body = {"volunteer_ids": [v["id"] for v in served]}
    # 422 until the orders service has heard of the memberships
    retrying(422, leader.call, gateway, "POST", path + "/accept", body)
    out(f"{INDENT}志愿者接单: {', '.join(v['name'] for v in served)}")


def report(gateway, leader, path, served, minutes, out):
    body = {"minutes": {v["id"]: minutes[v["username"]] for v in served}}
    leader.call(gateway, "POST", path + "/report", body)
    spent = ", ".join(f"{v['name']} {minutes[v['username']]} 分钟" for v in served)
    out(f"{INDENT}上报服务时长: {spent}")


# ---- the points, once they have all arrived


def expected_orders(district, cast, order_ids):
    """For each volunteer's id, the orders of this run they should be paid for."""
    expected = {v["id"]: set() for v in cast.volunteers.values()}
    for request, order_id in zip(district["morning"], order_ids, strict=True):
        for username in request["minutes"]:
            expected[cast.volunteers[username]["id"]].add(order_id)
    return expected


def statement_if_paid(gateway, staff, volunteer_id, order_ids):
    """The volunteer's statement if it shows every one of `order_ids`, else None."""
    try:
        statement = staff.call(gateway, "GET", f"/api/volunteers/{volunteer_id}/points")
    except ApiRefused as exc:
        # 404: the points service has not yet opened this volunteer's account
        if exc.status != 404:
            raise
        return None
    paid = {entry["order_id"] for entry in statement["entries"]}
    return statement if order_ids <= paid else None


def await_points(gateway, staff, expected, timeout=POINTS_TIMEOUT):
    """Every volunteer's statement, once the points for this run are all in."""
    statements = {}
    deadline = time.monotonic() + timeout
    while True:
        for volunteer_id in expected.keys() - statements.keys():
            found = statement_if_paid(
                gateway, staff, volunteer_id, expected[volunteer_id]
            )
            if found:
                statements[volunteer_id] = found
        if len(statements) == len(expected):
            return statements
        if time.monotonic() > deadline:
            raise DemoFailed(_unpaid_message(expected, statements, timeout))
        time.sleep(RETRY_EVERY)


def _unpaid_message(expected, statements, timeout):
    missing = sorted(set(expected) - set(statements))
    return (
        f"points for {len(missing)} volunteer(s) did not arrive within {timeout} s "
        f"(volunteer ids: {', '.join(missing)}); is the points service running?"
    )


def balances(cast, statements):
    """One row per volunteer: name, team, certified minutes, balance."""
    return [
        {
            "name": v["name"],
            "team": v["team"],
            "certified_minutes": statements[v["id"]]["certified_minutes"],
            "balance": statements[v["id"]]["balance"],
        }
        for v in cast.volunteers.values()
    ]


def _pad(text, width):
    # Chinese characters take two columns in a terminal
    used = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in str(text))
    return str(text) + " " * max(width - used, 0)


def print_balances(rows, out):
    out("累计积分 (每次运行演示都会在上次的基础上累加):")
    out(_pad("志愿者", 10) + _pad("队伍", 16) + _pad("认证时长(分钟)", 16) + "积分余额")
    for row in rows:
        out(
            _pad(row["name"], 10)
            + _pad(row["team"], 16)
            + _pad(row["certified_minutes"], 16)
            + str(row["balance"])
        )


# ---- the whole demo


def run_demo(gateway_url, admin_password, out=print):
    """Run the morning against a running gateway; the balance rows it printed."""
    gateway = Gateway(gateway_url)
    district = load_district()
    out(f"街道: {'、'.join(district['streets'])}")
    out(f"社区: {'、'.join(_community(c) for c in district['communities'])}")
    cast = gather_cast(gateway, admin_password, district, out)
    out("")
    order_ids = [serve_request(gateway, cast, r, out) for r in district["morning"]]
    out("")
    out("等待积分到账 ...")
    # the admin reads every community's points; staff only their own
    reader = cast.admin
    expected = expected_orders(district, cast, order_ids)
    rows = balances(cast, await_points(gateway, reader, expected))
    print_balances(rows, out)
    return rows


def _community(community):
    return community["name"] + (f" ({community['note']})" if community["note"] else "")


def start_system(admin_password, out):
    """Start every service on this machine; the processes to stop afterwards."""
    out("no gateway answers: starting every service (as `volunteer-platform run`)")
    quiet_services()
    # a first start creates the admin account with the password the demo signs in with
    os.environ["GATEWAY_ADMIN_PASSWORD"] = admin_password
    processes = start_all()
    out(f"{len(processes)} services running")
    return processes


def quiet_services():
    """Keep the services' start-up chatter out of the demo's story."""
    # LOG_LEVEL=INFO brings the services' own logs back
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
    logging.getLogger("alembic").setLevel(logging.WARNING)


def _exit_on_sigterm(signum, frame):
    raise SystemExit(128 + signum)


def main(gateway_url=GATEWAY_URL, admin_password="admin", out=print):
    """Run the demo, starting the local system first if no gateway answers."""
    started = time.monotonic()
    processes = []
    if not Gateway(gateway_url).answers():
        if gateway_url.rstrip("/") != GATEWAY_URL:
            raise DemoFailed(f"no gateway answers at {gateway_url}")
        processes = start_system(admin_password, out)
        # `kill` as well as Ctrl-C must leave no service behind
        signal.signal(signal.SIGTERM, _exit_on_sigterm)
    try:
        run_demo(gateway_url, admin_password, out)
    finally:
        if processes:
            out("stopping the services the demo started")
            stop(processes)
    out(f"demo finished in {time.monotonic() - started:.1f} s")
