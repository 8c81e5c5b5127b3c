"""The seam for blob-descriptor caches (Distribution's ``cache.BlobDescriptorCacheProvider``).

Stat-ing a blob costs a link read and a driver stat; a cache in front answers ``HEAD`` without
touching storage. Implementations (in-memory LRU, Redis) must never make a request fail: a cache
error is a miss.
"""

from __future__ import annotations

from typing import Protocol

from dockyard.registry.descriptor import Descriptor
from dockyard.registry.reference import Digest


class BlobDescriptorCache(Protocol):
    async def get(self, digest: Digest) -> Descriptor | None:
        """The cached descriptor, or None on a miss (or any cache failure)."""
        ...

    async def set(self, digest: Digest, descriptor: Descriptor) -> None:
        """Remember ``descriptor``; failures are swallowed."""
        ...

    async def clear(self, digest: Digest) -> None:
        """Forget ``digest`` (after a delete)."""
        ...


class BlobDescriptorCacheProvider(Protocol):
    """A global cache plus one scoped cache per repository, as in Distribution."""

    def global_cache(self) -> BlobDescriptorCache: ...

    def repository(self, name: str) -> BlobDescriptorCache: ...


class NoCache:
    """The cache used when ``storage.cache`` is not configured."""

    async def get(self, digest: Digest) -> Descriptor | None:
        return None

    async def set(self, digest: Digest, descriptor: Descriptor) -> None:
        return None

    async def clear(self, digest: Digest) -> None:
        return None


class NoCacheProvider:
    def __init__(self) -> None:
        self._cache = NoCache()

    def global_cache(self) -> BlobDescriptorCache:
        return self._cache

    def repository(self, name: str) -> BlobDescriptorCache:
        return self._cache
