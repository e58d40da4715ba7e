import logging
import time

import jwt
import pytest
from nameko.exceptions import RemoteError

from eventing import logcontext
from eventing.identity import ADMIN, ROLES
from services.gateway import auth, openapi, permissions
from services.gateway.bodies import nesting, unstorable_text
from services.gateway.errors import REMOTE_ERRORS, Unauthorized
from services.gateway.server import as_api_error
from services.gateway.service import GatewayService

SECRET = "a-test-secret-of-at-least-thirty-two-bytes"


def test_every_route_that_is_not_public_has_a_permission_entry():
    for route in openapi.routes(GatewayService):
        if not route.entrypoint.public:
            assert route.name in permissions.ROLES_FOR, route.name


def test_every_permission_entry_names_a_route_and_real_roles():
    routes = {route.name for route in openapi.routes(GatewayService)}
    for name, roles in permissions.ROLES_FOR.items():
        assert name in routes
        assert set(roles) <= set(ROLES) - {ADMIN}


def test_every_role_in_the_table_is_given_a_scope():
    for route, scopes in permissions.ROLES_FOR.items():
        assert isinstance(scopes, dict), route
        assert set(scopes.values()) <= set(permissions.SCOPES), route


def test_the_admin_acts_district_wide_and_others_only_where_the_table_says():
    assert permissions.scope("get_order", ADMIN) == permissions.DISTRICT
    assert permissions.scope("get_order", "resident") == permissions.OWN_ORDERS
    assert permissions.scope("get_order", "bank_operator") is None


def test_the_admin_may_call_everything():
    assert all(permissions.allows(route, ADMIN) for route in permissions.ROLES_FOR)


def test_a_resident_may_not_dispatch():
    assert not permissions.allows("dispatch_order", "resident")


def test_an_account_with_a_volunteer_record_acts_as_that_volunteer_for_itself():
    # an approved resident keeps the role; a leader may serve as well
    assert permissions.allows("get_points", "resident", volunteer_id="v-1")
    assert permissions.allows("start_order", "resident", "v-1")
    assert permissions.allows("request_redemption", "team_leader", "v-1")
    assert permissions.allows("get_redemption", "community_staff", "v-1")
    assert permissions.scope("get_volunteer", "resident", "v-1") == (
        permissions.OWN_ACCOUNT
    )
    # not without the record, and never beyond what a volunteer may do
    assert not permissions.allows("get_points", "resident")
    assert not permissions.allows("request_redemption", "team_leader", None)
    assert not permissions.allows("dispatch_order", "resident", "v-1")
    assert not permissions.allows("list_volunteers", "resident", "v-1")
    assert not permissions.allows("reverse_transfer", "community_staff", "v-1")
    # applying is for an account without a record
    assert not permissions.for_their_volunteer("apply_volunteer")
    assert not permissions.allows("apply_volunteer", "team_leader", "v-1")


def test_refusals_map_to_the_http_codes_callers_expect():
    assert REMOTE_ERRORS["OrderNotFound"].status == 404
    assert REMOTE_ERRORS["NotAllowed"].status == 403
    assert REMOTE_ERRORS["InvalidTransition"].status == 409
    assert REMOTE_ERRORS["ValidationError"].status == 400
    assert REMOTE_ERRORS["InvalidOrderInput"].status == 422
    assert REMOTE_ERRORS["DatabaseUnavailable"].status == 503


def test_text_no_database_can_store_is_found_wherever_it_is():
    body = {"title": "修\x00水龙头", "minutes": {"v-1": 60, "v\ud800": 30}, "ok": "好"}

    assert sorted(unstorable_text(body)) == ["minutes", "title"]
    assert unstorable_text({"items": ["好", "坏\x00"]}) == ["items.1"]
    assert unstorable_text({"title": "重阳节"}) == []


def test_each_log_line_carries_the_request_id_bound_to_its_green_thread():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "m", (), None)
    logcontext.bind("req-1")

    logcontext.RequestIdFilter().filter(record)
    logcontext.unbind()

    assert record.request_id == "req-1"


class User:
    id, role, community, team_id, volunteer_id, bank_id = (
        "u-1",
        "community_staff",
        "铁道家园",
        None,
        None,
        None,
    )


def test_a_token_proves_the_callers_role_and_scope():
    token = auth.issue_token(User, SECRET, ttl_seconds=60)

    caller = auth.caller_from_header(f"Bearer {token}", SECRET)

    assert (caller.user_id, caller.role, caller.community) == (
        "u-1",
        "community_staff",
        "铁道家园",
    )


def test_an_expired_token_is_refused():
    token = jwt.encode(
        {"sub": "u-1", "role": "admin", "exp": int(time.time()) - 1},
        SECRET,
        algorithm="HS256",
    )

    with pytest.raises(Unauthorized, match="expired"):
        auth.caller_from_header(f"Bearer {token}", SECRET)


@pytest.mark.parametrize("header", [None, "", "Basic abc", "Bearer not-a-jwt"])
def test_a_missing_or_forged_token_is_refused(header):
    with pytest.raises(Unauthorized):
        auth.caller_from_header(header, SECRET)


def test_a_token_signed_with_another_secret_is_refused():
    token = auth.issue_token(User, "another-secret-of-at-least-thirty-two-b", 60)

    with pytest.raises(Unauthorized):
        auth.caller_from_header(f"Bearer {token}", SECRET)


def test_passwords_are_stored_as_argon2_hashes():
    stored = auth.hash_password("秘密password")

    assert stored.startswith("$argon2")
    assert auth.verify_password(stored, "秘密password")
    assert not auth.verify_password(stored, "wrong")


def test_a_failure_nobody_expected_tells_the_caller_nothing_of_its_insides():
    failure = RemoteError("KeyError", "'password_hash' in /srv/services/x.py line 3")

    error = as_api_error(failure)

    assert (error.status, error.body()) == (
        500,
        {"error": "internal_error", "message": "the request failed; it was logged"},
    )


def test_nesting_counts_objects_and_lists_not_plain_values():
    assert nesting("重阳节") == 0
    assert nesting({}) == 1
    assert nesting({"lines": [{"item_id": "i-1", "quantity": 2}]}) == 3
    assert nesting({"a": [], "b": {"c": {"d": [1]}}}) == 4
    deep = []
    for _ in range(5000):
        deep = [deep]
    assert nesting(deep) == 5001
