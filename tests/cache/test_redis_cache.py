"""The Redis cache against the cache suite and a real redis-server, including outages."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from dockyard.cache.redis import RedisCacheProvider
from dockyard.config.sections.redis import Redis
from dockyard.registry.descriptor import Descriptor
from support.cache_suite import CacheSuite, digest, repo, run
from support.redis import RedisServer


def _provider(addr: str) -> RedisCacheProvider:
    return RedisCacheProvider(Redis(addr=addr, dialtimeout="500ms", readtimeout="500ms"))


class TestRedisCache(CacheSuite):
    @pytest.fixture
    def provider(self, redis_server: RedisServer) -> Iterator[RedisCacheProvider]:
        yield _provider(redis_server.addr)


def test_key_layout_is_distributions(redis_server: RedisServer) -> None:
    d, name = digest(), repo()

    async def scenario() -> None:
        provider = _provider(redis_server.addr)
        await provider.repository(name).set(d, Descriptor(d, 5, "application/x-test"))
        await provider.close()

    run(scenario())
    client = redis.Redis(host="127.0.0.1", port=redis_server.port)
    assert client.hgetall(f"blobs::{d}") == {
        b"digest": str(d).encode(),
        b"size": b"5",
        b"mediatype": b"application/x-test",
    }
    assert client.sismember(f"repository::{name}::blobs", str(d))
    assert client.hget(f"repository::{name}::blobs::{d}", "mediatype") == b"application/x-test"
    client.close()


def test_slow_redis_is_a_miss_and_invalidations_are_replayed(redis_server: RedisServer) -> None:
    d, name = digest(), repo()
    admin = redis.Redis(host="127.0.0.1", port=redis_server.port)
    provider = _provider(redis_server.addr)

    async def before() -> None:
        await provider.repository(name).set(d, Descriptor(d, 3))
        assert await provider.repository(name).get(d) == Descriptor(d, 3)

    async def while_paused() -> None:
        scoped = provider.repository(name)
        assert await scoped.get(d) is None  # a timeout is a miss, never an exception
        assert provider.stats.errors >= 1
        await scoped.clear(d)  # Redis is bypassed during the pause: the clear is remembered

    async def after() -> None:
        provider._down_until = 0.0  # skip the pause before the next probe instead of waiting
        assert await provider.repository(name).get(d) is None, "the clear was replayed first"

    try:
        run(before(), provider)
        admin.client_pause(1500, all=True)  # every command blocks: Redis is "slow"
        run(while_paused(), provider)
        admin.client_unpause()
        assert admin.hget(f"repository::{name}::blobs::{d}", "mediatype") is not None
        run(after(), provider)
        assert not admin.sismember(f"repository::{name}::blobs", str(d))
    finally:
        admin.close()


def test_redis_down_then_back(tmp_path: Path) -> None:
    server = RedisServer(tmp_path / "redis").start()
    d, name = digest(), repo()
    provider = _provider(server.addr)

    async def down() -> None:
        scoped = provider.repository(name)
        assert await scoped.get(d) is None
        await scoped.set(d, Descriptor(d, 4))  # swallowed
        assert provider.stats.errors >= 1

    async def back() -> None:
        provider._down_until = 0.0
        scoped = provider.repository(name)
        await scoped.set(d, Descriptor(d, 4))
        assert await scoped.get(d) == Descriptor(d, 4)

    try:
        server.stop()
        run(down(), provider)
        server.start()
        run(back(), provider)
    finally:
        server.stop()
