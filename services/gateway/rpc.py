"""RPC to the domain services that gives up instead of hanging.

nameko's RPC waits forever for a reply. A request the gateway gave up on must
not run later either, so the request message expires on the broker when the
caller stops waiting: a stopped service gives the caller a 503 and, once back,
never carries out a command nobody is waiting for. A broker that cannot be
reached is a 503 too: the command was never sent.
"""

import amqp.exceptions
import eventlet
import kombu.exceptions
from nameko.exceptions import UnknownService
from nameko.rpc import RpcProxy

from services.gateway.errors import Unavailable

TIMEOUT_KEY = "GATEWAY_RPC_TIMEOUT"
# the broker refusing or dropping the connection, as kombu, py-amqp and the
# socket layer each say it
BROKER_DOWN = (
    OSError,
    amqp.exceptions.ConnectionError,
    kombu.exceptions.OperationalError,
)
DEFAULT_TIMEOUT = 10.0
TRANSIENT = 1


class ServiceClient(RpcProxy):
    def __init__(self, target_service, timeout=DEFAULT_TIMEOUT):
        self.timeout = timeout
        # a request outlives its caller by nothing, so the broker need not
        # write it to disk (nameko's default): transient requests spare its
        # disk, and one restart can never replay a command nobody waits for
        super().__init__(target_service, expiration=timeout, delivery_mode=TRANSIENT)

    def setup(self):
        super().setup()
        self.timeout = float(self.container.config.get(TIMEOUT_KEY, self.timeout))
        self.options["expiration"] = self.timeout

    def get_dependency(self, worker_ctx):
        return TimedProxy(super().get_dependency(worker_ctx), self.timeout)


class TimedProxy:
    def __init__(self, proxy, timeout):
        self._proxy = proxy
        self._timeout = timeout

    def __getattr__(self, method_name):
        method = getattr(self._proxy, method_name)
        service = self._proxy.service_name

        def call(*args, **kwargs):
            try:
                with eventlet.Timeout(self._timeout):
                    return method(*args, **kwargs)
            except eventlet.Timeout:
                raise Unavailable(
                    f"the {service} service did not answer within {self._timeout:g}s"
                ) from None
            except UnknownService:
                raise Unavailable(f"the {service} service is not running") from None
            except BROKER_DOWN as exc:
                raise Unavailable(
                    f"the {service} service cannot be reached: {type(exc).__name__}"
                ) from None

        return call
