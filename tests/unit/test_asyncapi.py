"""The published AsyncAPI document: current, valid, and true to what we send.

The official AsyncAPI 3.0.0 JSON Schema comes from the npm package
`@asyncapi/specs`, which `make install` fetches into build/; it is validated
offline, with every `$ref` resolved inside the schema file itself.
"""

import json
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft7Validator
from referencing import Registry

from eventing import contracts
from eventing.asyncapi import build_document
from eventing.envelope import Envelope

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "docs" / "asyncapi.yaml"
ASYNCAPI_SCHEMA = (
    ROOT / "build/asyncapi/node_modules/@asyncapi/specs/schemas/3.0.0.json"
)


@pytest.fixture(scope="module")
def document():
    return build_document()


def asyncapi_validator():
    if not ASYNCAPI_SCHEMA.exists():
        pytest.fail(f"{ASYNCAPI_SCHEMA} is missing: run `make install` to fetch it")
    schema = json.loads(ASYNCAPI_SCHEMA.read_text(encoding="utf-8"))
    # an empty registry retrieves nothing: a $ref the file cannot resolve
    # itself fails the test instead of reaching for the network
    return Draft7Validator(schema, registry=Registry())


def payload_of(document, event_type):
    return document["components"]["messages"][event_type]["payload"]


def refs_in(node):
    if isinstance(node, dict):
        if "$ref" in node:
            yield node["$ref"]
        for value in node.values():
            yield from refs_in(value)
    elif isinstance(node, list):
        for value in node:
            yield from refs_in(value)


def resolve(document, ref):
    node = document
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return node


def test_the_committed_document_is_built_from_the_current_schemas(document):
    committed = yaml.safe_load(COMMITTED.read_text(encoding="utf-8"))

    assert committed == document, (
        "docs/asyncapi.yaml is stale: run `volunteer-platform asyncapi` and commit it"
    )


def test_the_document_is_valid_asyncapi_3(document):
    errors = sorted(asyncapi_validator().iter_errors(document), key=str)

    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors]


def test_every_reference_in_the_document_resolves(document):
    for ref in refs_in(document):
        assert resolve(document, ref), ref


def test_every_event_is_a_message_sent_on_its_producers_exchange(document):
    for name, event_type in contracts.CATALOGUE.items():
        operation = document["operations"][f"send{name}"]
        channel = resolve(document, operation["channel"]["$ref"])

        assert document["components"]["messages"][name]["name"] == name
        assert operation["action"] == "send"
        assert channel["address"] == f"{event_type.source}.events"
        assert name in channel["messages"]


def test_each_data_schema_requires_what_its_contract_requires(document):
    for name, event_type in contracts.CATALOGUE.items():
        required = {
            field.data_key or key
            for key, field in event_type.schema().fields.items()
            if field.required
        }

        data = payload_of(document, name)["properties"]["data"]
        assert set(data["required"]) == required, name


def test_every_payload_is_a_valid_json_schema(document):
    for name in contracts.CATALOGUE:
        Draft7Validator.check_schema(payload_of(document, name))


def test_an_envelope_we_send_matches_its_message_payload(document):
    data = contracts.dump(
        "OrderCompleted",
        {
            "order_id": "o-1",
            "category": "助老",
            "community": "铁道家园",
            "team_id": "t-1",
            "minutes": {"v-1": 90, "v-2": 45},
            "completed_at": "2026-12-03T08:00:00+00:00",
            "confirmed_by": "u-1",
        },
    )
    body = Envelope(
        type="OrderCompleted",
        source="/services/orders",
        data=data,
        subject="o-1",
        correlationid="r-1",
    ).to_dict()
    payload = payload_of(document, "OrderCompleted")

    Draft7Validator(payload).validate(body)
    assert set(body) <= set(payload["properties"])


@pytest.mark.parametrize(
    "minutes", [{}, {"v-1": 0}, {"v-1": 24 * 60 + 1}, {"v-1": "90"}, {"": 90}]
)
def test_the_payload_refuses_minutes_the_contract_refuses(document, minutes):
    data = {
        "order_id": "o-1",
        "team_id": "t-1",
        "minutes": minutes,
        "reported_by": "u-1",
    }
    body = Envelope(type="OrderServiceReported", source="/s", data=data).to_dict()
    validator = Draft7Validator(payload_of(document, "OrderServiceReported"))

    assert not validator.is_valid(body)
