"""The catalog walk gives the same pages whether driven through the driver API or locally.

The filesystem driver takes the local fast path (one pool call per page); the in-memory driver
goes listing by listing. Both are fed the same tree, and every page size and every ``last`` must
agree with each other and with Distribution's component-wise order.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from dockyard.storage import catalog, paths
from dockyard.storage.driver.filesystem import FilesystemDriver
from dockyard.storage.driver.inmemory import InMemoryDriver

NAMES = ["a-b", "a/b", "a", "a/b/c", "a.b", "a0", "b", "a/b-c", "a/b/c/d", "z__z/y", "q/r/s"]
EXPECTED = sorted(NAMES, key=lambda name: name.split("/"))


async def _populate(driver: FilesystemDriver | InMemoryDriver) -> None:
    for name in NAMES:
        await driver.put_content(f"{paths.tags_dir(name)}/v1/current/link", b"sha256:0")
    # Not repositories: a repository's own directories, and a directory with only blobs.
    await driver.put_content(f"{paths.layers_dir('only/layers')}/sha256/x/link", b"x")
    await driver.put_content(f"{paths.uploads_dir('a')}/u/startedat", b"x")


async def _pages(driver: FilesystemDriver | InMemoryDriver, n: int, last: str) -> list[str]:
    names, more = await catalog.repositories(driver, n, last)
    out = list(names)
    while more:
        names, more = await catalog.repositories(driver, n, out[-1])
        out += names
    return out


def test_local_and_driver_walks_agree(tmp_path: Path) -> None:
    async def check() -> None:
        local, remote = FilesystemDriver(str(tmp_path)), InMemoryDriver()
        await _populate(local)
        await _populate(remote)
        for n in (1, 2, 3, 5, 100):
            for last in ["", *EXPECTED, "a/a", "zz"]:
                want = (
                    [name for name in EXPECTED if name.split("/") > last.split("/")]
                    if last
                    else EXPECTED
                )
                assert await _pages(local, n, last) == want, (n, last)
                assert await _pages(remote, n, last) == want, (n, last)
        await local.close()

    asyncio.run(check())


def test_empty_storage(tmp_path: Path) -> None:
    async def check() -> None:
        driver = FilesystemDriver(str(tmp_path / "none"))
        assert await catalog.repositories(driver, 10) == ([], False)
        await driver.close()

    asyncio.run(check())
