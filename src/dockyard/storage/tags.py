"""Tags: ``_manifests/tags/<tag>/current/link`` plus the tag's history under ``index/``."""

from __future__ import annotations

import asyncio

from dockyard.registry.errors import ManifestUnknownError, NameUnknownError
from dockyard.registry.reference import Digest
from dockyard.storage import paths
from dockyard.storage.blobs import Write, link_write, read_link
from dockyard.storage.driver.base import PathNotFoundError, StorageDriver
from dockyard.storage.listing import child_names

LOOKUP_CONCURRENCY = 16


class TagStore:
    def __init__(self, driver: StorageDriver, name: str) -> None:
        self.driver = driver
        self.name = name

    async def get(self, tag: str) -> Digest:
        digest = await read_link(self.driver, paths.tag_current_link(self.name, tag))
        if digest is None:
            raise ManifestUnknownError(tag)
        return digest

    async def tag(self, tag: str, digest: Digest) -> None:
        writes = await self.tag_writes(tag, digest)
        if writes:
            await self.driver.put_contents(writes)

    async def tag_writes(self, tag: str, digest: Digest) -> list[Write]:
        """The links to write, in order, so that ``tag`` names ``digest``.

        The pointer first, then the history: a new tag's directory appears with ``current/link``
        in it (at once on object stores), so a crash in between never leaves a listed tag that
        cannot be resolved. Nothing reads the history index; Distribution keeps it the same way.
        """
        writes = []
        for path in (
            paths.tag_current_link(self.name, tag),
            paths.tag_index_link(self.name, tag, digest),
        ):
            write = await link_write(self.driver, path, digest)
            if write is not None:
                writes.append(write)
        return writes

    async def untag(self, tag: str) -> None:
        try:
            await self.driver.delete(paths.tag_dir(self.name, tag))
        except PathNotFoundError:
            raise ManifestUnknownError(tag) from None

    async def all(self) -> list[str]:
        """Every tag, sorted by byte value.

        A repository holding manifests but no tags (pushed by digest only) has an empty list, as
        the OCI spec asks; Distribution answers NAME_UNKNOWN there. A name without manifests is
        NAME_UNKNOWN, as in both.
        """
        try:
            return await child_names(self.driver, paths.tags_dir(self.name))
        except PathNotFoundError:
            if await self._has_manifests():
                return []
            raise NameUnknownError(self.name) from None

    async def _has_manifests(self) -> bool:
        try:
            return (await self.driver.stat(paths.manifests_dir(self.name))).is_dir
        except PathNotFoundError:
            return False

    async def lookup(self, digest: Digest) -> list[str]:
        """The tags whose current link names ``digest`` (a scan, as in Distribution)."""
        try:
            tags = await self.all()
        except NameUnknownError:
            return []
        semaphore = asyncio.Semaphore(LOOKUP_CONCURRENCY)

        async def points_at(tag: str) -> bool:
            async with semaphore:
                return (
                    await read_link(self.driver, paths.tag_current_link(self.name, tag)) == digest
                )

        found = await asyncio.gather(*(points_at(tag) for tag in tags))
        return [tag for tag, hit in zip(tags, found, strict=True) if hit]
