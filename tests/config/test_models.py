"""Every key of Distribution's configuration reference (v3.1 and v2.8) parses and validates;
anything else stops start-up with one line naming the key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from config.examples import DRIVERS, V28, v3
from dockyard.config import loader
from dockyard.config.models import Configuration


def load_text(tmp_path: Path, text: str, environ: dict[str, str] | None = None) -> Configuration:
    path = tmp_path / "config.yml"
    path.write_text(text)
    return loader.load(str(path), environ or {})


def error_for(tmp_path: Path, text: str, environ: dict[str, str] | None = None) -> str:
    with pytest.raises(loader.ConfigError) as info:
        load_text(tmp_path, text, environ)
    message = str(info.value)
    assert "\n" not in message
    return message


@pytest.mark.parametrize("driver", sorted(DRIVERS))
def test_every_v3_key_parses(tmp_path: Path, driver: str) -> None:
    config = load_text(tmp_path, v3(driver))
    assert config.storage.driver_name == driver
    assert config.log.level == "debug" and config.log.formatter == "json"
    assert config.log.fields == {"service": "registry", "environment": "staging"}
    assert config.storage.maintenance.uploadpurging.age == 168 * 3600
    assert config.storage.tag.concurrencylimit == 8
    assert config.storage.cache.kind == "redis"
    assert config.http.draintimeout == 60
    assert config.http.headers == {"X-Content-Type-Options": ["nosniff"]}
    assert config.http.tls.letsencrypt.hosts == ["myregistryaddress.org"]
    assert config.auth.provider is not None and config.auth.provider[0] == "token"
    assert config.notifications.endpoints[0].ignore.actions == ["pull"]
    assert config.redis.connmaxlifetime == 3600 and config.redis.minretrybackoff == 0.008
    assert [c.addr for c in config.health.tcp] == ["redis-server.domain.com:6379"]
    assert config.proxy.ttl == 168 * 3600 and config.proxy.exec is not None
    assert config.validation.manifests.indexes.platforms == "list"
    assert (config.tags.maxtags, config.catalog.maxentries) == (100, 500)
    assert [m.name for m in config.middleware.storage] == ["cloudfront", "redirect"]
    assert config.policy.repository.classes == ["image"]


def test_driver_parameters() -> None:
    azure = yaml.safe_load(v3("azure"))
    config = loader.validate(azure)
    assert config.storage.driver_params["max_retries"] == 10
    assert config.storage.driver_params["retry_delay"] == pytest.approx(0.1)
    gcs = loader.validate(yaml.safe_load(v3("gcs")))
    assert gcs.storage.driver_params["credentials"]["private_key_id"] == "private_key_id_string"
    fs = loader.validate(yaml.safe_load(v3("filesystem")))
    assert fs.storage.driver_params == {"rootdirectory": "/var/lib/registry", "maxthreads": 100}


def test_every_v28_key_parses(tmp_path: Path) -> None:
    config = load_text(tmp_path, V28)
    assert config.redis.addresses == ["localhost:6379"]
    assert config.redis.pool.idletimeout == 300
    assert config.storage.cache.kind == "inmemory"  # "layerinfo", the old name
    assert config.compatibility.schema1.enabled
    assert config.reporting.bugsnag["apikey"] == "bugsnagapikey"
    assert config.http.tls.minimumtls == "tls1.0"
    assert config.storage.maintenance.readonly.enabled
    assert config.notifications.endpoints[0].timeout == 0.5


@pytest.mark.parametrize("driver", ["swift", "oss"])
def test_removed_drivers(tmp_path: Path, driver: str) -> None:
    message = error_for(tmp_path, f"version: 0.1\nstorage:\n  {driver}:\n    region: x\n")
    assert f"the {driver!r} storage driver is no longer supported" in message


MINIMAL = "version: 0.1\nstorage:\n  inmemory:\n"


@pytest.mark.parametrize(
    ("extra", "key", "why"),
    [
        ("colour: blue\n", "colour", "unknown configuration key"),
        ("http:\n  adr: ':5000'\n", "http.adr", "unknown configuration key"),
        ("http:\n  tls:\n    cert: x\n", "http.tls.cert", "unknown configuration key"),
        (
            "notifications:\n  endpoints:\n    - name: a\n      url: http://x\n      retries: 3\n",
            "notifications.endpoints.0.retries",
            "unknown configuration key",
        ),
        ("http:\n  addr: [a, b]\n", "http.addr", "valid string"),
        ("http:\n  relativeurls: perhaps\n", "http.relativeurls", "valid boolean"),
        ("tags:\n  maxtags: many\n", "tags.maxtags", "valid integer"),
        ("tags:\n  maxtags: -1\n", "tags.maxtags", "greater than or equal to 0"),
        ("log:\n  level: loud\n", "log.level", "must be one of"),
        ("log:\n  formatter: xml\n", "log.formatter", "'text', 'json' or 'logstash'"),
        ("http:\n  draintimeout: soon\n", "http.draintimeout", "invalid duration 'soon'"),
        ("http:\n  draintimeout: '60'\n", "http.draintimeout", "missing unit"),
        ("http:\n  tls:\n    clientauth: maybe\n", "http.tls.clientauth", "Input should be"),
        (
            "notifications:\n  endpoints:\n    - url: http://x\n",
            "notifications.endpoints.0.name",
            "required key is missing",
        ),
        (
            "notifications:\n  endpoints:\n    - name: a\n",
            "notifications.endpoints.0",
            "needs an http(s) url",
        ),
        (
            "validation:\n  manifests:\n    indexes:\n      platforms: some\n",
            "validation.manifests.indexes.platforms",
            "'all', 'none' or 'list'",
        ),
        (
            "storage:\n  inmemory:\n    size: 1\n",
            "storage.inmemory.size",
            "unknown configuration key",
        ),
        ("auth:\n  htpasswd:\n    realm: r\n", "auth.htpasswd.path", "required key is missing"),
        (
            "auth:\n  silly: {realm: r, service: s}\n  htpasswd: {realm: r, path: p}\n",
            "auth",
            "only one auth provider",
        ),
        (
            "storage:\n  maintenance:\n    uploadpurging:\n      age: -1h\n",
            "storage.maintenance.uploadpurging",
            "must be positive",
        ),
    ],
)
def test_bad_values_name_the_key(tmp_path: Path, extra: str, key: str, why: str) -> None:
    text = MINIMAL + extra if not extra.startswith("storage:") else "version: 0.1\n" + extra
    if extra.startswith("storage:\n  maintenance"):
        text = "version: 0.1\n" + extra + "  inmemory:\n"
    message = error_for(tmp_path, text)
    assert message.startswith(f"{tmp_path / 'config.yml'}: {key}: "), message
    assert why in message, message


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("", "version: required key is missing"),
        ("- a\n- b\n", "the configuration must be a YAML mapping"),
        ("version: 0.1\n", "storage: required key is missing"),
        ("version: 0.2\nstorage: inmemory\n", "unsupported configuration version '0.2'"),
        ("version: 0.1\nstorage: {}\n", "no storage driver configured"),
        ("version: 0.1\nstorage:\n  filesystem:\n  inmemory:\n", "only one storage driver"),
        ("version: 0.1\nstorage: inmemory\nstorage: filesystem\n", "duplicate key 'storage'"),
        ("version: 0.1\nstorage:\n\tinmemory:\n", "invalid YAML (line 3, column 1)"),
        ("version: 0.1\nstorage: [\n", "invalid YAML"),
    ],
)
def test_bad_files(tmp_path: Path, text: str, why: str) -> None:
    assert why in error_for(tmp_path, text)


def test_missing_and_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(loader.ConfigError, match="configuration file not found"):
        loader.load(str(tmp_path / "nope.yml"), {})
    (tmp_path / "binary.yml").write_bytes(b"\xff\xfe\x00")
    with pytest.raises(loader.ConfigError, match="cannot read configuration file"):
        loader.load(str(tmp_path / "binary.yml"), {})


def test_named_sections(tmp_path: Path) -> None:
    """``storage: inmemory`` and ``auth: none``, as Distribution's decoder accepts them."""
    config = load_text(tmp_path, "version: 0.1\nstorage: inmemory\nauth: none\n")
    assert config.storage.driver_name == "inmemory"
    assert config.auth.provider is None
    config = load_text(tmp_path, "version: 0.1\nstorage: filesystem\nauth:\n  none:\n")
    assert config.storage.driver_params["rootdirectory"] == "/var/lib/registry"
    assert config.auth.provider is None


def test_numbers_where_text_is_expected(tmp_path: Path) -> None:
    """Go's YAML decoder takes ``secret: 123456`` as the text "123456"; so does Dockyard."""
    config = load_text(tmp_path, MINIMAL + "http:\n  secret: 123456\n  host: 1.5\n")
    assert (config.http.secret, config.http.host) == ("123456", "1.5")


def test_distribution_normalisations(tmp_path: Path) -> None:
    text = (
        "version: 0.1\nstorage:\n  filesystem:\n    maxthreads: 5\n"
        "tags:\n  maxtags: 0\ncatalog:\n  maxentries: -3\n"
    )
    config = load_text(tmp_path, text)
    assert config.storage.driver_params["maxthreads"] == 25  # raised to the minimum
    assert config.tags.maxtags == 1000  # 0 means the default
    assert config.catalog.maxentries == 1000  # so does anything below 1


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("loglevel: debug\n", "debug"),
        ("loglevel: debug\nlog:\n  level: error\n", "error"),
        ("log:\n  formatter: text\nloglevel: warn\n", "warn"),
        ("", "info"),
    ],
)
def test_deprecated_loglevel(tmp_path: Path, text: str, level: str) -> None:
    assert load_text(tmp_path, MINIMAL + text).log.level == level


def test_defaults_are_not_shared(tmp_path: Path) -> None:
    first = load_text(tmp_path, MINIMAL + "loglevel: debug\n")
    second = load_text(tmp_path, MINIMAL)
    assert (first.log.level, second.log.level) == ("debug", "info")


def _keys(model: Any, prefix: str = "") -> list[str]:
    """Dotted paths of the leaf keys of ``model`` (list elements: their first element's)."""
    from pydantic import BaseModel

    out = []
    for name, info in type(model).model_fields.items():
        key = f"{prefix}{info.alias or name}"
        value = getattr(model, name)
        if isinstance(value, list) and value and isinstance(value[0], BaseModel):
            value = value[0]
        if isinstance(value, BaseModel):
            out += _keys(value, key + ".")
        else:
            out.append(key)
    return out


def test_documentation_lists_every_key(tmp_path: Path) -> None:
    """docs/configuration.md names every key the models accept (so the docs stay complete)."""
    docs = (Path(__file__).parents[2] / "docs" / "configuration.md").read_text()
    missing = []
    for text in (v3("filesystem"), V28):
        for key in _keys(load_text(tmp_path, text)):
            parts = key.split(".")
            tails = {".".join(parts[i:]) for i in range(len(parts))}
            if not any(f"`{tail}`" in docs or f"`{tail}[]`" in docs for tail in tails):
                missing.append(key)
    assert missing == []
