import json

import pytest

from eventing.envelope import Envelope, MalformedEvent, parse


def test_an_envelope_round_trips_through_json_with_chinese_untouched():
    sent = Envelope(
        type="OrderPlaced",
        source="/services/orders",
        data={"title": "重阳节演出"},
        subject="o-1",
        correlationid="r-1",
    )

    body = sent.to_json()
    received = parse(body.encode("utf-8"))

    assert "重阳节演出" in body
    assert received == sent


def test_the_envelope_carries_the_cloudevents_attributes():
    body = json.loads(Envelope(type="T", source="/s", data={}).to_json())

    assert body["specversion"] == "1.0"
    assert body["datacontenttype"] == "application/json"
    assert {"id", "source", "type", "time", "data"} <= set(body)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"\xff\xfe", "not UTF-8"),
        ("{not json", "not JSON"),
        ("[1, 2]", "not a JSON object"),
        ('{"type": "T"}', "not a CloudEvents 1.0 envelope"),
    ],
)
def test_a_body_that_is_not_an_envelope_is_refused_with_the_reason(body, reason):
    with pytest.raises(MalformedEvent) as refused:
        parse(body)

    assert reason in refused.value.reason


def test_an_unknown_attribute_is_refused():
    body = json.loads(Envelope(type="T", source="/s", data={}).to_json())
    body["surprise"] = 1

    with pytest.raises(MalformedEvent):
        parse(body)
