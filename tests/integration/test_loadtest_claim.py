"""One load test at a time: a second run would drop the first one's
databases and vhost under its running services."""

import uuid

import pytest
from click.testing import CliRunner

from loadtest import __main__ as loadtest_main
from loadtest import provision
from loadtest.__main__ import DB_PREFIX

pytestmark = pytest.mark.integration


def test_a_second_claim_is_refused_naming_the_first_until_it_ends():
    prefix = f"vp_claim_{uuid.uuid4().hex[:8]}"
    first = provision.claim(prefix)
    try:
        with pytest.raises(
            provision.Busy, match=r"another load test is running \(loadtest \d+\)"
        ):
            provision.claim(prefix)
    finally:
        first.close()
    provision.claim(prefix).close()


def test_the_command_stops_before_touching_anything_while_another_runs(
    monkeypatch, tmp_path
):
    def touched(*args):
        raise AssertionError("the running test's vhost or databases were touched")

    monkeypatch.setattr(provision, "fresh_vhost", touched)
    monkeypatch.setattr(provision, "fresh_databases", touched)
    held = provision.claim(DB_PREFIX)
    try:
        finished = CliRunner().invoke(
            loadtest_main.main, ["--duration", "1", "--out", str(tmp_path)]
        )
    finally:
        held.close()

    assert finished.exit_code == 1, finished.output
    assert "another load test is running" in finished.output
