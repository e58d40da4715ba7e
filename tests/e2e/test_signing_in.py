"""Tokens expire and are refreshed; failed sign-ins are limited per account and
per address; an admin can disable an account, whose tokens stop at once."""

import pytest
from sqlalchemy import create_engine, text

from services.gateway.active_accounts import ActiveAccounts
from services.gateway.service import GatewayService
from tests.conftest import free_port
from tests.e2e.conftest import Api, sign_in
from tests.helpers import at_once, wait_for

pytestmark = pytest.mark.e2e

ADMIN = {"username": "admin", "password": "admin-password"}


@pytest.fixture
def gateway(lone_gateway):
    """The gateway alone: signing in needs no other service."""
    return lone_gateway


def token(url, username="admin", password="admin-password"):
    return Api(url).call(
        "POST", "/api/auth/token", {"username": username, "password": password}
    )


def create_resident(admin, username="li.nainai"):
    body = {
        "username": username,
        "password": "密码password1",
        "role": "resident",
        "display_name": "李奶奶",
    }
    return admin.post("/api/users", body, expect=201)


def test_sign_in_answers_a_short_lived_token_and_a_refresh_token(gateway):
    url = gateway()

    answer = token(url).json()

    assert answer["expires_in"] == 900
    assert answer["refresh_token"]
    assert answer["refresh_expires_in"] == 14 * 24 * 3600


def test_a_refresh_token_buys_a_new_pair_once(gateway):
    url = gateway()
    first = token(url).json()

    refreshed = Api(url).post(
        "/api/auth/refresh", {"refresh_token": first["refresh_token"]}, expect=200
    )
    again = Api(url).post(
        "/api/auth/refresh", {"refresh_token": first["refresh_token"]}, expect=401
    )

    assert refreshed["refresh_token"] != first["refresh_token"]
    assert refreshed["user"]["username"] == "admin"
    assert again["error"] == "unauthorized"
    # the new token is let in: the route only refuses the method
    Api(url, refreshed["access_token"]).get("/api/users/none", expect=405)


def test_a_reused_refresh_token_ends_every_token_of_that_sign_in(gateway):
    url = gateway()
    stolen = token(url).json()["refresh_token"]
    rotated = Api(url).post("/api/auth/refresh", {"refresh_token": stolen})

    Api(url).post("/api/auth/refresh", {"refresh_token": stolen}, expect=401)

    Api(url).post(
        "/api/auth/refresh", {"refresh_token": rotated["refresh_token"]}, expect=401
    )


def test_an_expired_access_token_is_refused(gateway):
    url = gateway(GATEWAY_TOKEN_TTL=-1)
    access = token(url).json()["access_token"]

    answer = Api(url, access).get("/api/banks", expect=401)

    assert "expired" in answer["message"]


def test_five_failed_sign_ins_lock_the_account_for_a_while(gateway):
    url = gateway()
    for _ in range(5):
        assert token(url, password="guess").status_code == 401

    refused = token(url)

    assert refused.status_code == 429
    assert refused.json()["error"] == "too_many_requests"
    assert 800 < int(refused.headers["Retry-After"]) <= 900


def test_a_success_clears_the_accounts_failures(gateway):
    url = gateway()
    for _ in range(4):
        token(url, password="guess")
    token(url)

    answers = [token(url, password="guess").status_code for _ in range(4)]

    assert answers == [401] * 4
    assert token(url).status_code == 200


def test_guesses_sent_at_once_get_no_more_tries_than_the_limit(gateway):
    # each attempt is counted before its password is checked: twenty guesses
    # arriving together are five answers on the password and fifteen 429s
    url = gateway()

    answers = at_once([lambda: token(url, password="guess")] * 20)

    codes = sorted(answer.status_code for answer in answers)
    assert codes == [401] * 5 + [429] * 15
    assert token(url).status_code == 429


def test_right_passwords_sent_at_once_are_all_let_in(gateway):
    # more sign-ins at once than the limit allows failures: the pending ones
    # are not failures, so none of them is refused
    url = gateway(GATEWAY_LOGIN_FAILURES_PER_ADDRESS=4)

    answers = at_once([lambda: token(url)] * 8)

    assert [answer.status_code for answer in answers] == [200] * 8


def test_an_attempt_left_pending_by_a_dead_process_counts_after_a_minute(
    gateway, service_config
):
    config = service_config("gateway")
    url = gateway(DATABASE_URL=config["DATABASE_URL"])
    engine = create_engine(config["DATABASE_URL"])
    try:
        with engine.begin() as conn:
            for seconds in (61, 62, 63, 64, 10):
                conn.execute(
                    text(
                        "INSERT INTO login_failures (subject, failed_at, pending)"
                        " VALUES ('account:admin', now() - make_interval(secs => :s),"
                        " true)"
                    ),
                    {"s": seconds},
                )
    finally:
        engine.dispose()

    # four stale attempts are failures; the fresh one may yet succeed, so
    # the next attempt waits for it, in vain, and is refused after a while
    refused = token(url)

    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "1"


def test_failures_from_one_address_are_limited_across_accounts(gateway):
    url = gateway(GATEWAY_LOGIN_FAILURES_PER_ADDRESS=3)
    for name in ("a.one", "b.two", "c.three"):
        token(url, username=name, password="guess")

    refused = token(url)

    assert refused.status_code == 429


def guess_from(url, forwarded_for, username="admin"):
    return Api(url).call(
        "POST",
        "/api/auth/token",
        {"username": username, "password": "guess"},
        headers={"X-Forwarded-For": forwarded_for},
    )


def test_behind_a_trusted_proxy_the_address_is_the_one_it_forwards(gateway):
    url = gateway(GATEWAY_TRUSTED_PROXIES=1, GATEWAY_LOGIN_FAILURES_PER_ADDRESS=3)
    # the proxy appends the address it saw; what the caller wrote before is
    # not believed
    for name in ("a.one", "b.two", "c.three"):
        assert guess_from(url, "10.0.0.9, 10.0.0.1", name).status_code == 401

    assert guess_from(url, "10.0.0.1", "d.four").status_code == 429
    assert guess_from(url, "10.0.0.1, 10.0.0.2", "d.four").status_code == 401


def test_without_a_trusted_proxy_x_forwarded_for_is_ignored(gateway):
    url = gateway(GATEWAY_LOGIN_FAILURES_PER_ADDRESS=3)
    for n, name in enumerate(("a.one", "b.two", "c.three")):
        assert guess_from(url, f"10.0.0.{n}", name).status_code == 401

    assert guess_from(url, "10.0.0.99", "d.four").status_code == 429


def test_the_limit_holds_for_every_gateway_replica(gateway, service_config):
    # two replicas share one database; the failures are counted in it
    config = service_config("gateway")
    first = gateway(DATABASE_URL=config["DATABASE_URL"])
    second = gateway(DATABASE_URL=config["DATABASE_URL"])
    for url in (first, second, first, second, first):
        token(url, password="guess")

    assert token(second).status_code == 429


def test_a_disabled_accounts_tokens_stop_working_at_once(gateway):
    url = gateway()
    admin = sign_in(url, **ADMIN)
    resident = create_resident(admin)
    signed_in = token(url, "li.nainai", "密码password1").json()
    access = Api(url, signed_in["access_token"])
    access.get("/api/banks", expect=503)  # signed in: only the service is missing

    disabled = admin.call(
        "PATCH", f"/api/users/{resident['id']}", {"disabled": True}
    ).json()

    assert disabled["disabled"] is True
    assert access.get("/api/banks", expect=401)["message"] == "the account is disabled"
    Api(url).post(
        "/api/auth/refresh", {"refresh_token": signed_in["refresh_token"]}, expect=401
    )
    assert token(url, "li.nainai", "密码password1").status_code == 401


def test_an_admin_may_not_disable_their_own_account(gateway):
    url = gateway()
    admin = sign_in(url, **ADMIN)
    me = token(url).json()["user"]

    answer = admin.call("PATCH", f"/api/users/{me['id']}", {"disabled": True})

    assert answer.status_code == 409


def test_only_the_admin_disables_accounts(gateway):
    url = gateway()
    admin = sign_in(url, **ADMIN)
    resident = create_resident(admin)
    neighbour = create_resident(admin, "zhao.daye")
    caller = sign_in(url, "li.nainai", "密码password1")

    answer = caller.call("PATCH", f"/api/users/{neighbour['id']}", {"disabled": True})

    assert answer.status_code == 403
    assert resident["disabled"] is False


def test_failures_that_left_the_window_are_forgotten(gateway, service_config):
    config = service_config("gateway")
    url = gateway(
        DATABASE_URL=config["DATABASE_URL"],
        GATEWAY_LOGIN_WINDOW_SECONDS=1,
        GATEWAY_HOUSEKEEPING_SECONDS=0.2,
    )
    token(url, password="guess")

    wait_for(
        lambda: rows(config, "login_failures") == 0,
        message="housekeeping to forget the failure",
    )

    assert token(url).status_code == 200


def rows(config, table):
    engine = create_engine(config["DATABASE_URL"])
    try:
        with engine.connect() as conn:
            return conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
    finally:
        engine.dispose()


def set_disabled_in_sql(config, user_id, disabled):
    """What an operator's SQL does, behind every gateway's back."""
    engine = create_engine(config["DATABASE_URL"])
    try:
        with engine.begin() as conn:
            conn.execute(
                text("UPDATE users SET disabled = :disabled WHERE id = :id"),
                {"disabled": disabled, "id": user_id},
            )
    finally:
        engine.dispose()


def let_in(access):
    """True if the gateway takes the token (the route then finds no service)."""
    return access.call("GET", "/api/banks").status_code == 503


def test_an_account_disabled_anywhere_stops_working_on_every_replica(
    service_config, container_factory
):
    # two replicas on one database, both listening and both remembering the
    # resident as active
    config = service_config("gateway")
    replicas = []
    for _ in range(2):
        replica = dict(config, WEB_SERVER_ADDRESS=f"127.0.0.1:{free_port()}")
        container = container_factory(GatewayService, replica)
        container.start()
        replicas.append((f"http://{replica['WEB_SERVER_ADDRESS']}", container))
    (first, _), (second, _) = replicas
    remembered = [
        next(d for d in c.dependencies if isinstance(d, ActiveAccounts))
        for _, c in replicas
    ]
    wait_for(lambda: all(r.listening for r in remembered), message="listening")
    resident = create_resident(sign_in(first, **ADMIN))
    signed_in = token(first, "li.nainai", "密码password1").json()["access_token"]
    on_first, on_second = Api(first, signed_in), Api(second, signed_in)
    assert let_in(on_first) and let_in(on_second)
    assert all(resident["id"] in r._active for r in remembered)

    # through the first replica's API: the second hears of it from PostgreSQL
    sign_in(first, **ADMIN).call(
        "PATCH", f"/api/users/{resident['id']}", {"disabled": True}
    )
    wait_for(lambda: not let_in(on_second), timeout=2, message="second refuses")
    assert not let_in(on_first)

    # by hand in the database: both forget, and let the account in again
    set_disabled_in_sql(config, resident["id"], False)
    # a request whose read crossed the notification lets the account in but
    # does not remember it (it may have read the row from before); the next does
    wait_for(
        lambda: (
            let_in(on_first)
            and let_in(on_second)
            and all(resident["id"] in r._active for r in remembered)
        ),
        timeout=2,
        message="both let the account in again and remember it",
    )
    set_disabled_in_sql(config, resident["id"], True)
    wait_for(
        lambda: not let_in(on_first) and not let_in(on_second),
        timeout=2,
        message="both refuse the account disabled by SQL",
    )
    answer = on_second.get("/api/banks", expect=401)
    assert answer["message"] == "the account is disabled"
