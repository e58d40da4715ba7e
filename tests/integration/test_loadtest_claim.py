"""One load test at a time: a second run would drop the first one's
databases and vhost under its running services."""

import subprocess
import sys
import uuid

import pytest

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


def test_the_command_stops_before_touching_anything_while_another_runs():
    held = provision.claim(DB_PREFIX)
    try:
        finished = subprocess.run(
            [sys.executable, "-m", "loadtest", "--duration", "1", "--rate", "1"],
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        held.close()
    assert finished.returncode == 1
    assert "another load test is running" in finished.stderr
    assert "system up" not in finished.stderr
