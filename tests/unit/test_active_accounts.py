"""What a gateway remembers of active accounts, and when it forgets."""

import pytest

from services.gateway.active_accounts import ActiveAccounts
from services.gateway.errors import Unauthorized


@pytest.fixture
def remembered():
    accounts = ActiveAccounts()
    accounts.container = type("Container", (), {"config": {}})()
    accounts.container.config["DATABASE_URL"] = "postgresql+psycopg2://u@h:5432/db"
    accounts.setup()
    accounts.listening = True
    return accounts


class Reads:
    def __init__(self, active=True, during=None):
        self.count, self.active, self.during = 0, active, during

    def __call__(self):
        self.count += 1
        if self.during:
            self.during()
        if not self.active:
            raise Unauthorized("the account is disabled")


def test_an_active_account_is_read_once_while_listening(remembered):
    read = Reads()

    remembered.check("u-1", read)
    remembered.check("u-1", read)

    assert read.count == 1


def test_a_forgotten_account_is_read_again(remembered):
    read = Reads()
    remembered.check("u-1", read)

    remembered.forget("u-1")
    read.active = False

    with pytest.raises(Unauthorized):
        remembered.check("u-1", read)
    with pytest.raises(Unauthorized):
        remembered.check("u-1", read)
    assert read.count == 3


def test_a_read_overtaken_by_a_change_is_not_remembered(remembered):
    # the notification lands while the read is on its way
    read = Reads(during=lambda: remembered.forget("u-1"))
    remembered.check("u-1", read)
    read.during = None

    remembered.check("u-1", read)

    assert read.count == 2


def test_nothing_is_remembered_while_not_listening(remembered):
    remembered._stop_remembering()
    read = Reads()

    remembered.check("u-1", read)
    remembered.check("u-1", read)

    assert read.count == 2


def test_sqlite_has_nobody_to_listen_to():
    accounts = ActiveAccounts()
    accounts.container = type("Container", (), {"config": {}})()
    accounts.container.config["DATABASE_URL"] = "sqlite:///var/gateway.sqlite"
    accounts.setup()

    assert accounts.connect_args is None
    assert accounts.listening is False
