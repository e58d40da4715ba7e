"""docker-compose.yml, checked without Docker.

check-jsonschema holds the file to the compose specification; the tests after
it check the cross-references a schema cannot see: that what one service names
(another service, a module, a config file, a command, a variable, a port)
exists where it is named.
"""

import importlib
import re
import shlex
import subprocess
import sys
import tomllib
from itertools import pairwise
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from nameko.extensions import ENTRYPOINT_EXTENSIONS_ATTR

from ops import settings
from ops.cli import main as cli

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
INFRASTRUCTURE = ("rabbitmq", "postgres")
# `${VAR}` or `${VAR:default}`, as nameko fills them in from the environment
CONFIG_REFERENCE = re.compile(r"\$\{(\w+)(?::([^}]*))?\}")
LISTEN_ADDRESS = re.compile(r"^WEB_SERVER_ADDRESS:\s*\$\{(\w+)", re.MULTILINE)
# a service's liveness, or the gateway's readiness (which asks the others)
HEALTH_URL = re.compile(r"http://127\.0\.0\.1:(\d+)/(?:health|ready)\b")
CREATE_DATABASE = re.compile(r"CREATE DATABASE\s+(\w+)", re.IGNORECASE)


@pytest.fixture(scope="module")
def services():
    with open(COMPOSE_FILE, encoding="utf-8") as stream:
        return yaml.safe_load(stream)["services"]


def platform_services(services):
    return {name: svc for name, svc in services.items() if name not in INFRASTRUCTURE}


def command_words(service):
    """The command as words, a `sh -c` script split into its own words."""
    command = service.get("command") or []
    words = shlex.split(command) if isinstance(command, str) else list(command)
    if words[:2] == ["sh", "-c"]:
        return shlex.split(words[2])
    return words


def nameko_services(services):
    """Each compose service that runs `nameko run`, with its command's words."""
    return {
        name: words
        for name, svc in services.items()
        if "nameko" in (words := command_words(svc))
    }


def cli_services(services):
    return {
        name: svc
        for name, svc in services.items()
        if "volunteer-platform" in command_words(svc)
    }


def modules_run(words):
    return [word for word in words if re.fullmatch(r"services\.\w+\.service", word)]


def words_after(words, word):
    return [after for before, after in pairwise(words) if before == word]


def config_paths(words):
    return words_after(words, "--config")


def environment(service):
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.partition("=")[::2] for item in env)
    return env


def config_references(config_path):
    """Each `${VAR}` in a nameko config, with its default (None if it has none)."""
    text = (ROOT / config_path).read_text(encoding="utf-8")
    return {name: default for name, default in CONFIG_REFERENCE.findall(text)}


def config_of(words):
    (path,) = config_paths(words)
    return path


def is_nameko_service(value, name):
    return (
        isinstance(value, type)
        and getattr(value, "name", None) == name
        and any(
            # nameko finds entrypoints on base classes too
            getattr(getattr(value, member), ENTRYPOINT_EXTENSIONS_ATTR, None)
            for member in dir(value)
        )
    )


def published_ports(service):
    """(published, target) for each entry under `ports`, short or long syntax."""
    pairs = []
    for entry in service.get("ports", []):
        if isinstance(entry, dict):
            pairs.append((str(entry.get("published")), str(entry["target"])))
        else:
            *_, published, target = str(entry).split(":")
            pairs.append((published, target.split("/")[0]))
    return pairs


def test_compose_file_follows_the_compose_specification():
    check = Path(sys.executable).with_name("check-jsonschema")

    result = subprocess.run(
        [check, "--builtin-schema", "vendor.compose-spec", COMPOSE_FILE],
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stdout + result.stderr


def test_compose_file_has_no_version_key():
    with open(COMPOSE_FILE, encoding="utf-8") as stream:
        assert "version" not in yaml.safe_load(stream)


def test_every_dependency_is_a_defined_service(services):
    missing = [
        (name, target)
        for name, svc in services.items()
        for target in svc.get("depends_on", {})
        if target not in services
    ]

    assert not missing


def test_every_dependency_awaited_as_healthy_has_a_health_check(services):
    unchecked = [
        (name, target)
        for name, svc in services.items()
        for target, wait in svc.get("depends_on", {}).items()
        if wait.get("condition") == "service_healthy"
        and "test" not in services.get(target, {}).get("healthcheck", {})
    ]

    assert not unchecked


def test_a_dependency_awaited_to_finish_is_never_restarted(services):
    # `unless-stopped` on a one-shot would run it again and again, and the
    # services waiting for it to complete would never start
    restarted = [
        target
        for svc in services.values()
        for target, wait in svc.get("depends_on", {}).items()
        if wait.get("condition") == "service_completed_successfully"
        and services.get(target, {}).get("restart", "no") != "no"
    ]

    assert not restarted


def test_every_platform_service_runs_in_compose(services):
    modules = {
        m for words in nameko_services(services).values() for m in modules_run(words)
    }

    assert modules == {settings.service_module(name) for name in settings.SERVICES}


def test_every_module_in_a_command_defines_the_nameko_service_it_is_named_for(
    services,
):
    wrong = []
    for words in nameko_services(services).values():
        for module_name in modules_run(words):
            service_name = module_name.split(".")[1]
            module = importlib.import_module(module_name)
            if not any(
                is_nameko_service(value, service_name)
                for value in vars(module).values()
            ):
                wrong.append(module_name)

    assert not wrong


def test_each_compose_service_runs_its_own_module_with_its_own_config(services):
    for name, words in nameko_services(services).items():
        assert modules_run(words) == [f"services.{name}.service"], name
        assert config_paths(words) == [f"services/{name}/config.yml"], name


def test_every_config_path_in_a_command_exists_in_the_repo(services):
    missing = [
        path
        for svc in services.values()
        for path in config_paths(command_words(svc))
        if not (ROOT / path).is_file()
    ]

    assert not missing


def test_every_cli_subcommand_in_a_command_exists(services):
    with open(ROOT / "pyproject.toml", "rb") as stream:
        scripts = tomllib.load(stream)["project"]["scripts"]
    subcommands = [
        subcommand
        for svc in services.values()
        for subcommand in words_after(command_words(svc), "volunteer-platform")
    ]

    assert scripts["volunteer-platform"] == "ops.cli:main"
    assert subcommands
    assert set(subcommands) <= set(cli.commands)


def test_every_variable_set_on_a_nameko_service_is_read_by_its_config(services):
    unread = [
        (name, variable)
        for name, words in nameko_services(services).items()
        for variable in environment(services[name])
        if variable not in config_references(config_of(words))
    ]

    assert not unread


def test_every_variable_set_on_a_cli_service_is_read_by_the_cli(services, monkeypatch):
    read_by_settings = set()
    for name in settings.SERVICES:
        variable, marker = f"{name.upper()}_DATABASE_URL", f"sqlite:///{name}-marker"
        monkeypatch.setenv(variable, marker)
        if settings.database_url(name) == marker:
            read_by_settings.add(variable)
    # the commands read AMQP_URI and the like through the services' configs
    read_by_configs = {
        variable
        for name in settings.SERVICES
        for variable in config_references(settings.config_path(name))
    }

    unread = [
        (name, variable)
        for name, svc in cli_services(services).items()
        for variable in environment(svc)
        if variable not in read_by_settings | read_by_configs
    ]

    assert cli_services(services)
    assert not unread


def test_every_config_variable_without_a_default_is_set_for_its_service(services):
    # an empty default counts as none: the gateway refuses to start on an
    # empty JWT secret
    unset = [
        (name, variable)
        for name, words in nameko_services(services).items()
        for variable, default in config_references(config_of(words)).items()
        if not default and not environment(services[name]).get(variable)
    ]

    assert not unset


def test_each_health_check_asks_the_port_its_service_listens_on(services):
    for name, words in nameko_services(services).items():
        config = (ROOT / config_of(words)).read_text(encoding="utf-8")
        (address_variable,) = LISTEN_ADDRESS.findall(config)
        address = environment(services[name])[address_variable]
        check = " ".join(services[name]["healthcheck"]["test"])

        assert HEALTH_URL.findall(check) == [address.rpartition(":")[2]], name


def test_the_gateway_publishes_port_8000_where_it_listens(services):
    gateway = services["gateway"]

    assert published_ports(gateway) == [
        ("8000", environment(gateway)["GATEWAY_ADDRESS"].rpartition(":")[2])
    ]


def test_no_platform_service_but_the_gateway_publishes_a_port(services):
    publishing = [
        name
        for name, svc in platform_services(services).items()
        if published_ports(svc) and name != "gateway"
    ]

    assert not publishing


def test_every_published_port_carries_a_comment():
    uncommented, ports_indent = [], None
    for line in COMPOSE_FILE.read_text(encoding="utf-8").splitlines():
        indent = len(line) - len(line.lstrip())
        if line.strip() == "ports:":
            ports_indent = indent
        elif ports_indent is not None and indent > ports_indent and line.strip():
            if line.lstrip().startswith("- ") and " # " not in line:
                uncommented.append(line.strip())
        elif line.strip():
            ports_indent = None

    assert not uncommented


def test_every_platform_service_runs_the_same_image(services):
    images = {
        (svc.get("image"), repr(svc.get("build")))
        for svc in platform_services(services).values()
    }

    assert len(images) == 1


def test_the_migration_prepares_the_database_each_service_uses(services):
    (migrate,) = cli_services(services).values()

    for name in nameko_services(services):
        url = environment(services[name])["DATABASE_URL"]

        assert environment(migrate)[f"{name.upper()}_DATABASE_URL"] == url, name
        assert urlsplit(url).path == f"/{name}", name


def test_every_database_in_use_is_created_by_the_postgres_init_script(services):
    scripts = [
        ROOT / volume.split(":")[0]
        for volume in services["postgres"].get("volumes", [])
        if ":/docker-entrypoint-initdb.d/" in volume
    ]
    created = {
        name
        for script in scripts
        for name in CREATE_DATABASE.findall(script.read_text(encoding="utf-8"))
    }
    used = {
        urlsplit(value).path.lstrip("/")
        for svc in services.values()
        for variable, value in environment(svc).items()
        if variable.endswith("DATABASE_URL")
    }

    assert used
    assert used <= created


def test_every_url_a_service_is_given_names_a_defined_service(services):
    strangers = [
        (name, variable)
        for name, svc in services.items()
        for variable, value in environment(svc).items()
        if "://" in str(value) and urlsplit(str(value)).hostname not in services
    ]

    assert not strangers
