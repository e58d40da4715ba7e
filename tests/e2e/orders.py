"""Bring an order of the test district to a status over the HTTP API."""

from tests.e2e.conftest import create_account, sign_in

PASSWORD = "密码password1"


# the straight path; "disputed" and "completed" branch off after "reported"
PATH = ["dispatched", "accepted", "in_service", "reported"]


def order_at(district, status, **place):
    """A new order of the district's resident, moved along to `status`."""
    order = district.place_order(**place)
    if status in PATH:
        path = PATH[: PATH.index(status) + 1]
    else:
        path = [] if status == "placed" else [*PATH, status]
    for step in path:
        order = _step(district, order["id"], step)
    assert order["status"] == status
    return order


def _step(district, order_id, status):
    url = f"/api/orders/{order_id}"
    if status == "dispatched":
        return district.dispatch(order_id)
    if status == "accepted":
        return district.accept(order_id)
    if status == "in_service":
        return district.leader.post(f"{url}/start", expect=200)
    if status == "reported":
        minutes = {district.volunteers["李雷"]: 60}
        return district.leader.post(f"{url}/report", {"minutes": minutes}, expect=200)
    if status == "disputed":
        body = {"reason": "只来了一个人"}
        return district.resident.post(f"{url}/dispute", body, expect=200)
    return district.staff.post(f"{url}/confirm", expect=200)


def volunteer(district, name):
    """The volunteer's own signed-in client (李雷 or 韩梅梅)."""
    phone = {"李雷": "13900000001", "韩梅梅": "13900000002"}[name]
    return sign_in(district.url, f"vol.{phone}", PASSWORD)


def newcomer(district, username, role, **scope):
    """A fresh account of `role`, signed in."""
    create_account(district.admin, username, role, **scope)
    return sign_in(district.url, username, PASSWORD)


def user_id(district, username, role, **scope):
    """Create an account and return its id."""
    body = {
        "username": username,
        "password": PASSWORD,
        "role": role,
        "display_name": username,
        **scope,
    }
    return district.admin.post("/api/users", body, expect=201)["id"]
