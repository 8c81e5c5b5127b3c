"""How the tests build each storage driver Dockyard ships (through its factory, by name)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from dockyard.storage.driver import factory
from dockyard.storage.driver.base import FileInfo, StorageDriver


def _filesystem_params(tmp: Path) -> dict[str, Any]:
    return {"rootdirectory": str(tmp / "root"), "maxthreads": 25}


def _inmemory_params(tmp: Path) -> dict[str, Any]:
    return {}


PARAMS: dict[str, Callable[[Path], dict[str, Any]]] = {
    "filesystem": _filesystem_params,
    "inmemory": _inmemory_params,
}
"""Parameters per driver name; a driver added to the factory must be added here too."""


def create(name: str, tmp: Path) -> StorageDriver:
    return factory.create(name, PARAMS[name](tmp))


async def files(driver: StorageDriver, top: str = "/") -> dict[str, bytes]:
    """Every file under ``top`` and its content (directories left out: backends differ there)."""
    out: dict[str, bytes] = {}

    async def visit(info: FileInfo) -> bool:
        if not info.is_dir:
            out[info.path] = await driver.get_content(info.path)
        return True

    await driver.walk(top, visit)
    return out


async def copy(source: StorageDriver, dest: StorageDriver, top: str = "/") -> None:
    for path, content in (await files(source, top)).items():
        await dest.put_content(path, content)
