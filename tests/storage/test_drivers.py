"""Every storage driver Dockyard ships runs the one driver suite (``driver_suite.py``)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from dockyard.storage.driver import factory
from dockyard.storage.driver.base import FileInfo, StorageDriver
from storage.driver_suite import DriverCase, DriverSuite
from storage.drivers import PARAMS, create


def test_every_available_driver_runs_the_suite() -> None:
    assert set(PARAMS) == set(factory.DRIVERS)


def _read_tree(top: Path) -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    for path in sorted(top.rglob("*")):
        out[str(path.relative_to(top))] = b"<dir>" if path.is_dir() else path.read_bytes()
    return out


def _disk_snapshot(top: Path) -> Callable[[], Any]:
    async def snapshot() -> dict[str, bytes]:
        return await asyncio.to_thread(_read_tree, top)

    return snapshot


def _driver_snapshot(driver: StorageDriver) -> Callable[[], Any]:
    async def snapshot() -> dict[str, bytes]:
        out: dict[str, bytes] = {}

        async def visit(info: FileInfo) -> bool:
            out[info.path] = b"<dir>" if info.is_dir else await driver.get_content(info.path)
            return True

        await driver.walk("/", visit)
        return out

    return snapshot


@pytest.fixture(params=sorted(PARAMS))
def case(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[DriverCase]:
    name: str = request.param
    driver = create(name, tmp_path)
    if name == "filesystem":
        (tmp_path / "escape").write_bytes(b"outside the root")  # what "/../escape" would hit
        snapshot = _disk_snapshot(tmp_path)
    else:
        snapshot = _driver_snapshot(driver)
    yield DriverCase(driver, holds_content_in_memory=name == "inmemory", snapshot=snapshot)
    asyncio.run(driver.close())


class TestDrivers(DriverSuite):
    pass
