"""Every answer has the one shape, whatever refuses the call: the gateway,
werkzeug's routing or a service; lists come a page at a time; the probes say
whether the gateway can serve."""

import pytest
import requests

from tests.e2e.conftest import Api, sign_in

pytestmark = pytest.mark.e2e


@pytest.fixture
def admin(lone_gateway):
    """The admin, signed in to a gateway alone: the refusals below are the
    gateway's own."""
    return sign_in(lone_gateway(), "admin", "admin-password")


def test_an_unknown_path_is_not_found_in_the_one_shape(admin):
    response = admin.call("GET", "/api/nothing/here")

    assert response.status_code == 404
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    assert response.json()["error"] == "not_found"
    assert "GET /api/nothing/here" in response.json()["message"]


def test_an_unknown_path_without_a_token_is_unauthorized(admin):
    response = Api(admin.base_url).call("GET", "/api/nothing/here")

    assert response.status_code == 401


def test_a_method_a_path_does_not_take_is_not_allowed_in_the_one_shape(admin):
    response = admin.call("DELETE", "/api/teams")

    assert response.status_code == 405
    assert response.json()["error"] == "method_not_allowed"
    assert response.headers["Allow"] == "GET, HEAD, POST"


def test_a_body_over_the_limit_is_refused_before_it_is_read(admin):
    huge = {**order_body(), "description": "长" * 30_000}

    response = admin.call("POST", "/api/orders", huge)

    assert response.status_code == 413
    assert response.json()["error"] == "payload_too_large"


def test_a_body_that_is_not_utf8_is_refused(admin):
    response = admin.call(
        "POST",
        "/api/orders",
        data='{"title": "修水龙头"}'.encode("gb18030"),
        headers={"Content-Type": "application/json"},
    )

    assert response.status_code == 400
    assert response.json()["message"] == "the body is not UTF-8"


@pytest.mark.parametrize(
    "path, body",
    [
        # past what json itself will decode, and before signing in
        ("/api/auth/token", "[" * 5000 + "]" * 5000),
        # decodable, but deep enough to break a walk over it
        ("/api/orders", '{"title": ' * 900 + '"修"' + "}" * 900),
    ],
)
def test_a_body_nested_absurdly_deep_is_refused(admin, path, body):
    response = admin.call(
        "POST", path, data=body, headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 400, response.text
    assert response.json()["message"] == (
        "the body nests objects and lists over 32 levels deep"
    )


def test_chinese_text_comes_back_as_it_was_sent(district):
    response = district.resident.call("POST", "/api/orders", order_body())

    assert "重阳节慰问演出".encode() in response.content
    assert response.json()["address"] == "长江路12号"


def test_a_list_comes_a_page_at_a_time(district):
    for name in ("书香艺术团", "手拉手艺术团"):
        district.staff.post("/api/teams", team_body(name), expect=201)

    first = district.staff.get("/api/teams", expect=200, limit=2)
    rest = district.staff.get(
        "/api/teams", expect=200, limit=2, cursor=first["next_cursor"]
    )

    assert first["total"] == 3
    assert [len(first["items"]), len(rest["items"])] == [2, 1]


def test_a_page_larger_than_the_limit_is_refused(district):
    answer = district.staff.get("/api/teams", expect=400, limit=101)

    assert "limit" in answer["fields"]


def test_health_and_ready_answer_without_a_token(district):
    health = requests.get(f"{district.url}/health", timeout=10)
    ready = requests.get(f"{district.url}/ready", timeout=10)

    assert health.json() == {"status": "ok"}
    assert ready.status_code == 200
    assert ready.json()["checks"] == dict.fromkeys(
        ("broker", "teams", "orders", "points", "inventory"), "ok"
    )


def test_ready_names_a_service_that_does_not_answer(start_system):
    def points_is_gone(configs):
        configs["gateway"]["SERVICE_HEALTH_URLS"]["points"] = "http://127.0.0.1:9/"

    url, _ = start_system(points_is_gone)

    ready = requests.get(f"{url}/ready", timeout=10)

    assert ready.status_code == 503
    assert ready.json()["error"] == "unavailable"
    assert ready.json()["checks"]["points"] == "ConnectionError"
    assert ready.json()["checks"]["orders"] == "ok"


def order_body():
    return {
        "category": "演出",
        "title": "重阳节慰问演出",
        "description": "为社区老人表演舞蹈",
        "community": "铁道家园",
        "address": "长江路12号",
    }


def team_body(name):
    return {
        "name": name,
        "categories": ["演出"],
        "community": "铁道家园",
        "contact_phone": "13800000002",
    }
