"""The running gateway serves the document its routes make, a page to read
it offline, and survives every request the document allows (schemathesis)."""

import re

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from services.gateway.openapi import build_document
from services.gateway.service import GatewayService
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e

# per operation: enough to reach each field's edges, few enough to stay quick
# (60 of each found nothing more when this was written)
EXAMPLES = {GenerationMode.POSITIVE: 10, GenerationMode.NEGATIVE: 5}
# no 5xx, and every answer as documented (the status, its type, headers, body);
# schemathesis's data-acceptance checks are left out: a well-formed request
# may still be refused, e.g. text with a NUL character no database stores
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


def test_the_served_document_is_the_one_the_routes_make(system):
    url, _ = system

    served = requests.get(f"{url}/api/openapi.json", timeout=10)

    assert served.status_code == 200
    assert served.json() == build_document(GatewayService)


def test_the_reference_page_needs_nothing_from_elsewhere(system):
    url, _ = system

    page = requests.get(f"{url}/api/docs", timeout=10)

    assert page.status_code == 200
    assert page.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "<script" not in page.text
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page.text)
    for path in build_document(GatewayService)["paths"]:
        assert path in page.text


def test_no_request_makes_the_gateway_fail_or_answer_off_the_document(system):
    url, _ = system
    token = sign_in(url, "admin", "admin-password").session.headers["Authorization"]
    schema = schemathesis.openapi.from_url(f"{url}/api/openapi.json")

    for result in schema.get_all_operations():
        for mode, examples in EXAMPLES.items():
            fuzz(result.ok(), mode, examples, url, {"Authorization": token})


def fuzz(operation, mode, examples, url, headers):
    """Send the operation requests the document allows (positive) or breaks
    (negative); fail on the first answer a check refuses, with schemathesis's
    report of it."""

    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def check(case):
        case.call_and_validate(base_url=url, headers=headers, checks=CHECKS, timeout=30)

    check()
