"""``REGISTRY_*`` environment overrides, following Distribution's parser."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from config.test_models import MINIMAL, load_text
from dockyard.config import loader

FS = (
    "version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: /from/file\n"
    "  delete:\n    enabled: true\n"
)


def test_override_a_key(tmp_path: Path) -> None:
    config = load_text(tmp_path, FS, {"REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY": "/from/env"})
    assert config.storage.driver_params["rootdirectory"] == "/from/env"


def test_switch_the_driver(tmp_path: Path) -> None:
    config = load_text(tmp_path, FS, {"REGISTRY_STORAGE": "inmemory"})
    assert config.storage.driver_name == "inmemory"
    assert config.storage.filesystem is None
    assert config.storage.delete.enabled  # the file's other storage settings stay


def test_switch_the_driver_and_set_its_parameters(tmp_path: Path) -> None:
    environ = {
        "REGISTRY_STORAGE": "azure",
        "REGISTRY_STORAGE_AZURE_ACCOUNTNAME": "acct",
        "REGISTRY_STORAGE_AZURE_MAX_RETRIES": "7",
        "REGISTRY_STORAGE_AZURE_RETRY_DELAY": "250ms",
        "REGISTRY_STORAGE_AZURE_COPY_STATUS_POLL_MAX_RETRY": "2",
    }
    params = load_text(tmp_path, FS, environ).storage.driver_params
    assert params["accountname"] == "acct"
    assert params["max_retries"] == 7  # a key with "_" in it, matched whole
    assert params["retry_delay"] == pytest.approx(0.25)
    assert params["copy_status_poll_max_retry"] == 2


def test_list_elements_by_index(tmp_path: Path) -> None:
    environ = {
        "REGISTRY_NOTIFICATIONS_ENDPOINTS_0_NAME": "hook",
        "REGISTRY_NOTIFICATIONS_ENDPOINTS_0_URL": "http://127.0.0.1:9/events",
        "REGISTRY_NOTIFICATIONS_ENDPOINTS_0_TIMEOUT": "2s",
        "REGISTRY_NOTIFICATIONS_ENDPOINTS_0_IGNORE_ACTIONS": "[pull, mount]",
        "REGISTRY_HTTP_TLS_LETSENCRYPT_HOSTS_0": "registry.example.com",
    }
    config = load_text(tmp_path, MINIMAL, environ)
    (endpoint,) = config.notifications.endpoints
    assert (endpoint.name, endpoint.url, endpoint.timeout) == (
        "hook",
        "http://127.0.0.1:9/events",
        2,
    )
    assert endpoint.ignore.actions == ["pull", "mount"]
    assert config.http.tls.letsencrypt.hosts == ["registry.example.com"]


def test_list_element_of_the_file_overridden(tmp_path: Path) -> None:
    text = MINIMAL + "notifications:\n  endpoints:\n    - name: a\n      url: http://a/\n"
    environ = {
        "REGISTRY_NOTIFICATIONS_ENDPOINTS_0_URL": "http://b/",
        "REGISTRY_NOTIFICATIONS_ENDPOINTS_1_NAME": "second",
        "REGISTRY_NOTIFICATIONS_ENDPOINTS_1_URL": "http://c/",
    }
    endpoints = load_text(tmp_path, text, environ).notifications.endpoints
    assert [(e.name, e.url) for e in endpoints] == [("a", "http://b/"), ("second", "http://c/")]


def test_list_index_may_not_skip(tmp_path: Path) -> None:
    with pytest.raises(loader.ConfigError) as info:
        load_text(tmp_path, MINIMAL, {"REGISTRY_NOTIFICATIONS_ENDPOINTS_2_NAME": "x"})
    assert str(info.value) == (
        "REGISTRY_NOTIFICATIONS_ENDPOINTS_2_NAME: list index 2 skips entries "
        "(the list has 0; index 0 appends one)"
    )


@pytest.mark.parametrize(
    ("variable", "value", "read"),
    [
        ("REGISTRY_STORAGE_DELETE_ENABLED", "true", lambda c: c.storage.delete.enabled is True),
        ("REGISTRY_STORAGE_DELETE_ENABLED", "false", lambda c: c.storage.delete.enabled is False),
        ("REGISTRY_TAGS_MAXTAGS", "25", lambda c: c.tags.maxtags == 25),
        ("REGISTRY_HTTP_SECRET", "123456", lambda c: c.http.secret == "123456"),
        ("REGISTRY_HTTP_SECRET", "'quoted: yes'", lambda c: c.http.secret == "quoted: yes"),
        ("REGISTRY_HTTP_HEADERS", "{X-A: [b]}", lambda c: c.http.headers == {"X-A": ["b"]}),
        (
            "REGISTRY_HTTP_TLS_CLIENTCAS",
            "[/a.pem, /b.pem]",
            lambda c: c.http.tls.clientcas == ["/a.pem", "/b.pem"],
        ),
        (
            "REGISTRY_LOG_FIELDS_ENVIRONMENT",
            "staging",
            lambda c: c.log.fields == {"environment": "staging"},
        ),
        (
            "REGISTRY_STORAGE_MAINTENANCE_UPLOADPURGING_AGE",
            "2h",
            lambda c: c.storage.maintenance.uploadpurging.age == 7200,
        ),
        ("REGISTRY_LOGLEVEL", "debug", lambda c: c.log.level == "debug"),
        ("REGISTRY_AUTH", "none", lambda c: c.auth.provider is None),
        ("REGISTRY_DOCKYARD_WORKERS", "3", lambda c: c.dockyard.workers == 3),
        (
            "REGISTRY_DOCKYARD_HTTP_READBUFFER",
            "65536",
            lambda c: c.dockyard.http.readbuffer == 65536,
        ),
    ],
)
def test_values_are_yaml(tmp_path: Path, variable: str, value: str, read) -> None:  # type: ignore[no-untyped-def]
    assert read(load_text(tmp_path, MINIMAL, {variable: value}))


def test_empty_value_restores_the_default(tmp_path: Path) -> None:
    text = MINIMAL + "http:\n  secret: from-file\n"
    assert load_text(tmp_path, text, {"REGISTRY_HTTP_SECRET": ""}).http.secret == ""
    config = load_text(tmp_path, FS, {"REGISTRY_STORAGE": "", "REGISTRY_STORAGE_INMEMORY": ""})
    assert config.storage.driver_name == "inmemory"


def test_wrong_type_names_the_variable(tmp_path: Path) -> None:
    with pytest.raises(loader.ConfigError) as info:
        load_text(tmp_path, MINIMAL, {"REGISTRY_STORAGE_DELETE_ENABLED": "sometimes"})
    message = str(info.value)
    assert "storage.delete.enabled (set by REGISTRY_STORAGE_DELETE_ENABLED)" in message
    assert "valid boolean" in message
    with pytest.raises(loader.ConfigError) as info:
        load_text(tmp_path, MINIMAL, {"REGISTRY_HTTP_TLS": "{certificate: a, colour: b}"})
    assert "http.tls.colour (set by REGISTRY_HTTP_TLS): unknown configuration key" in str(
        info.value
    )


def test_cannot_descend_into_a_scalar(tmp_path: Path) -> None:
    with pytest.raises(loader.ConfigError) as info:
        load_text(tmp_path, MINIMAL + "log: [1]\n", {"REGISTRY_LOG_LEVEL": "debug"})
    assert str(info.value) == (
        "REGISTRY_LOG_LEVEL: cannot be applied: log in the configuration file is not a mapping"
    )


def test_unknown_variables_are_ignored_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Kubernetes sets REGISTRY_PORT & co. for a service named "registry": not an error."""
    environ = {"REGISTRY_PORT": "tcp://10.0.0.1:5000", "REGISTRY_HTTP_COLOUR": "blue"}
    with caplog.at_level(logging.WARNING, "dockyard.config.loader"):
        config = load_text(tmp_path, MINIMAL, environ)
    assert config.http.addr == ":5000"
    warned = " ".join(r.getMessage() for r in caplog.records)
    assert "REGISTRY_PORT" in warned and "REGISTRY_HTTP_COLOUR" in warned


def test_configuration_path_variable(tmp_path: Path) -> None:
    chosen = tmp_path / "chosen.yml"
    chosen.write_text("version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: /chosen\n")
    config = loader.load(None, {"REGISTRY_CONFIGURATION_PATH": str(chosen)})
    assert config.storage.driver_params["rootdirectory"] == "/chosen"
    explicit = tmp_path / "explicit.yml"
    explicit.write_text(MINIMAL)
    config = loader.load(str(explicit), {"REGISTRY_CONFIGURATION_PATH": str(chosen)})
    assert config.storage.driver_name == "inmemory"  # an explicit path wins


def test_embedded_defaults() -> None:
    config = loader.load(None, {})
    assert config.storage.driver_name == "filesystem"
    assert config.storage.driver_params["rootdirectory"] == "./registry-data"
    assert config.http.addr == "127.0.0.1:5000"
    assert config.storage.delete.enabled
    assert config.http.headers == {"X-Content-Type-Options": ["nosniff"]}
    override = loader.load(None, {"REGISTRY_HTTP_ADDR": "127.0.0.1:6000"})
    assert override.http.addr == "127.0.0.1:6000"
