"""A command retried with its Idempotency-Key answers its first answer and
creates nothing more, even when the two tries arrive at once."""

import uuid

import eventlet
import pytest
from sqlalchemy import create_engine, text

from tests.e2e.conftest import add_places, create_account, sign_in

pytestmark = pytest.mark.e2e


class Residents:
    """Two residents of one community, and where the orders are kept."""

    def __init__(self, system):
        url, configs = system
        self.admin = sign_in(url, "admin", "admin-password")
        add_places(self.admin)
        for name in ("zhao.daye", "li.nainai"):
            create_account(self.admin, name, "resident", community="铁道家园")
        self.resident = sign_in(url, "zhao.daye", "密码password1")
        self.neighbour = sign_in(url, "li.nainai", "密码password1")
        self.configs = configs

    def place_order(self):
        return self.resident.post("/api/orders", ORDER, expect=201)


@pytest.fixture
def district(system):
    return Residents(system)


ORDER = {
    "category": "演出",
    "title": "重阳节慰问演出",
    "description": "为社区老人表演舞蹈",
    "community": "铁道家园",
    "address": "长江路12号",
}


def orders_in_database(district):
    engine = create_engine(district.configs["orders"]["DATABASE_URL"])
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT count(*) FROM orders")).scalar_one()
    finally:
        engine.dispose()


def place(district, key, body=ORDER):
    return district.resident.call(
        "POST", "/api/orders", body, headers={"Idempotency-Key": key}
    )


def test_a_retried_order_answers_the_first_answer_and_places_one_order(district):
    key = str(uuid.uuid4())

    first = place(district, key)
    retry = place(district, key)

    assert (first.status_code, retry.status_code) == (201, 201)
    assert retry.json() == first.json()
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert orders_in_database(district) == 1


def test_the_same_key_with_another_body_is_a_conflict(district):
    key = str(uuid.uuid4())
    place(district, key)

    answer = place(district, key, {**ORDER, "title": "另一个请求"})

    assert answer.status_code == 409
    assert "another request" in answer.json()["message"]
    assert orders_in_database(district) == 1


def test_simultaneous_double_clicks_place_one_order(district):
    key = str(uuid.uuid4())

    clicks = [eventlet.spawn(place, district, key) for _ in range(4)]
    answers = [click.wait() for click in clicks]

    assert {a.status_code for a in answers} == {201}
    assert len({a.json()["id"] for a in answers}) == 1
    assert orders_in_database(district) == 1


def test_keys_belong_to_their_caller(district):
    key = str(uuid.uuid4())
    place(district, key)

    other = district.neighbour.call(
        "POST", "/api/orders", ORDER, headers={"Idempotency-Key": key}
    )

    assert other.status_code == 201
    assert orders_in_database(district) == 2


def test_without_a_key_each_request_places_an_order(district):
    district.place_order()
    district.place_order()

    assert orders_in_database(district) == 2


def test_a_key_that_is_not_plain_text_is_refused(district):
    answer = place(district, "two words")

    assert answer.status_code == 400
    assert orders_in_database(district) == 0
