"""Figures of one load-test run: JSON, a chart and a Markdown summary."""

import json
import math
from collections import defaultdict
from pathlib import Path

STEPS = ("place", "dispatch", "accept", "start", "report", "confirm", "rate")


def percentile(values, q):
    """The q-th percentile (nearest rank) of `values`; None if empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(math.ceil(q / 100 * len(ordered)), 1)
    return ordered[rank - 1]


def latency(values):
    return {
        "p50_ms": _round(percentile(values, 50)),
        "p95_ms": _round(percentile(values, 95)),
        "p99_ms": _round(percentile(values, 99)),
        "max_ms": _round(max(values) if values else None),
    }


def _round(value):
    return None if value is None else round(value, 1)


def step_figures(requests, window):
    by_step = defaultdict(list)
    for name, _start, duration_ms, ok, status in requests:
        by_step[name].append((duration_ms, ok, status))
    figures = {}
    for name in sorted(by_step, key=lambda n: STEPS.index(n) if n in STEPS else 99):
        rows = by_step[name]
        errors = [status for _, ok, status in rows if not ok]
        figures[name] = {
            "requests": len(rows),
            "requests_per_s": round(len(rows) / window, 1),
            "errors": len(errors),
            "error_statuses": dict(sorted(_count(errors).items())),
            **latency([d for d, _, _ in rows]),
        }
    return figures


def _count(values):
    counts = defaultdict(int)
    for value in values:
        counts[str(value)] += 1
    return counts


def confirm_to_credit(flows, probe_seen):
    """Milliseconds from each confirm's answer to each of its PointsCredited
    arriving at the probe (first arrival of each credit)."""
    confirmed = {f["order_id"]: f["confirmed_at"] for f in flows if f.get("ok")}
    first = {}
    for arrived, _event_id, order_id, volunteer_id in probe_seen:
        key = (order_id, volunteer_id)
        if order_id in confirmed and key not in first:
            first[key] = arrived
    return [
        (confirmed[order_id], (arrived - confirmed[order_id]) * 1000)
        for (order_id, _), arrived in first.items()
    ]


def timeline(requests, flows, credit_latencies, t0):
    """Per second since t0: flows completed, requests, request p99 and the
    confirm-to-credit p50 and p99 of confirms answered in that second."""
    seconds = defaultdict(
        lambda: {"flows": 0, "requests": 0, "durations": [], "credit": []}
    )
    for f in flows:
        if f.get("ok"):
            seconds[int(f["ended"] - t0)]["flows"] += 1
    for _name, start, duration_ms, _ok, _status in requests:
        bucket = seconds[int(start - t0)]
        bucket["requests"] += 1
        bucket["durations"].append(duration_ms)
    for confirmed_at, ms in credit_latencies:
        seconds[int(confirmed_at - t0)]["credit"].append(ms)
    return [
        {
            "t": second,
            "flows": b["flows"],
            "requests": b["requests"],
            "request_p99_ms": _round(percentile(b["durations"], 99)),
            "credit_p50_ms": _round(percentile(b["credit"], 50)),
            "credit_p99_ms": _round(percentile(b["credit"], 99)),
        }
        for second, b in sorted(seconds.items())
        if second >= 0
    ]


def build(records, probe_seen, ceiling, reconciliation, resources, conditions):
    """Every figure of the run as one dict; report.json is this."""
    requests, flows = records["requests"], records["flows"]
    t0 = min((f["started"] for f in flows), default=0)
    t_end = max((f.get("ended", t0) for f in flows), default=t0)
    window = max(t_end - t0, 1e-9)
    done = [f for f in flows if f.get("ok")]
    credit = confirm_to_credit(flows, probe_seen)
    credit_ms = [ms for _, ms in credit]
    errors = sum(1 for r in requests if not r[3])
    flows_per_s = round(len(done) / window, 2)
    steps = step_figures(requests, window)
    # each step emits one orders event; each volunteer one PointsCredited
    events_per_flow = len(steps) + (len(credit_ms) / len(done) if done else 0)
    return {
        "flows_per_s": flows_per_s,
        "p50_confirm_to_credit_ms": _round(percentile(credit_ms, 50)),
        "p99_confirm_to_credit_ms": _round(percentile(credit_ms, 99)),
        "errors": errors,
        "lost": reconciliation["lost"],
        "duplicated": reconciliation["duplicated"],
        "broker_ceiling_per_s": ceiling["per_s"] if ceiling else None,
        "conditions": conditions,
        "window_s": round(window, 1),
        "flows": {
            "started": len(flows),
            "completed": len(done),
            "failed": len(flows) - len(done),
            "failed_at": dict(_count(f.get("failed_at") for f in flows if not f["ok"])),
            "requests_per_s": round(len(requests) / window, 1),
            **latency([(f["ended"] - f["started"]) * 1000 for f in done]),
        },
        "steps": steps,
        "confirm_to_credit": {"credits": len(credit_ms), **latency(credit_ms)},
        "broker": {
            "ceiling": ceiling,
            "system_events_per_s": round(flows_per_s * events_per_flow, 1),
            "share_of_ceiling": (
                round(flows_per_s * events_per_flow / ceiling["per_s"], 3)
                if ceiling and ceiling["per_s"]
                else None
            ),
        },
        "reconciliation": reconciliation,
        "resources": resources,
        "timeline": timeline(requests, flows, credit, t0),
    }


def write(report, out_dir):
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "report.json").write_text(
        json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    (out_dir / "report.md").write_text(markdown(report), encoding="utf-8")
    chart(report, out_dir / "report.png")


def markdown(report):
    c = report["conditions"]
    lines = [
        "# Load test of the order flow",
        "",
        f"{c['started']}: {c['duration_s']} s at a target of {c['rate']} flows/s, "
        f"{c['users']} users; replicas {c['replicas'] or 'one of each'}; "
        f"{c['cpus']} CPUs, load average before the run {c['loadavg_before']}.",
        "",
        "| figure | value |",
        "| --- | --- |",
        f"| complete flows/s | {report['flows_per_s']} |",
        f"| flows completed / failed | {report['flows']['completed']} / "
        f"{report['flows']['failed']} |",
        f"| errors | {report['errors']} |",
        f"| confirm → PointsCredited p50 / p99 / max | "
        f"{report['p50_confirm_to_credit_ms']} / {report['p99_confirm_to_credit_ms']}"
        f" / {report['confirm_to_credit']['max_ms']} ms |",
        f"| whole flow p50 / p99 | {report['flows']['p50_ms']} / "
        f"{report['flows']['p99_ms']} ms |",
        f"| broker alone (pika, windowed confirms, acks) | "
        f"{report['broker_ceiling_per_s']} msg/s |",
        f"| system's events/s, share of that ceiling | "
        f"{report['broker']['system_events_per_s']}, "
        f"{report['broker']['share_of_ceiling']} |",
        f"| lost / duplicated | {report['lost']} / {report['duplicated']} |",
        "",
        "| step | req/s | errors | p50 | p95 | p99 | max (ms) |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, s in report["steps"].items():
        lines.append(
            f"| {name} | {s['requests_per_s']} | {s['errors']} | {s['p50_ms']} | "
            f"{s['p95_ms']} | {s['p99_ms']} | {s['max_ms']} |"
        )
    memory = report["resources"].get("summary") or {}
    if memory:
        lines += [
            "",
            "| process | RSS first / max / last (MB) | growth, 2nd half (MB) | CPU % |",
            "| --- | --- | --- | --- |",
        ]
        for name, m in memory.items():
            lines.append(
                f"| {name} | {m['first_mb']} / {m['max_mb']} / {m['last_mb']} | "
                f"{m['second_half_growth_mb']} | {m['mean_cpu_percent']} |"
            )
    per_flow = report["resources"].get("per_flow")
    if per_flow:
        transactions = per_flow["db_transactions"]
        lines += [
            "",
            f"One flow's cost, over the {per_flow['flows']} completed:",
            "",
            "| part | CPU ms per flow | database transactions per flow |",
            "| --- | --- | --- |",
        ]
        for part, ms in per_flow["cpu_ms"].items():
            lines.append(f"| {part} | {ms} | {transactions.get(part, '')} |")
    lines += ["", "Reconciliation:", "", "```"]
    lines += report["reconciliation"]["lines"]
    lines += ["```", ""]
    return "\n".join(lines)


def chart(report, path):
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    timeline_ = report["timeline"]
    t = [p["t"] for p in timeline_]
    samples = report["resources"].get("samples") or []
    rows = 3 if samples else 2
    figure, axes = pyplot.subplots(rows, 1, figsize=(10, 3.2 * rows), sharex=False)
    flows = [p["flows"] for p in timeline_]
    # users move in waves, so single seconds swing: show a 5 s mean as well
    smooth = [
        sum(flows[max(i - 4, 0) : i + 1]) / min(i + 1, 5) for i in range(len(flows))
    ]
    axes[0].plot(t, flows, label="complete flows/s", alpha=0.35)
    axes[0].plot(t, smooth, label="complete flows/s, 5 s mean")
    steps = max(len(report["steps"]), 1)
    axes[0].plot(
        t,
        [p["requests"] / steps for p in timeline_],
        label=f"requests/s ÷ {steps} (steps per flow)",
    )
    axes[0].set_ylabel("per second")
    axes[0].legend(loc="upper right")
    axes[0].set_title("Throughput")
    for key, label in [
        ("credit_p50_ms", "confirm→credit p50"),
        ("credit_p99_ms", "confirm→credit p99"),
        ("request_p99_ms", "HTTP request p99"),
    ]:
        axes[1].plot(t, [p[key] for p in timeline_], label=label)
    axes[1].set_ylabel("ms")
    axes[1].set_xlabel("seconds into the run")
    axes[1].legend(loc="upper right")
    axes[1].set_title("Latency")
    if samples:
        names = sorted({n for s in samples for n in s["rss_mb"]})
        for name in names:
            axes[2].plot(
                [s["t"] for s in samples],
                [s["rss_mb"].get(name) for s in samples],
                label=name,
            )
        axes[2].set_ylabel("RSS (MB)")
        axes[2].set_xlabel("seconds since the system started")
        axes[2].legend(loc="upper left", fontsize="small", ncol=3)
        axes[2].set_title("Resident memory per process")
    figure.tight_layout()
    figure.savefig(path, dpi=90)
    pyplot.close(figure)
