"""Replies go transient and unconfirmed; requests keep their confirms."""

from nameko.amqp.publish import Publisher

from eventing.rpc import QuickResponder, ReplyPublisher


def test_replies_are_transient_and_unconfirmed():
    assert QuickResponder.publisher_cls is ReplyPublisher
    assert ReplyPublisher.use_confirms is False
    assert ReplyPublisher.delivery_mode == 1


def test_replies_leave_the_requests_confirms_alone():
    # nameko writes `confirm_publish` into its publisher's transport options
    # on every publish: one dict for both would switch the requests' off
    assert ReplyPublisher.transport_options is not Publisher.transport_options
    assert ReplyPublisher.transport_options["confirm_publish"] is False
    assert Publisher.use_confirms is True
