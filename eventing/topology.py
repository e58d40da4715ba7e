"""Declare every consumer queue before any producer publishes.

RabbitMQ drops an event published to an exchange with no queue bound for its
type. A service that has never started has no queues yet, so a deployment
declares all of them first (`volunteer-platform declare`), building each
service's container without starting it: the queues are exactly the ones the
services themselves will consume from.
"""

import logging

from nameko.containers import ServiceContainer

from eventing.handlers import ReliableEventHandler

logger = logging.getLogger(__name__)


def consumer_entrypoints(container):
    return [ep for ep in container.entrypoints if isinstance(ep, ReliableEventHandler)]


def declare_topology(service_classes, config):
    """Declare every handler queue (with its retry and dead-letter queues) and
    return their names."""
    declared = []
    for service_cls in service_classes:
        # entrypoints hold their container weakly: keep it alive meanwhile
        container = ServiceContainer(service_cls, config)
        for handler in consumer_entrypoints(container):
            # the handler's setup names and binds its queue and declares its
            # side queues; the container is never started
            handler.setup()
            declared.append(handler.queue.name)
            logger.debug("declared queue=%s", handler.queue.name)
    return declared


def consumer_queues(service_classes, config):
    """The names of every handler queue and its retry and dead-letter queues,
    as `declare_topology` declares them, without touching the broker."""
    names = []
    for service_cls in service_classes:
        container = ServiceContainer(service_cls, config)
        for handler in consumer_entrypoints(container):
            handler.configure()
            names.append(handler.queue.name)
            names.extend(queue.name for queue in handler.side_queues())
    return names
