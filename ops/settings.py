"""Where each service finds its config file and database, for the commands."""

import os
from pathlib import Path

import yaml
from nameko.cli.main import setup_yaml_parser

ROOT = Path(__file__).resolve().parent.parent
SERVICES = ("teams", "orders", "points", "inventory", "gateway")
DOMAIN_SERVICES = ("teams", "orders", "points", "inventory")
# local SQLite files live under the working directory, like the configs'
# `sqlite:///var/<service>.sqlite` defaults
VAR = Path(os.environ.get("VOLUNTEER_PLATFORM_VAR", "var")).absolute()


# each service's health port is the gateway's port plus this; replica k adds 10k
PORT_OFFSET = {"gateway": 0, "orders": 1, "teams": 2, "points": 3, "inventory": 4}
REPLICA_PORT_STEP = 10


def listen_addresses(service, replica=0, port_base=8000, gateway_host="127.0.0.1"):
    """The environment that tells one process of `service` where to listen."""
    if service == "gateway":
        return {"GATEWAY_ADDRESS": f"{gateway_host}:{port_base}"}
    port = port_base + PORT_OFFSET[service] + REPLICA_PORT_STEP * replica
    return {"HEALTH_ADDRESS": f"127.0.0.1:{port}"}


def config_path(service):
    return ROOT / "services" / service / "config.yml"


def load_config(service, env=None):
    """The service's nameko config with `${VAR:default}` values filled in."""
    setup_yaml_parser()
    saved = dict(os.environ)
    try:
        if env is not None:
            os.environ.update(env)
        with open(config_path(service), encoding="utf-8") as stream:
            return yaml.safe_load(stream)
    finally:
        os.environ.clear()
        os.environ.update(saved)


def database_url(service):
    """`<SERVICE>_DATABASE_URL`, or a SQLite file under var/ for a local run."""
    url = os.environ.get(f"{service.upper()}_DATABASE_URL")
    return url or f"sqlite:///{VAR / (service + '.sqlite')}"


def service_module(service):
    return f"services.{service}.service"
