"""The ``redis`` blob-descriptor cache, with Distribution's key layout so both can share one Redis.

Keys: ``blobs::<digest>`` (hash: ``digest``, ``size``, ``mediatype``) for the global scope;
``repository::<name>::blobs`` (set of digests) and ``repository::<name>::blobs::<digest>`` (hash:
``mediatype``) for a repository. Redis holds no authority: every failure or timeout is a miss,
counted and logged once per outage. After a failure the cache is bypassed for a short, growing
pause (so a dead Redis costs requests nothing), then one request tries it again; the client
reconnects by itself. Invalidations that could not reach Redis are replayed when it is back, so
a delete made during an outage does not leave a stale descriptor behind.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from dockyard.cache.stats import CacheStats
from dockyard.config.sections.redis import Redis as RedisConfig
from dockyard.registry.descriptor import OCTET_STREAM, Descriptor
from dockyard.registry.errors import RegistryError
from dockyard.registry.reference import Digest
from dockyard.storage.cache import BlobDescriptorCache

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 1.0
PAUSE_MIN = 0.5
PAUSE_MAX = 15.0
MAX_REPLAY = 10000


class RedisUnsupportedError(Exception):
    """A ``redis`` setting Dockyard cannot honour; reported at start-up."""


def _address(config: RedisConfig) -> tuple[str, int]:
    addresses = config.addresses
    if not addresses:
        raise RedisUnsupportedError("storage.cache.blobdescriptor is redis but redis.addr is empty")
    if len(addresses) > 1 or config.mastername:
        raise RedisUnsupportedError(
            "redis: cluster and sentinel setups (several addrs, mastername) are not supported yet"
        )
    host, sep, port = addresses[0].rpartition(":")
    if not sep or not port.isdigit():
        raise RedisUnsupportedError(f"redis.addr: {addresses[0]!r} is not host:port")
    return host.strip("[]") or "127.0.0.1", int(port)


def client_options(config: RedisConfig) -> dict[str, Any]:
    """redis-py keyword arguments for the 2.8 and v3 keys of the ``redis`` section."""
    from redis.asyncio.retry import Retry
    from redis.backoff import NoBackoff

    host, port = _address(config)
    read = config.readtimeout or DEFAULT_TIMEOUT
    pool = config.poolsize or config.maxactiveconns or config.pool.maxactive
    options: dict[str, Any] = {
        "host": host,
        "port": port,
        "db": config.db,
        "username": config.username or None,
        "password": config.password or None,
        "client_name": config.clientname or None,
        "socket_connect_timeout": config.dialtimeout or DEFAULT_TIMEOUT,
        "socket_timeout": max(read, config.writetimeout),
        "retry": Retry(NoBackoff(), 0),
        "max_connections": pool or None,
    }
    if config.tls.enabled or config.tls.rootcas or config.tls.certificate:
        options.update(
            ssl=True,
            ssl_certfile=config.tls.certificate or None,
            ssl_keyfile=config.tls.key or None,
            ssl_ca_certs=config.tls.rootcas[0] if config.tls.rootcas else None,
        )
    return options


class RedisCacheProvider:
    def __init__(self, config: RedisConfig) -> None:
        self.config = config
        self._options = client_options(config)
        self._timeout = self._options["socket_connect_timeout"] + self._options["socket_timeout"]
        self._client: Any = None
        self.stats = CacheStats("redis")
        self._down_until = 0.0
        self._pause = PAUSE_MIN
        self._down = False
        self._replay: list[tuple[str | None, Digest]] = []
        self._replay_lost = False
        self._global = _RedisScope(self, None)

    # -- connection state ------------------------------------------------------------------

    def client(self) -> Any:
        if self._client is None:
            import redis.asyncio

            self._client = redis.asyncio.Redis(**self._options)
        return self._client

    async def ready(self) -> bool:
        """Whether to use Redis now. After an outage the first caller probes it and replays
        the invalidations it missed, before anything is read from it again."""
        if not self._down:
            return True
        if time.monotonic() < self._down_until:
            return False
        try:
            await self.run(lambda client: client.ping())
            while self._replay:
                scope, digest = self._replay[0]
                scoped = _RedisScope(self, scope)
                await self.run(lambda client, s=scoped, d=digest: s._clear(client, d))
                self._replay.pop(0)
        except Exception as exc:
            self.failed(exc)
            return False
        self._down = False
        log.info("redis cache available again")
        if self._replay_lost:
            self._replay_lost = False
            log.warning(
                "redis cache: invalidations were lost during the outage; descriptors of blobs "
                "deleted meanwhile may be stale until Redis is flushed"
            )
        return True

    def failed(self, exc: BaseException) -> None:
        self.stats.errors += 1
        now = time.monotonic()
        if not self._down:
            log.error("redis cache unavailable (%r); serving from storage", exc)
            self._pause = PAUSE_MIN
        else:
            self._pause = min(self._pause * 2, PAUSE_MAX)
        self._down = True
        self._down_until = now + self._pause

    def remember_clear(self, scope: str | None, digest: Digest) -> None:
        if len(self._replay) < MAX_REPLAY:
            self._replay.append((scope, digest))
        else:
            self._replay_lost = True

    async def run(self, operation: Any) -> Any:
        """Run ``operation(client)`` within the timeout; raises on any failure."""
        async with asyncio.timeout(self._timeout):
            return await operation(self.client())

    # -- provider protocol -----------------------------------------------------------------

    def global_cache(self) -> BlobDescriptorCache:
        return self._global

    def repository(self, name: str) -> BlobDescriptorCache:
        return _RedisScope(self, name)

    def vars(self) -> dict[str, Any]:
        pool = getattr(self._client, "connection_pool", None)
        config = self.config.model_dump(exclude={"password", "sentinelpassword"})
        return {
            "Config": config,
            "Active": len(getattr(pool, "_in_use_connections", ()) or ()),
            "Idle": len(getattr(pool, "_available_connections", ()) or ()),
            "Available": not self._down,
        }

    async def close(self) -> None:
        if self._client is not None:
            try:
                await self._client.aclose()
            except Exception:  # closing a broken connection: nothing left to do
                pass
            self._client = None


def _blob_key(digest: Digest | str) -> str:
    return f"blobs::{digest}"


class _RedisScope:
    __slots__ = ("_provider", "_repo")

    def __init__(self, provider: RedisCacheProvider, repo: str | None) -> None:
        self._provider = provider
        self._repo = repo

    def _set_key(self) -> str:
        return f"repository::{self._repo}::blobs"

    def _hash_key(self, digest: Digest) -> str:
        return f"repository::{self._repo}::blobs::{digest}"

    async def get(self, digest: Digest) -> Descriptor | None:
        provider = self._provider
        stats = provider.stats
        stats.requests += 1
        if not await provider.ready():
            stats.misses += 1
            return None
        try:
            reply = await provider.run(lambda client: self._get(client, digest))
        except Exception as exc:
            provider.failed(exc)
            stats.misses += 1
            return None
        if reply is None:
            stats.misses += 1
        else:
            stats.hits += 1
        return reply

    async def _get(self, client: Any, digest: Digest) -> Descriptor | None:
        pipe = client.pipeline(transaction=False)
        if self._repo is not None:
            pipe.sismember(self._set_key(), str(digest))
        pipe.hmget(_blob_key(digest), "digest", "size", "mediatype")
        if self._repo is not None:
            pipe.hget(self._hash_key(digest), "mediatype")
        replies = await pipe.execute()
        if self._repo is None:
            fields, scoped_type = replies[0], None
        else:
            if not replies[0]:
                return None
            fields, scoped_type = replies[1], replies[2]
            if scoped_type is None:
                return None
        raw_digest, raw_size, media_type = fields
        if raw_digest is None or raw_size is None:
            return None
        try:
            canonical = Digest.parse(raw_digest.decode())
            size = int(raw_size)
        except (ValueError, UnicodeDecodeError, RegistryError):
            return None
        chosen = scoped_type or media_type
        return Descriptor(canonical, size, chosen.decode() if chosen else OCTET_STREAM)

    async def set(self, digest: Digest, descriptor: Descriptor) -> None:
        provider = self._provider
        if not await provider.ready():
            return
        try:
            await provider.run(lambda client: self._set(client, digest, descriptor))
        except Exception as exc:
            provider.failed(exc)

    async def _set(self, client: Any, digest: Digest, descriptor: Descriptor) -> None:
        pipe = client.pipeline(transaction=False)
        key = _blob_key(digest)
        if self._repo is not None:
            pipe.sadd(self._set_key(), str(digest))
        pipe.hset(key, mapping={"digest": str(descriptor.digest), "size": descriptor.size})
        pipe.hsetnx(key, "mediatype", descriptor.media_type)
        if self._repo is not None:
            pipe.hset(self._hash_key(digest), "mediatype", descriptor.media_type)
        await pipe.execute()

    async def clear(self, digest: Digest) -> None:
        provider = self._provider
        if not await provider.ready():
            provider.remember_clear(self._repo, digest)
            return
        try:
            await provider.run(lambda client: self._clear(client, digest))
        except Exception as exc:
            provider.failed(exc)
            provider.remember_clear(self._repo, digest)

    async def _clear(self, client: Any, digest: Digest) -> None:
        pipe = client.pipeline(transaction=True)
        if self._repo is not None:
            pipe.srem(self._set_key(), str(digest))
            pipe.delete(self._hash_key(digest))
        pipe.hdel(_blob_key(digest), "digest", "size", "mediatype")
        await pipe.execute()
