"""Event contracts and the messaging plumbing every service shares.

Contracts (one marshmallow schema per event, one CloudEvents envelope) live in
`contracts` and `envelope`; the guarantees live in `database` (transactional
outbox), `relay` (publishing the outbox with confirms), `handlers` (idempotent
inbox, delayed retries and dead-lettering) and `topology` (queues declared
before anyone publishes). This package imports no service.
"""
