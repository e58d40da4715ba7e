"""`nameko run services.<name>.service`, as compose, `make run` and the load
test start each service, must find exactly that one service in the module."""

import pytest
from nameko.cli.run import import_service

from ops import settings


@pytest.mark.parametrize("service", settings.SERVICES)
def test_nameko_run_finds_one_service_named_after_the_module(service):
    found = import_service(settings.service_module(service))

    assert [cls.name for cls in found] == [service]
