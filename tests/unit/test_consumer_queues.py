"""The reconciliation knows every queue the services consume, without a broker."""

from eventing.topology import consumer_queues
from services.orders.service import OrdersService
from services.points.service import PointsService

CONFIG = {
    "AMQP_URI": "pyamqp://guest:guest@127.0.0.1:1/",  # nothing listens there
    "EVENT_RETRY_DELAYS_MS": [100, 2000],
}
COMPLETED = "evt-orders-OrderCompleted--points.handle_order_completed"


def test_each_handler_queue_comes_with_its_retry_and_dead_letter_queues():
    names = consumer_queues([PointsService], CONFIG)

    assert {
        COMPLETED,
        f"{COMPLETED}.retry.100",
        f"{COMPLETED}.retry.2000",
        f"{COMPLETED}.dlq",
    } <= set(names)


def test_every_handler_of_every_service_is_named():
    names = consumer_queues([OrdersService, PointsService], CONFIG)

    handler_queues = [n for n in names if not n.endswith(".dlq") and ".retry." not in n]
    handlers = [
        name
        for cls in (OrdersService, PointsService)
        for name, value in vars(cls).items()
        if getattr(value, "nameko_entrypoints", None)
        and any(
            ep.__class__.__name__ == "ReliableEventHandler"
            for ep in value.nameko_entrypoints
        )
    ]
    assert len(handler_queues) == len(handlers) > 0
    assert len(names) == 4 * len(handler_queues)
