"""Resident memory and CPU of every service process, sampled every few seconds."""

import threading
import time

import psutil


class ResourceSampler:
    """Samples each running process of a System until stopped."""

    def __init__(self, system, interval=5.0):
        self.system = system
        self.interval = interval
        self.samples = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sampler", daemon=True)
        self._handles = {}

    def start(self):
        self._thread.start()

    def stop(self):
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=self.interval + 5)

    def _handle(self, process):
        if process.pid not in self._handles:
            handle = psutil.Process(process.pid)
            handle.cpu_percent()  # the first reading only starts the clock
            self._handles[process.pid] = handle
        return self._handles[process.pid]

    def _run(self):
        started = time.time()
        while not self._stop.wait(self.interval):
            sample = {"t": round(time.time() - started, 1), "rss_mb": {}, "cpu": {}}
            for process in self.system.running():
                try:
                    handle = self._handle(process)
                    sample["rss_mb"][process.name] = round(
                        handle.memory_info().rss / 2**20, 1
                    )
                    sample["cpu"][process.name] = handle.cpu_percent()
                except psutil.Error:
                    continue
            self.samples.append(sample)

    def summary(self):
        """Per process: first, last and largest RSS, growth over the second
        half of the run, and mean CPU."""
        names = sorted({name for s in self.samples for name in s["rss_mb"]})
        summary = {}
        for name in names:
            series = [s["rss_mb"][name] for s in self.samples if name in s["rss_mb"]]
            cpu = [s["cpu"][name] for s in self.samples if name in s["cpu"]]
            half = series[len(series) // 2 :]
            summary[name] = {
                "first_mb": series[0],
                "last_mb": series[-1],
                "max_mb": max(series),
                "second_half_growth_mb": round(half[-1] - half[0], 1),
                "mean_cpu_percent": round(sum(cpu) / len(cpu), 1),
            }
        return summary
