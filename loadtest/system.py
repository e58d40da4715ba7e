"""The whole system as real processes, pointed at a broker and databases we name.

Used by the load test and the fault-injection suite: like `volunteer-platform
run` (migrate, declare the queues, one `nameko run` per service process), but
each process gets a config file written for this run, its own log file, and
can be killed, restarted or replicated on its own.
"""

import logging
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import requests
import yaml

from ops import settings
from ops.cli import LOCAL_JWT_SECRET, declare_queues, local_env, service_class

logger = logging.getLogger(__name__)

ADMIN_PASSWORD = "loadtest-admin-password"


@dataclass
class Process:
    service: str
    replica: int
    popen: subprocess.Popen
    log_path: Path
    extra_env: dict

    @property
    def name(self):
        return f"{self.service}-{self.replica}"

    @property
    def pid(self):
        return self.popen.pid

    def alive(self):
        return self.popen.poll() is None


class System:
    """Every service of the platform as processes on this machine."""

    def __init__(
        self,
        amqp_uri,
        database_urls,
        run_dir,
        port_base,
        config_overrides=None,
        log_level="INFO",
    ):
        self.amqp_uri = amqp_uri
        self.database_urls = dict(database_urls)
        self.run_dir = Path(run_dir)
        self.port_base = port_base
        self.config_overrides = config_overrides or {}
        self.log_level = log_level
        self.processes = []
        self.run_dir.mkdir(parents=True, exist_ok=True)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port_base}"

    def env(self):
        return {
            # the local run's secrets (JWT, ID cards): this system is as local
            **local_env(),
            "AMQP_URI": self.amqp_uri,
            "GATEWAY_JWT_SECRET": LOCAL_JWT_SECRET,
            "GATEWAY_ADMIN_PASSWORD": ADMIN_PASSWORD,
            "LOG_LEVEL": self.log_level,
            "PYTHONWARNINGS": "ignore",
            **{f"{s.upper()}_DATABASE_URL": u for s, u in self.database_urls.items()},
        }

    def prepare(self):
        """Bring every database to its newest schema and declare every queue."""
        from eventing.migrations import upgrade

        for service, url in self.database_urls.items():
            upgrade(service, url)
        saved = dict(os.environ)
        try:
            os.environ.update(self.env())
            declare_queues()
        finally:
            os.environ.clear()
            os.environ.update(saved)

    def queues(self):
        """Every consumer queue with its retry and dead-letter queues."""
        from eventing.topology import consumer_queues

        classes = [service_class(name) for name in settings.DOMAIN_SERVICES]
        return consumer_queues(classes, self.config("orders"))

    def config(self, service, replica=0):
        env = {
            **self.env(),
            "DATABASE_URL": self.database_urls[service],
            **settings.listen_addresses(service, replica, self.port_base, "127.0.0.1"),
        }
        config = settings.load_config(service, env)
        config.update(self.config_overrides.get("*", {}))
        config.update(self.config_overrides.get(service, {}))
        return config

    def spawn(self, service, replica=0, extra_env=None):
        """Start one process of a service; its output goes to its log file."""
        config_path = self.run_dir / f"{service}-{replica}.yml"
        config_path.write_text(yaml.safe_dump(self.config(service, replica)))
        log_path = self.run_dir / f"{service}-{replica}.log"
        command = [
            sys.executable,
            "-m",
            "nameko",
            "run",
            "--config",
            str(config_path),
            settings.service_module(service),
        ]
        with open(log_path, "ab") as log:
            popen = subprocess.Popen(
                command,
                env={**self.env(), **(extra_env or {})},
                cwd=settings.ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        (self.run_dir / f"{service}-{replica}.pid").write_text(str(popen.pid))
        process = Process(service, replica, popen, log_path, dict(extra_env or {}))
        self.processes.append(process)
        logger.info("started %s pid=%s", process.name, process.pid)
        return process

    def start(self, replicas=None, timeout=60):
        """Start every service (`replicas` maps a service to a count)."""
        for service in settings.SERVICES:
            for replica in range((replicas or {}).get(service, 1)):
                self.spawn(service, replica)
        self.wait_ready(timeout)

    def health_urls(self):
        urls = []
        for process in self.running():
            if process.service == "gateway":
                urls.append(f"{self.url}/health")
            else:
                address = settings.listen_addresses(
                    process.service, process.replica, self.port_base
                )["HEALTH_ADDRESS"]
                urls.append(f"http://{address}/health")
        return urls

    def wait_ready(self, timeout=60):
        """Wait until every running process answers its health check."""
        deadline = time.monotonic() + timeout
        pending = set(self.health_urls())
        while pending:
            dead = [p.name for p in self.processes if p.popen.poll() not in (None,)]
            if dead and not self.running():
                raise RuntimeError(f"processes died: {dead}")
            pending = {url for url in pending if not _answers(url)}
            if time.monotonic() > deadline:
                raise TimeoutError(f"not ready after {timeout}s: {sorted(pending)}")
            if pending:
                time.sleep(0.2)

    def running(self, service=None):
        return [
            p
            for p in self.processes
            if p.alive() and (service is None or p.service == service)
        ]

    def kill(self, process, sig=signal.SIGKILL):
        process.popen.send_signal(sig)
        process.popen.wait(timeout=30)
        logger.info("stopped %s with signal %s", process.name, sig)

    def restart(self, process, extra_env=None):
        if process.alive():
            self.kill(process, signal.SIGTERM)
        self.processes.remove(process)
        return self.spawn(process.service, process.replica, extra_env)

    def stop(self, grace=15):
        for process in self.running():
            process.popen.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + grace
        for process in self.processes:
            try:
                process.popen.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                process.popen.kill()
                process.popen.wait()
        self.processes.clear()

    def log_lines(self, service, needle):
        """Lines of every log of `service` that contain `needle`."""
        lines = []
        for path in sorted(self.run_dir.glob(f"{service}-*.log")):
            text = path.read_text(encoding="utf-8", errors="replace")
            lines.extend(line for line in text.splitlines() if needle in line)
        return lines


def _answers(url):
    try:
        return requests.get(url, timeout=2).ok
    except requests.RequestException:
        return False


@dataclass
class Found:
    """A service process found running on this machine."""

    name: str
    pid: int


class AttachedSystem:
    """A system someone else started (`volunteer-platform run`, compose):
    its addresses come from the same settings the commands use."""

    def __init__(self, url, admin_password):
        self.url = url.rstrip("/")
        self.admin_password = admin_password
        self.amqp_uri = settings.load_config("orders")["AMQP_URI"]
        self.database_urls = {s: settings.database_url(s) for s in settings.SERVICES}

    def queues(self):
        from eventing.topology import consumer_queues

        classes = [service_class(name) for name in settings.DOMAIN_SERVICES]
        return consumer_queues(classes, settings.load_config("orders"))

    def running(self, service=None):
        """The `nameko run` processes of the services on this machine."""
        import psutil

        found, counts = [], {}
        for proc in psutil.process_iter(["pid", "cmdline"]):
            cmdline = proc.info["cmdline"] or []
            module = next((a for a in cmdline if a.startswith("services.")), None)
            if "nameko" not in " ".join(cmdline) or module is None:
                continue
            name = module.split(".")[1]
            if service in (None, name):
                counts[name] = counts.get(name, -1) + 1
                found.append(Found(f"{name}-{counts[name]}", proc.info["pid"]))
        return found
