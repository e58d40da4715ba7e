"""py-spy on the service processes while the load runs: where their CPU goes."""

import subprocess
import sys
from collections import Counter
from pathlib import Path

TOP = 25


def record(process, out, duration):
    """Start py-spy on one process; it stops by itself after `duration`."""
    target = out / f"profile-{process.name}.folded"
    spy = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "py-spy"),
            "record",
            "--pid",
            str(process.pid),
            "--duration",
            str(duration),
            "--rate",
            "100",
            "--format",
            "raw",
            "--output",
            str(target),
            "--nonblocking",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return spy, target


def summarize(folded):
    """The functions that took the most samples, on their own and with what
    they called, as text beside the folded stacks (which flamegraph tools and
    speedscope read)."""
    own, inclusive, total = Counter(), Counter(), 0
    for line in folded.read_text(encoding="utf-8").splitlines():
        stack, _, count = line.rpartition(" ")
        frames, count = stack.split(";"), int(count)
        total += count
        own[frames[-1]] += count
        for frame in set(frames):
            inclusive[frame] += count
    lines = [f"{total} samples"]
    for title, counter in (("own time", own), ("with callees", inclusive)):
        lines += ["", title]
        lines += [f"{n / total:6.1%} {frame}" for frame, n in counter.most_common(TOP)]
    summary = folded.with_suffix(".top.txt")
    summary.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return summary
