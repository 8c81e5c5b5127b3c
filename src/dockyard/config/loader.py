"""Loading the configuration: embedded defaults < the YAML file < ``REGISTRY_*`` environment.

Environment variables follow Distribution: ``REGISTRY_<SECTION>_<KEY>...`` in upper case, values
parsed as YAML (so ``true`` is a boolean), list elements addressed by index
(``REGISTRY_NOTIFICATIONS_ENDPOINTS_0_URL``; the index may be at most the list's length, which
appends), and ``REGISTRY_STORAGE=s3`` switching the driver. Keys that contain ``_`` themselves
(azure's ``max_retries``) are matched whole. An empty value resets a key to its default. Variables
naming no key are ignored with a warning, as in Distribution (Kubernetes injects ``REGISTRY_PORT``
for a service called "registry").

Unlike Distribution, ``REGISTRY_STORAGE=<driver>`` keeps the file's ``delete``, ``cache``,
``maintenance``, ``redirect`` and ``tag`` settings (Distribution drops them), and a YAML mapping
with a duplicated key is an error (PyYAML would silently keep the last one).

Every failure becomes a :class:`ConfigError` whose message is one line naming the key.
"""

from __future__ import annotations

import logging
import os
import types
import typing
from collections.abc import Mapping
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from dockyard.config.models import DRIVERS, Configuration, Storage

log = logging.getLogger(__name__)

ENV_PREFIX = "REGISTRY_"
CONFIG_PATH_ENV = "REGISTRY_CONFIGURATION_PATH"
DEFAULT_ROOT = "./registry-data"

DEFAULT_CONFIG: dict[str, Any] = {
    "version": "0.1",
    "log": {"level": "info", "formatter": "text", "fields": {"service": "registry"}},
    "storage": {
        "filesystem": {"rootdirectory": DEFAULT_ROOT},
        "delete": {"enabled": True},
        "cache": {"blobdescriptor": "inmemory"},
    },
    "http": {"addr": "127.0.0.1:5000", "headers": {"X-Content-Type-Options": ["nosniff"]}},
}
"""What ``dockyard serve`` runs with when no file is given: a local folder on 127.0.0.1:5000."""


class ConfigError(Exception):
    """A configuration problem, worded as the single line start-up prints."""


def load(path: str | None = None, environ: Mapping[str, str] | None = None) -> Configuration:
    """Read ``path`` (or the embedded defaults), apply the environment, validate."""
    environ = os.environ if environ is None else environ
    path = path or environ.get(CONFIG_PATH_ENV) or None
    data = _read_yaml(path) if path else _deep_copy(DEFAULT_CONFIG)
    overridden = apply_environment(data, environ)
    return validate(data, source=path or "embedded defaults", overridden=overridden)


def validate(
    data: Any, source: str = "configuration", overridden: Mapping[str, str] | None = None
) -> Configuration:
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: the configuration must be a YAML mapping")
    try:
        return Configuration.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_first_error(exc, source, overridden or {})) from None


class _StrictLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` that refuses a mapping key given twice."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=True)
            try:
                duplicate = key in seen
                seen.add(key)
            except TypeError:
                continue  # an unhashable key is reported by the base constructor
            if duplicate:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark
                )
        return super().construct_mapping(node, deep)


def _read_yaml(path: str) -> Any:
    try:
        with open(path, encoding="utf-8") as f:
            data = yaml.load(f, Loader=_StrictLoader)  # a SafeLoader subclass
    except FileNotFoundError:
        raise ConfigError(f"{path}: configuration file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read configuration file: {exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(f"{path}: invalid YAML{where}: {problem}") from None
    return {} if data is None else data


def _first_error(exc: ValidationError, source: str, overridden: Mapping[str, str]) -> str:
    errors = exc.errors(include_url=False)
    first = errors[0]
    location = ".".join(str(part) for part in first["loc"] if not str(part).startswith("function-"))
    message = first["msg"]
    if first["type"] == "extra_forbidden":
        message = "unknown configuration key"
    elif first["type"] == "missing":
        message = "required key is missing"
    elif "input" in first and first["type"] not in ("value_error", "assertion_error"):
        message = f"{message} (got {first['input']!r})"[:300]
    message = message.removeprefix("Value error, ")
    env = _origin(location, overridden)
    origin = f" (set by {env})" if env else ""
    more = f" [and {len(errors) - 1} more problem(s)]" if len(errors) > 1 else ""
    return f"{source}: {location or '<root>'}{origin}: {message}{more}"


def _origin(location: str, overridden: Mapping[str, str]) -> str | None:
    """The variable that set ``location`` or the closest section containing it."""
    parts = location.split(".")
    for count in range(len(parts), 0, -1):
        env = overridden.get(".".join(parts[:count]))
        if env:
            return env
    return None


# -- environment overrides -----------------------------------------------------------------------


def apply_environment(data: dict[str, Any], environ: Mapping[str, str]) -> dict[str, str]:
    """Apply ``REGISTRY_*`` variables to ``data`` in place; returns {dotted key: variable}."""
    applied: dict[str, str] = {}
    for name in sorted(environ):
        if not name.startswith(ENV_PREFIX) or name == CONFIG_PATH_ENV:
            continue
        tokens = name[len(ENV_PREFIX) :].lower().split("_")
        value = _parse_env_value(environ[name])
        try:
            dotted = _set(data, Configuration, tokens, value)
        except _BadIndex as exc:
            raise ConfigError(
                f"{name}: list index {exc.index} skips entries (the list has {exc.length}; "
                f"index {exc.length} appends one)"
            ) from None
        except _Conflict as exc:
            raise ConfigError(f"{name}: cannot be applied: {exc}") from None
        except _UnknownKey:
            # Kubernetes injects REGISTRY_PORT & co. for a service named "registry": warn only.
            log.warning("ignoring environment variable %s: no such configuration key", name)
            continue
        applied[dotted] = name
    return applied


class _UnknownKey(Exception):
    pass


class _Conflict(Exception):
    pass


class _BadIndex(Exception):
    def __init__(self, index: int, length: int) -> None:
        self.index = index
        self.length = length


def _parse_env_value(raw: str) -> Any:
    try:
        return yaml.safe_load(raw)
    except yaml.YAMLError:
        return raw


def _unwrap(annotation: Any) -> Any:
    """Strip Optional/Annotated so that models, lists and dicts can be recognised."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            annotation = args[0]
        else:
            return annotation


def _field_for(model: type[BaseModel], tokens: list[str]) -> tuple[str, Any, int]:
    """The longest run of tokens naming a field (keys such as ``max_retries`` hold ``_``)."""
    names = {}
    for field_name, info in model.model_fields.items():
        names[info.alias or field_name] = (field_name, info.annotation)
    for count in range(len(tokens), 0, -1):
        key = "_".join(tokens[:count])
        if key in names:
            return key, names[key][1], count
    raise _UnknownKey


def _set(node: Any, annotation: Any, tokens: list[str], value: Any) -> str:
    """Set the key ``tokens`` names below ``node`` (typed ``annotation``); returns its path."""
    target = _unwrap(annotation)
    if isinstance(target, type) and issubclass(target, BaseModel):
        return _set_field(node, target, tokens, value)
    origin = typing.get_origin(target)
    if origin is list:
        if not tokens[0].isdigit():
            raise _UnknownKey
        index = int(tokens[0])
        if index > len(node):
            raise _BadIndex(index, len(node))
        if index == len(node):
            node.append({})
        if len(tokens) == 1:
            node[index] = value
            return str(index)
        if not isinstance(node[index], dict):
            node[index] = {}
        (item_type,) = typing.get_args(target) or (Any,)
        return f"{index}.{_set(node[index], item_type, tokens[1:], value)}"
    if origin is dict or target is Any:
        key = "_".join(tokens)
        node[key] = value
        return key
    raise _UnknownKey


def _set_field(node: dict[str, Any], model: type[BaseModel], tokens: list[str], value: Any) -> str:
    key, field_type, used = _field_for(model, tokens)
    rest = tokens[used:]
    if not rest:
        if model is Configuration and key == "storage" and isinstance(value, str):
            _switch_driver(node, value)
        elif model is Storage and key in DRIVERS and value is None:
            node[key] = {}  # ``REGISTRY_STORAGE_INMEMORY=`` selects a driver with no parameters
        elif value is None:
            node.pop(key, None)  # an empty variable: back to the default
        else:
            node[key] = value
        return key
    child = node.get(key)
    if isinstance(child, str) and child and key in ("storage", "auth"):
        child = node[key] = {child: {}}  # ``storage: inmemory`` in the file
    wants_list = typing.get_origin(_unwrap(field_type)) is list
    if child is None:
        child = node[key] = [] if wants_list else {}
    elif not isinstance(child, list if wants_list else dict):
        kind = "a list" if wants_list else "a mapping"
        raise _Conflict(f"{key} in the configuration file is not {kind}")
    return f"{key}.{_set(child, field_type, rest, value)}"


def _switch_driver(config: dict[str, Any], driver: str) -> None:
    storage = config.get("storage")
    if not isinstance(storage, dict):
        storage = config["storage"] = {}
    for name in DRIVERS:
        if name != driver:
            storage.pop(name, None)
    if not isinstance(storage.get(driver), dict):
        storage[driver] = {}


def _deep_copy(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: _deep_copy(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_deep_copy(v) for v in data]
    return data
