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

from dockyard.manifest.parse import parse
from dockyard.registry.errors import ManifestUnknownError
from dockyard.registry.reference import Digest
from dockyard.storage import paths
from dockyard.storage.driver.filesystem import FilesystemDriver
from dockyard.storage.manifests import ManifestValidation
from dockyard.storage.registry import Registry, RegistryOptions
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


class RecordingDriver:
    """Delegates to ``driver``, noting the paths of every ``put_contents`` call."""

    def __init__(self, driver: FilesystemDriver) -> None:
        self._driver = driver
        self.batches: list[list[str]] = []

    async def put_contents(self, items: Sequence[tuple[str, bytes]]) -> None:
        self.batches.append([path for path, _ in items])
        await self._driver.put_contents(items)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._driver, name)


def test_tags_are_written_after_the_manifest_they_name(tmp_path: Path) -> None:
    """The manifest, then its revision link, are durable before any tag link is renamed in."""
    content = (
        b'{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",'
        b'"config":{"mediaType":"application/vnd.oci.image.config.v1+json",'
        b'"digest":"sha256:' + b"a" * 64 + b'","size":2},"layers":[]}'
    )
    manifest = parse(content)
    digest = Digest.of(content)

    async def push() -> list[list[str]]:
        inner = FilesystemDriver(str(tmp_path))
        driver = RecordingDriver(inner)
        options = RegistryOptions(validation=ManifestValidation(enabled=False))
        repo = Registry(driver, options).repository("repo")  # type: ignore[arg-type]
        try:
            await repo.manifests.put(manifest, digest, ["v1", "v2"])
            first = list(driver.batches)
            driver.batches.clear()
            await repo.manifests.put(manifest, digest, ["v3"])  # stored already: tags only
            assert await repo.tags.get("v1") == digest
            assert await repo.manifests.get(digest)
            return [*first, *driver.batches]
        finally:
            await inner.close()

    batches = asyncio.run(push())
    assert batches == [
        [paths.blob_data(digest)],
        [paths.revision_link("repo", digest)],
        [
            paths.tag_current_link("repo", "v1"),
            paths.tag_index_link("repo", "v1", digest),
            paths.tag_current_link("repo", "v2"),
            paths.tag_index_link("repo", "v2", digest),
        ],
        [paths.tag_current_link("repo", "v3"), paths.tag_index_link("repo", "v3", digest)],
    ]
