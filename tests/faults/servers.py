"""A RabbitMQ node and a PostgreSQL cluster of the suite's own.

Both live in a temporary folder and listen on free ports of 127.0.0.1, so
stopping them mid-flow harms nothing else on the machine. They run as their
system users (rabbitmq, postgres): initdb refuses root, and the node needs
the rabbitmq user's Erlang cookie for rabbitmqctl.
"""

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pika

RABBIT_BIN = Path("/usr/lib/rabbitmq/bin")
RABBIT_HOME = "/var/lib/rabbitmq"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def pg_bin():
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if found:
        return found[-1].parent
    return Path(shutil.which("initdb")).parent


def as_user(user, command, env=None, **kwargs):
    return subprocess.run(
        ["runuser", "-u", user, "--", *command],
        env=env,
        capture_output=True,
        text=True,
        **kwargs,
    )


def wait_until(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} not ready after {timeout}s")
        time.sleep(0.2)


def amqp_answers(port):
    try:
        pika.BlockingConnection(
            pika.ConnectionParameters("127.0.0.1", port, socket_timeout=2)
        ).close()
        return True
    except pika.exceptions.AMQPError:
        return False


def accepts(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


class RabbitNode:
    """A second RabbitMQ node, management off, in its own folder."""

    def __init__(self, base):
        self.base = Path(base)
        self.port = free_port()
        self.name = f"vpfaults{os.getpid()}@localhost"
        self.base.mkdir(parents=True, exist_ok=True)
        (self.base / "enabled_plugins").write_text("[].\n")
        (self.base / "rabbitmq.conf").write_text(
            f"listeners.tcp.1 = 127.0.0.1:{self.port}\n"
            "loopback_users = none\n"
            "disk_free_limit.absolute = 50MB\n"
        )
        (self.base / "rabbitmq-env.conf").write_text("")
        shutil.chown(self.base, "rabbitmq", "rabbitmq")
        for path in self.base.iterdir():
            shutil.chown(path, "rabbitmq", "rabbitmq")
        self.process = None

    @property
    def amqp_uri(self):
        return f"pyamqp://guest:guest@127.0.0.1:{self.port}/"

    def env(self):
        return {
            "PATH": os.environ["PATH"],
            "HOME": RABBIT_HOME,
            "RABBITMQ_NODENAME": self.name,
            "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
            "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_DIST_PORT": str(free_port()),
            "RABBITMQ_MNESIA_BASE": str(self.base / "mnesia"),
            "RABBITMQ_LOG_BASE": str(self.base / "log"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(self.base / "enabled_plugins"),
            "RABBITMQ_CONFIG_FILE": str(self.base / "rabbitmq.conf"),
            "RABBITMQ_CONF_ENV_FILE": str(self.base / "rabbitmq-env.conf"),
            "RABBITMQ_ADVANCED_CONFIG_FILE": str(self.base / "advanced.config"),
            "RABBITMQ_PID_FILE": str(self.base / "node.pid"),
            "ERL_EPMD_ADDRESS": "127.0.0.1",
        }

    def start(self, timeout=90):
        log = open(self.base / "server.out", "ab")
        self.process = subprocess.Popen(
            ["runuser", "-u", "rabbitmq", "--", str(RABBIT_BIN / "rabbitmq-server")],
            env=self.env(),
            cwd=RABBIT_HOME,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_until(self._answers, timeout, f"RabbitMQ {self.name}")

    def _answers(self):
        if self.process.poll() is not None:
            out = (self.base / "server.out").read_text(errors="replace")[-2000:]
            raise RuntimeError(f"RabbitMQ {self.name} exited: {out}")
        return accepts(self.port) and amqp_answers(self.port)

    def ctl(self, *args, timeout=60):
        return as_user(
            "rabbitmq",
            [str(RABBIT_BIN / "rabbitmqctl"), "-n", self.name, *args],
            env=self.env(),
            cwd=RABBIT_HOME,
            timeout=timeout,
        )

    def stop(self):
        """Stop the node as an operator or a crash of the host would: at once."""
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


class PostgresCluster:
    """A PostgreSQL cluster made by initdb in its own folder."""

    def __init__(self, base):
        self.base = Path(base)
        self.data = self.base / "data"
        self.port = free_port()
        self.bin = pg_bin()
        self.base.mkdir(parents=True, exist_ok=True)
        shutil.chown(self.base, "postgres", "postgres")
        done = as_user(
            "postgres",
            [str(self.bin / "initdb"), "-D", str(self.data), "-A", "trust"]
            + ["-U", "postgres", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"],
        )
        if done.returncode:
            raise RuntimeError(f"initdb failed: {done.stderr}")

    def dsn(self, dbname="postgres"):
        return f"host=127.0.0.1 port={self.port} user=postgres dbname={dbname}"

    def url(self, dbname):
        return f"postgresql+psycopg2://postgres@127.0.0.1:{self.port}/{dbname}"

    def start(self, timeout=60):
        options = (
            f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 "
            "-c max_connections=300 -c shared_buffers=64MB"
        )
        done = as_user(
            "postgres",
            [str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", options]
            + ["-l", str(self.base / "server.log"), "-w", "-t", str(timeout), "start"],
            timeout=timeout + 10,
        )
        if done.returncode:
            raise RuntimeError(f"PostgreSQL did not start: {done.stdout}{done.stderr}")

    def stop(self, mode="fast"):
        as_user(
            "postgres",
            [str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop"],
            timeout=60,
        )


def reap_orphans(parent):
    """Stop what an earlier run of the suite left behind when it was killed
    before it could clean up: its folders name the process that made them."""
    for folder in Path(parent).glob("vp-faults-*"):
        owner = folder / "owner.pid"
        if owner.exists() and _alive(int(owner.read_text())):
            continue
        for pid_file in [*folder.glob("services/*.pid"), folder / "rabbit/node.pid"]:
            if pid_file.exists():
                _kill(int(pid_file.read_text().strip() or 0))
        data = folder / "postgres" / "data"
        if (data / "postmaster.pid").exists():
            as_user(
                "postgres",
                [str(pg_bin() / "pg_ctl"), "-D", str(data)]
                + ["-m", "immediate", "stop"],
                timeout=60,
            )
        shutil.rmtree(folder, ignore_errors=True)


def _alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except OSError:
        return False


def _kill(pid):
    if pid > 0 and _alive(pid):
        os.kill(pid, signal.SIGKILL)
