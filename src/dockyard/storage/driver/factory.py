"""Builds the configured storage driver (``storage.<driver>`` in the config), by name.

Drivers are registered as ``"module:attribute"`` strings and imported only when chosen, so a
driver's dependencies (an S3 client, say) cost nothing unless it is configured. Distribution's
other drivers (``s3``, ``azure``, ``gcs``) parse and validate in the configuration but are refused
here, before start-up, with one line saying so.
"""

from __future__ import annotations

import importlib
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
