"""The bare-stack benchmark runs end to end and prints its floor."""

import re
import subprocess
import sys

import pytest

from tests.conftest import free_port

pytestmark = pytest.mark.integration


def test_the_floor_benchmark_measures_both_paths_and_prints_a_flows_cost():
    finished = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.stack_floor",
            "--seconds",
            "1",
            "--clients",
            "4",
            "--port",
            str(free_port()),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )

    assert finished.returncode == 0, finished.stderr
    answered = re.findall(r"(\d+) steps answered, (\d+) failed", finished.stdout)
    assert len(answered) == 2
    assert all(int(ok) > 0 and failed == "0" for ok, failed in answered)
    assert re.search(r"so at most [\d.]+ flows/s", finished.stdout)
