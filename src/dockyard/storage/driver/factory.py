"""Builds the configured storage driver (``storage.<driver>`` in the config), by name.

Drivers are registered as ``"module:attribute"`` strings and imported only when chosen, so a
driver's dependencies (an S3 client, say) cost nothing unless it is configured. Distribution's
other drivers (``s3``, ``azure``, ``gcs``) parse and validate in the configuration but are refused
here, before start-up, with one line saying so.
"""

from __future__ import annotations

import importlib
import os
from typing import Any

from dockyard.storage.driver.base import StorageDriver


class DriverUnavailableError(Exception):
    """The configuration names a driver this build cannot provide."""


DRIVERS: dict[str, str] = {
    "filesystem": "dockyard.storage.driver.filesystem:FilesystemDriver",
    "inmemory": "dockyard.storage.driver.inmemory:InMemoryDriver",
}
"""Available drivers: config name → ``module:class`` taking the driver's parameters."""

NOT_YET = {
    "s3": "the s3 storage driver is not available in Dockyard yet (use filesystem)",
    "azure": "the azure storage driver is not available in Dockyard yet (use filesystem)",
    "gcs": "the gcs storage driver is not available in Dockyard yet (use filesystem)",
}

AVAILABLE = tuple(DRIVERS)


def check(name: str) -> None:
    """Refuse, before start-up, a driver that :func:`create` cannot build."""
    if name not in DRIVERS:
        reason = NOT_YET.get(name, f"unknown storage driver (available: {', '.join(DRIVERS)})")
        raise DriverUnavailableError(f"storage.{name}: {reason}")


def create(name: str, params: dict[str, Any]) -> StorageDriver:
    """Instantiate driver ``name`` with its configuration section as keyword arguments."""
    check(name)
    module, _, attr = DRIVERS[name].partition(":")
    cls = getattr(importlib.import_module(module), attr)
    driver: StorageDriver = cls(**params)
    return driver


def prepare(name: str, params: dict[str, Any]) -> None:
    """Make sure the configured storage can be used before serving, or say why not in one line.

    For ``filesystem``: the root directory is created if missing and must be writable.
    """
    check(name)
    if name != "filesystem":
        return
    root = os.path.abspath(params["rootdirectory"])
    try:
        os.makedirs(root, exist_ok=True)
        if not os.path.isdir(root):
            raise NotADirectoryError(20, "not a directory")
        if not os.access(root, os.W_OK | os.X_OK):
            raise PermissionError(13, "not writable")
    except OSError as exc:
        raise DriverUnavailableError(
            f"storage.filesystem.rootdirectory: cannot use {root}: {exc.strerror or exc}"
        ) from None
