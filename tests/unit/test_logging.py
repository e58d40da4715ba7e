"""Operators' logs: a refusal the caller caused is one INFO line."""

import importlib
import logging

import pytest

from eventing.logcontext import ExpectedErrorFilter
from ops import settings


def record(name, msg, level=logging.WARNING):
    try:
        raise ValueError("no order o-1")
    except ValueError as exc:
        error = (type(exc), exc, exc.__traceback__)
    return logging.LogRecord(
        name, level, __file__, 1, msg, ("<worker>", "no order o-1"), error
    )


def test_an_expected_error_is_one_info_line_without_traceback():
    refused = record("nameko.containers", "(expected) error handling worker %s: %s")

    assert ExpectedErrorFilter().filter(refused)

    assert (refused.levelname, refused.exc_info) == ("INFO", None)
    assert refused.getMessage().endswith(": no order o-1")


def test_an_unexpected_error_keeps_its_level_and_traceback():
    failed = record("nameko.containers", "error handling worker %s: %s", logging.ERROR)
    other = record("services.orders.flow", "(expected) error handling worker %s: %s")

    for kept in (failed, other):
        ExpectedErrorFilter().filter(kept)

    assert (failed.levelname, other.levelname) == ("ERROR", "WARNING")
    assert failed.exc_info is not None and other.exc_info is not None


@pytest.mark.parametrize("service", settings.SERVICES)
def test_every_service_logs_through_the_filters(service):
    logging_config = settings.load_config(service)["LOGGING"]
    filters = logging_config["filters"]

    assert logging_config["handlers"]["console"]["filters"] == list(filters)
    for spec in filters.values():
        module, _, name = spec["()"].rpartition(".")
        assert isinstance(
            getattr(importlib.import_module(module), name)(), logging.Filter
        )
