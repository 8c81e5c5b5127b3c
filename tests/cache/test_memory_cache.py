"""The in-memory LRU against the cache suite, plus its size bound."""

from __future__ import annotations

import pytest

from dockyard.cache.memory import InMemoryCacheProvider
from dockyard.registry.descriptor import Descriptor
from support.cache_suite import CacheSuite, digest, run


class TestInMemoryCache(CacheSuite):
    @pytest.fixture
    def provider(self) -> InMemoryCacheProvider:
        return InMemoryCacheProvider(1000)


def test_size_bound_evicts_least_recently_used() -> None:
    async def scenario() -> None:
        provider = InMemoryCacheProvider(2)
        cache = provider.global_cache()
        a, b, c = digest(), digest(), digest()
        await cache.set(a, Descriptor(a, 1))
        await cache.set(b, Descriptor(b, 2))
        assert await cache.get(a) is not None  # a is now the most recently used
        await cache.set(c, Descriptor(c, 3))
        assert provider.size == 2
        assert await cache.get(b) is None
        assert await cache.get(a) is not None and await cache.get(c) is not None

    run(scenario())


def test_zero_means_unbounded() -> None:
    async def scenario() -> None:
        provider = InMemoryCacheProvider(0)
        cache = provider.global_cache()
        for i in range(50):
            d = digest(str(i))
            await cache.set(d, Descriptor(d, i))
        assert provider.size == 50

    run(scenario())
