"""The load test finds which steps of the flow the gateway offers."""

import pytest

from loadtest.district import has_route

pytestmark = pytest.mark.e2e


def test_a_routed_step_is_found_and_a_missing_one_is_not(district):
    token = district.staff.session.headers["Authorization"].split()[1]

    assert has_route(district.url, token, "confirm")
    assert not has_route(district.url, token, "no-such-step")
