"""The published event contract as an AsyncAPI 3.0 document.

The document is built from `eventing.contracts` on every call, so the
committed `docs/asyncapi.yaml` is a rendering of the code rather than a second
description of it; a unit test fails as soon as the two differ.
"""

import re
from importlib.metadata import version

import yaml
from apispec import APISpec
from apispec.ext.marshmallow import OpenAPIConverter
from marshmallow import fields, missing

from eventing import contracts
from eventing.envelope import CONTENT_TYPE, DATA_CONTENT_TYPE, SPEC_VERSION

ASYNCAPI_VERSION = "3.0.0"
AMQP_BINDING_VERSION = "0.3.0"
DISTRIBUTION = "volunteer-platform"
PERSISTENT = 2
LOCAL_BROKER = "127.0.0.1:5672"
# what Envelope.to_dict always sends; subject and correlationid may be absent
ENVELOPE_REQUIRED = (
    "specversion",
    "id",
    "source",
    "type",
    "time",
    "datacontenttype",
    "data",
)

DESCRIPTION = """\
Each domain service publishes the facts it records to an exchange of its own,
`<service>.events` (topic, durable). A foreign system consumes them with any
AMQP 0-9-1 client and none of our code:

1. declare a durable queue of its own;
2. bind it to `<service>.events` once per event it wants, with the event type
   (for example `OrderCompleted`) as the routing key;
3. read each body as a JSON CloudEvents 1.0 envelope in structured mode
   (content type `application/cloudevents+json`, UTF-8); the event's fields
   are in `data`.

Delivery is at least once: the same event may arrive twice with the same `id`
(also the AMQP `message_id`), so apply each `id` only once. Bind the queue
before relying on it: an event published while no queue is bound to its
routing key is not kept for anyone.
"""


class ContractConverter(OpenAPIConverter):
    """apispec's converter, with Dict fields and dump defaults as sent."""

    def field2length(self, field, **kwargs):
        length = super().field2length(field, **kwargs)
        if isinstance(field, fields.Dict):
            # apispec gives a Dict's Length validator string keywords
            # (minLength), which JSON Schema ignores on an object
            return {k.replace("Length", "Properties"): v for k, v in length.items()}
        return length

    def dict2properties(self, field, **kwargs):
        properties = super().dict2properties(field, **kwargs)
        if isinstance(field, fields.Dict) and field.key_field is not None:
            properties["propertyNames"] = self.field2property(field.key_field)
        return properties

    def field2default(self, field, **kwargs):
        default = super().field2default(field, **kwargs)
        if default or field.dump_default is missing:
            return default
        # a callable dump default (list) is what producers send when unset
        value = field.dump_default
        value = value() if callable(value) else value
        return {"default": field._serialize(value, None, None)}


def converter():
    """A JSON Schema (OpenAPI 3.1 dialect) converter for the contracts."""
    spec = APISpec(DISTRIBUTION, version(DISTRIBUTION), "3.1.0")
    return ContractConverter("3.1.0", lambda schema: None, spec)


def build_document():
    """The AsyncAPI 3.0.0 document of every event in the catalogue."""
    events = list(contracts.CATALOGUE.values())
    to_json_schema = converter().schema2jsonschema
    return {
        "asyncapi": ASYNCAPI_VERSION,
        "info": info(),
        "defaultContentType": CONTENT_TYPE,
        "servers": servers(),
        "channels": channels(events),
        "operations": operations(events),
        "components": {
            "messages": {e.name: message(e, to_json_schema(e.schema)) for e in events},
        },
    }


def info():
    return {
        "title": "Volunteer platform events",
        "version": version(DISTRIBUTION),
        "description": DESCRIPTION,
    }


def servers():
    return {
        "local": {
            "host": LOCAL_BROKER,
            "protocol": "amqp",
            "protocolVersion": "0.9.1",
            "description": "The RabbitMQ of a local run (`make run`).",
        }
    }


def exchange(service):
    return f"{service}.events"


def channels(events):
    producers = dict.fromkeys(e.source for e in events)
    return {
        exchange(service): channel(
            service, [e.name for e in events if e.source == service]
        )
        for service in producers
    }


def channel(service, names):
    return {
        "address": exchange(service),
        "title": exchange(service),
        "description": (
            f"Every event the {service} service publishes; "
            "the routing key is the event type."
        ),
        "messages": {name: {"$ref": f"#/components/messages/{name}"} for name in names},
        "bindings": {
            "amqp": {
                "is": "routingKey",
                "exchange": {
                    "name": exchange(service),
                    "type": "topic",
                    "durable": True,
                    "autoDelete": False,
                    "vhost": "/",
                },
                "bindingVersion": AMQP_BINDING_VERSION,
            }
        },
    }


def operations(events):
    return {f"send{e.name}": operation(e) for e in events}


def operation(event):
    # AMQP 0.3.0 puts the delivery mode on the operation, not the message
    channel_ref = f"#/channels/{exchange(event.source)}"
    return {
        "action": "send",
        "channel": {"$ref": channel_ref},
        "summary": f"The {event.source} service publishes {event.name}.",
        "messages": [{"$ref": f"{channel_ref}/messages/{event.name}"}],
        "bindings": {
            "amqp": {
                "deliveryMode": PERSISTENT,
                "mandatory": True,
                "timestamp": True,
                "bindingVersion": AMQP_BINDING_VERSION,
            }
        },
    }


def message(event, data_schema):
    return {
        "name": event.name,
        "title": title(event.name),
        "summary": event.summary,
        "contentType": CONTENT_TYPE,
        "correlationId": {
            "description": "The request that caused the event, when known.",
            "location": "$message.payload#/correlationid",
        },
        "payload": envelope_schema(event.name, data_schema),
        "bindings": {
            "amqp": {
                "contentEncoding": "utf-8",
                "messageType": event.name,
                "bindingVersion": AMQP_BINDING_VERSION,
            }
        },
    }


def title(name):
    """`OrderServiceReported` -> `Order service reported`."""
    return re.sub(r"(?<!^)(?=[A-Z])", " ", name).capitalize()


def envelope_schema(event_type, data_schema):
    """The JSON Schema of a CloudEvents 1.0 structured envelope around data."""
    return {
        "type": "object",
        "required": list(ENVELOPE_REQUIRED),
        "properties": {
            "specversion": {"type": "string", "const": SPEC_VERSION},
            "id": {
                "type": "string",
                "minLength": 1,
                "description": (
                    "Unique per event and equal to the AMQP message_id; "
                    "consumers apply each id once."
                ),
            },
            "source": {
                "type": "string",
                "format": "uri-reference",
                "minLength": 1,
                "description": "The producing service, as `/services/<service>`.",
            },
            "type": {"type": "string", "const": event_type},
            "time": {"type": "string", "format": "date-time"},
            "datacontenttype": {"type": "string", "const": DATA_CONTENT_TYPE},
            "subject": {
                "type": "string",
                "description": "The id of what the event is about.",
            },
            "correlationid": {
                "type": "string",
                "description": "Shared by every event one request caused.",
            },
            "data": data_schema,
        },
    }


class _Dumper(yaml.SafeDumper):
    """Plain YAML for people: no anchors, multi-line text as literal blocks."""

    def ignore_aliases(self, data):
        return True


def _represent_str(dumper, text):
    style = "|" if "\n" in text else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_Dumper.add_representer(str, _represent_str)

HEADER = "# Generated from eventing/contracts.py by `volunteer-platform asyncapi`.\n"


def to_yaml(document):
    """The document as YAML, keys in build order and Chinese left readable."""
    body = yaml.dump(
        document, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=88
    )
    return HEADER + body
