"""The global content-addressed blob store and the per-repository linked views onto it.

A blob is stored once under ``blobs/<alg>/<xx>/<hex>/data``; a repository sees it only through a
link file (``_layers/...`` for blobs, ``_manifests/revisions/...`` for manifests). Reading a link
and then the blob is how every access is scoped to a repository.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable

from dockyard.registry.content import FileBody
from dockyard.registry.descriptor import Descriptor
from dockyard.registry.errors import BlobUnknownError, RegistryError
from dockyard.registry.reference import Digest
from dockyard.storage import paths
from dockyard.storage.cache import BlobDescriptorCache, NoCache
from dockyard.storage.driver.base import PathNotFoundError, StorageDriver, StorageDriverError

log = logging.getLogger(__name__)


async def read_link(driver: StorageDriver, path: str) -> Digest | None:
    """The digest a link file names, or None when there is no (readable) link."""
    try:
        content = await driver.get_content(path)
    except PathNotFoundError:
        return None
    try:
        return Digest.parse(content.decode("ascii"))
    except (UnicodeDecodeError, RegistryError):  # a corrupt link hides the content
        log.warning("unreadable link file %s", path)
        return None


Write = tuple[str, bytes]
"""A small file to store: its driver path and content (see ``StorageDriver.put_contents``)."""


async def link_write(driver: StorageDriver, path: str, digest: Digest) -> Write | None:
    """The write that points ``path`` at ``digest``; None when the link already does.

    A link is written atomically and fsynced (a millisecond or more on a local disk)
    while reading it back costs microseconds; re-pushes and re-tags name links that are already
    right (the revision link of a manifest pushed again under a new tag, the layer links of
    blobs a repository holds), so those are not rewritten.
    """
    content = str(digest).encode("ascii")
    try:
        if await driver.get_content(path) == content:
            return None
    except StorageDriverError:
        pass  # missing or unreadable: (re)write it
    return path, content


async def write_link(driver: StorageDriver, path: str, digest: Digest) -> None:
    """Point ``path`` at ``digest``, unless it already does."""
    write = await link_write(driver, path, digest)
    if write is not None:
        await driver.put_content(*write)


class BlobStore:
    """Content-addressed bytes, shared by every repository."""

    def __init__(self, driver: StorageDriver, cache: BlobDescriptorCache | None = None) -> None:
        self.driver = driver
        self.cache = cache or NoCache()

    async def stat(self, digest: Digest) -> Descriptor:
        cached = await self.cache.get(digest)
        if cached is not None:
            return cached
        try:
            info = await self.driver.stat(paths.blob_data(digest))
        except PathNotFoundError:
            raise BlobUnknownError(str(digest)) from None
        if info.is_dir:
            raise BlobUnknownError(str(digest))
        descriptor = Descriptor(digest, info.size)
        await self.cache.set(digest, descriptor)
        return descriptor

    async def exists(self, digest: Digest) -> bool:
        try:
            await self.stat(digest)
        except BlobUnknownError:
            return False
        return True

    async def get(self, digest: Digest) -> bytes:
        try:
            return await self.driver.get_content(paths.blob_data(digest))
        except PathNotFoundError:
            raise BlobUnknownError(str(digest)) from None

    async def put(self, content: bytes, digest: Digest | None = None) -> Descriptor:
        """Store small content (a manifest) under its digest; first writer wins."""
        digest = digest or Digest.of(content)
        write = await self.put_write(content, digest)
        if write is not None:
            await self.driver.put_content(*write)
        return await self.stored(digest, len(content))

    async def put_write(self, content: bytes, digest: Digest) -> Write | None:
        """The write that stores ``content`` under ``digest``; None when it is already stored.

        For callers that store it together with other files; :meth:`stored` once it is written.
        """
        return None if await self.exists(digest) else (paths.blob_data(digest), content)

    async def stored(self, digest: Digest, size: int) -> Descriptor:
        """Remember that ``digest`` (``size`` bytes) is now stored."""
        descriptor = Descriptor(digest, size)
        await self.cache.set(digest, descriptor)
        return descriptor

    def body(
        self, digest: Digest, size: int, offset: int = 0, length: int | None = None
    ) -> FileBody:
        """A response body for (a range of) the blob, zero-copy where the driver is local."""
        path = paths.blob_data(digest)
        length = size - offset if length is None else length

        def chunks() -> AsyncIterator[bytes]:
            return self.driver.reader(path, offset, length)

        return FileBody(self.driver.local_path(path), offset, length, chunks)

    async def redirect_url(self, method: str, digest: Digest) -> str | None:
        return await self.driver.redirect_url(method, paths.blob_data(digest))


class LinkedBlobStore:
    """One repository's view of the blob store, through link files at ``link_path(name, digest)``.

    ``stat`` answers with the digest that was asked for (an alias link may name a canonical
    digest of another algorithm) and the canonical blob's size.
    """

    def __init__(
        self,
        blobs: BlobStore,
        name: str,
        link_path: Callable[[str, Digest], str],
        cache: BlobDescriptorCache | None = None,
    ) -> None:
        self.blobs = blobs
        self.driver = blobs.driver
        self.name = name
        self._link_path = link_path
        self.cache = cache or NoCache()

    async def resolve(self, digest: Digest) -> Descriptor:
        """The canonical descriptor of ``digest`` as this repository sees it."""
        cached = await self.cache.get(digest)
        if cached is not None:
            return cached
        target = await read_link(self.driver, self._link_path(self.name, digest))
        if target is None:
            raise BlobUnknownError(str(digest))
        descriptor = await self.blobs.stat(target)
        await self.cache.set(digest, descriptor)
        return descriptor

    async def stat(self, digest: Digest) -> Descriptor:
        canonical = await self.resolve(digest)
        return Descriptor(digest, canonical.size, canonical.media_type)

    async def exists(self, digest: Digest) -> bool:
        try:
            await self.resolve(digest)
        except BlobUnknownError:
            return False
        return True

    async def link(self, digest: Digest, canonical: Digest | None = None) -> None:
        await write_link(self.driver, self._link_path(self.name, digest), canonical or digest)

    async def link_write(self, digest: Digest) -> Write | None:
        """The write that links ``digest`` into the repository; None when it already is."""
        return await link_write(self.driver, self._link_path(self.name, digest), digest)

    async def unlink(self, digest: Digest) -> None:
        await self.cache.clear(digest)
        try:
            await self.driver.delete(self._link_path(self.name, digest))
        except PathNotFoundError:
            raise BlobUnknownError(str(digest)) from None
