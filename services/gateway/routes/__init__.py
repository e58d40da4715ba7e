"""The gateway's routes by area, each a mixin class `GatewayService` inherits
(nameko finds entrypoints on base classes too)."""


def caller_of(request):
    return None if request.caller is None else request.caller.to_dict()


def plain(schema_cls, data):
    """A loaded body or query as plain JSON types (dates and amounts as
    strings) for the RPC, dumped by the schema that checked it."""
    return schema_cls().dump(data)
