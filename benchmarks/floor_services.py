"""Three nameko services that do nothing but pass a step along, for
`benchmarks.stack_floor`: an HTTP entrypoint that makes an RPC call, the RPC
that dispatches an event, and a handler of that event. Stock nameko parts
throughout, no database, no schema, no logging of their own."""

from nameko.events import EventDispatcher, event_handler
from nameko.rpc import RpcProxy, rpc
from nameko.web.handlers import http


class Front:
    name = "floor_front"

    back = RpcProxy("floor_back")

    @http("POST", "/step")
    def step(self, request):
        announce = request.args.get("events") != "0"
        return self.back.work(request.get_data(as_text=True), announce)


class Back:
    name = "floor_back"

    dispatch = EventDispatcher()

    @rpc
    def work(self, body, announce=True):
        if announce:
            self.dispatch("Stepped", {"body": body})
        return body


class Sink:
    name = "floor_sink"

    @event_handler("floor_back", "Stepped")
    def on_step(self, payload):
        return None
