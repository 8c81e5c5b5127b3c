"""The ``inmemory`` blob-descriptor cache: one LRU per process, bounded by
``blobdescriptorsize`` entries (0: unbounded), shared by the global and repository scopes."""

from __future__ import annotations

from collections import OrderedDict

from dockyard.cache.stats import CacheStats
from dockyard.registry.descriptor import Descriptor
from dockyard.registry.reference import Digest
from dockyard.storage.cache import BlobDescriptorCache

DEFAULT_SIZE = 10000


class _LRU:
    def __init__(self, size: int) -> None:
        self.size = size
        self.entries: OrderedDict[tuple[str, Digest], Descriptor] = OrderedDict()

    def get(self, key: tuple[str, Digest]) -> Descriptor | None:
        found = self.entries.get(key)
        if found is not None:
            self.entries.move_to_end(key)
        return found

    def set(self, key: tuple[str, Digest], value: Descriptor) -> None:
        self.entries[key] = value
        self.entries.move_to_end(key)
        if self.size > 0:
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)

    def pop(self, key: tuple[str, Digest]) -> None:
        self.entries.pop(key, None)


class _Scoped:
    """One scope ("" for the global one, else a repository name) of the shared LRU."""

    __slots__ = ("_lru", "_scope", "_stats")

    def __init__(self, lru: _LRU, scope: str, stats: CacheStats) -> None:
        self._lru = lru
        self._scope = scope
        self._stats = stats

    async def get(self, digest: Digest) -> Descriptor | None:
        stats = self._stats
        stats.requests += 1
        found = self._lru.get((self._scope, digest))
        if found is None:
            stats.misses += 1
        else:
            stats.hits += 1
        return found

    async def set(self, digest: Digest, descriptor: Descriptor) -> None:
        self._lru.set((self._scope, digest), descriptor)

    async def clear(self, digest: Digest) -> None:
        self._lru.pop((self._scope, digest))


class InMemoryCacheProvider:
    def __init__(self, size: int = DEFAULT_SIZE) -> None:
        self._lru = _LRU(size)
        self.stats = CacheStats("inmemory")
        self._global = _Scoped(self._lru, "", self.stats)

    def global_cache(self) -> BlobDescriptorCache:
        return self._global

    def repository(self, name: str) -> BlobDescriptorCache:
        return _Scoped(self._lru, "/" + name, self.stats)

    @property
    def size(self) -> int:
        """Entries held (no ``__len__``: an empty cache must still be truthy)."""
        return len(self._lru.entries)

    def vars(self) -> dict[str, object]:
        return {"Size": len(self._lru.entries), "Limit": self._lru.size}

    async def close(self) -> None:
        return None
