"""RPC entrypoints that survive the broker going away while they answer.

nameko sends an RPC's reply from `handle_result`, and an exception escaping
that kills the whole service container: a broker restart while a command was
being answered stopped the service for good. Here the reply is given up
instead; the caller's own timeout answers it (the gateway says 503) and the
service carries on, reconnecting by itself.
"""

import logging

from nameko.rpc import Rpc

logger = logging.getLogger(__name__)


class ResilientRpc(Rpc):
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
