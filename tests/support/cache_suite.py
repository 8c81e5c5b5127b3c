"""One contract suite for blob-descriptor caches; each implementation's test module subclasses
:class:`CacheSuite` and provides a ``provider`` fixture (as Distribution's ``cachecheck``)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Coroutine
from typing import Any

from dockyard.registry.descriptor import Descriptor
from dockyard.registry.reference import Digest


def run(coro: Coroutine[Any, Any, Any], provider: Any = None) -> Any:
    """Run ``coro`` in a fresh loop; close ``provider``'s connections in that same loop."""

    async def main() -> Any:
        try:
            return await coro
        finally:
            if provider is not None:
                await provider.close()

    return asyncio.run(main())


def digest(seed: str | None = None) -> Digest:
    return Digest.of((seed or uuid.uuid4().hex).encode())


def repo() -> str:
    return f"cache/{uuid.uuid4().hex[:10]}"


class CacheSuite:
    def test_miss_then_hit(self, provider: Any) -> None:
        async def scenario() -> None:
            d = digest()
            cache = provider.global_cache()
            assert await cache.get(d) is None
            await cache.set(d, Descriptor(d, 42, "application/vnd.oci.image.layer.v1.tar"))
            assert await cache.get(d) == Descriptor(d, 42, "application/vnd.oci.image.layer.v1.tar")

        run(scenario(), provider)

    def test_repository_scope(self, provider: Any) -> None:
        async def scenario() -> None:
            d = digest()
            a, b = provider.repository(repo()), provider.repository(repo())
            await a.set(d, Descriptor(d, 7))
            assert await a.get(d) == Descriptor(d, 7)
            assert await b.get(d) is None, "a repository sees only what it was told about"

        run(scenario(), provider)

    def test_clear_forgets(self, provider: Any) -> None:
        async def scenario() -> None:
            d = digest()
            name = repo()
            scoped = provider.repository(name)
            await scoped.set(d, Descriptor(d, 9))
            await scoped.clear(d)
            assert await scoped.get(d) is None
            await scoped.clear(d)  # clearing what is not there is harmless
            other = provider.repository(repo())
            await other.set(d, Descriptor(d, 9))
            assert await other.get(d) == Descriptor(d, 9)

        run(scenario(), provider)

    def test_alias_digest_maps_to_canonical(self, provider: Any) -> None:
        async def scenario() -> None:
            canonical = digest()
            alias = Digest("sha512", "ab" * 64)
            scoped = provider.repository(repo())
            await scoped.set(alias, Descriptor(canonical, 11))
            assert await scoped.get(alias) == Descriptor(canonical, 11)

        run(scenario(), provider)

    def test_stats_count_hits_and_misses(self, provider: Any) -> None:
        async def scenario() -> None:
            before = provider.stats.snapshot()
            d = digest()
            cache = provider.repository(repo())
            await cache.get(d)
            await cache.set(d, Descriptor(d, 1))
            await cache.get(d)
            after = provider.stats.snapshot()
            assert after["requests"] - before["requests"] == 2
            assert after["hits"] - before["hits"] == 1
            assert after["misses"] - before["misses"] == 1

        run(scenario(), provider)
