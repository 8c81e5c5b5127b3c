"""Builds the configured storage driver (``storage.<driver>`` in the config)."""

from __future__ import annotations

from typing import Any

from dockyard.storage.driver.base import StorageDriver


class DriverUnavailableError(Exception):
    """The configuration names a driver this build cannot provide."""


AVAILABLE = ("filesystem", "inmemory")


def check(name: str) -> None:
    """Refuse, before start-up, a driver that :func:`create` cannot build."""
    if name not in AVAILABLE:
        raise DriverUnavailableError(
            f"storage.{name}: this storage driver is not available in Dockyard yet"
        )


def create(name: str, params: dict[str, Any]) -> StorageDriver:
    if name == "filesystem":
        from dockyard.storage.driver.filesystem import FilesystemDriver

        return FilesystemDriver(params["rootdirectory"], params["maxthreads"])
    if name == "inmemory":
        from dockyard.storage.driver.inmemory import InMemoryDriver

        return InMemoryDriver()
    raise DriverUnavailableError(f"storage driver {name!r} is not available in Dockyard yet")
