"""RPC entrypoints that survive the broker going away while they answer, and
answer without waiting on the broker.

nameko sends an RPC's reply from `handle_result`, and an exception escaping
that kills the whole service container: a broker restart while a command was
being answered stopped the service for good. Here the reply is given up
instead; the caller's own timeout answers it (the gateway says 503) and the
service carries on, reconnecting by itself.

nameko also publishes each reply persistent and waits for the broker's
confirm: a round trip per command before the worker is done. A reply goes to
the caller's reply queue, which dies with the caller, and is worth nothing
once the caller stopped waiting; a reply the broker lost is the same to the
caller as one it refused: the caller's timeout. So replies go transient and
unconfirmed. Requests keep their confirms: that is how a caller learns at once
that no service of that name is running.
"""

import logging

from nameko.amqp.publish import Publisher
from nameko.constants import (
    AMQP_SSL_CONFIG_KEY,
    AMQP_URI_CONFIG_KEY,
    DEFAULT_SERIALIZER,
    LOGIN_METHOD_CONFIG_KEY,
    SERIALIZER_CONFIG_KEY,
)
from nameko.rpc import Responder, Rpc, RpcConsumer, get_rpc_exchange

logger = logging.getLogger(__name__)

TRANSIENT = 1


class ReplyPublisher(Publisher):
    use_confirms = False
    delivery_mode = TRANSIENT
    # nameko writes `confirm_publish` into this dict on every publish: a dict
    # shared with the requests' publisher would turn their confirms off too
    transport_options = {**Publisher.transport_options, "confirm_publish": False}


class QuickResponder(Responder):
    publisher_cls = ReplyPublisher


class QuickReplyConsumer(RpcConsumer):
    """nameko's RPC consumer, answering through `QuickResponder`."""

    def handle_result(self, message, result, exc_info):
        config = self.container.config
        responder = QuickResponder(
            config[AMQP_URI_CONFIG_KEY],
            get_rpc_exchange(config),
            config.get(SERIALIZER_CONFIG_KEY, DEFAULT_SERIALIZER),
            message,
            ssl=config.get(AMQP_SSL_CONFIG_KEY),
            login_method=config.get(LOGIN_METHOD_CONFIG_KEY),
        )
        result, exc_info = responder.send_response(result, exc_info)
        self.queue_consumer.ack_message(message)
        return result, exc_info


class ResilientRpc(Rpc):
    rpc_consumer = QuickReplyConsumer()

    def handle_result(self, message, worker_ctx, result, exc_info):
        try:
            return super().handle_result(message, worker_ctx, result, exc_info)
        except Exception:
            logger.exception(
                "could not send the reply of %s; the caller will time out",
                worker_ctx.call_id,
            )
            return result, exc_info


rpc = ResilientRpc.decorator
