"""A tag write cut short after its first link never leaves a listed tag that cannot be resolved.

Tagging writes two links: ``current/link`` (what the tag names) and an entry in the tag's
history index. Storage shows a tag as soon as its directory exists, so the pointer must come
first: a crash after the first write then leaves a complete tag rather than a listed one with
nothing behind it. The crash is simulated at the driver, deterministically, after each write
(the two links go in one batch, which the filesystem driver renames into place in order).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from dockyard.registry.errors import ManifestUnknownError
from dockyard.registry.reference import Digest
from dockyard.storage.driver.filesystem import FilesystemDriver
from dockyard.storage.tags import TagStore

OLD = Digest.of(b"old manifest")
NEW = Digest.of(b"new manifest")


class SimulatedCrashError(Exception):
    pass


class CrashingDriver:
    """Delegates to ``driver`` but dies on the write after ``writes`` successful ones."""

    def __init__(self, driver: FilesystemDriver, writes: int) -> None:
        self._driver = driver
        self._left = writes

    async def put_content(self, path: str, content: bytes) -> None:
        if self._left == 0:
            raise SimulatedCrashError(path)
        self._left -= 1
        await self._driver.put_content(path, content)

    async def put_contents(self, items: Sequence[tuple[str, bytes]]) -> None:
        # A batch is renamed into place in order, so a crash keeps a prefix of it.
        for path, content in items:
            await self.put_content(path, content)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._driver, name)


async def _interrupted_tagging(root: Path, writes: int, existing: bool) -> dict[str, Digest]:
    driver = FilesystemDriver(str(root))
    try:
        if existing:
            await TagStore(driver, "repo").tag("v1", OLD)
        crashing = TagStore(CrashingDriver(driver, writes), "repo")  # type: ignore[arg-type]
        try:
            await crashing.tag("v1", NEW)
        except SimulatedCrashError:
            pass
        after = TagStore(driver, "repo")
        try:
            listed = await after.all()
        except Exception:  # no tags directory at all
            listed = []
        resolved: dict[str, Digest] = {}
        for tag in listed:
            try:
                resolved[tag] = await after.get(tag)
            except ManifestUnknownError:
                raise AssertionError(f"tag {tag} is listed but does not resolve") from None
        return resolved
    finally:
        await driver.close()


@pytest.mark.parametrize("writes", [0, 1, 2])
@pytest.mark.parametrize("existing", [False, True], ids=["new-tag", "moved-tag"])
def test_interrupted_tag_write_is_all_or_nothing(
    tmp_path: Path, writes: int, existing: bool
) -> None:
    resolved = asyncio.run(_interrupted_tagging(tmp_path, writes, existing))
    if writes == 0:  # died before writing anything: the tag is as it was
        assert resolved == ({"v1": OLD} if existing else {})
    else:  # the pointer is the first write: once it is there, the tag names the new digest
        assert resolved == {"v1": NEW}
