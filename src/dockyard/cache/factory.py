"""Picks the blob-descriptor cache named by ``storage.cache.blobdescriptor`` (or ``layerinfo``)."""

from __future__ import annotations

import logging

from dockyard.cache.memory import InMemoryCacheProvider
from dockyard.cache.redis import RedisCacheProvider, RedisUnsupportedError
from dockyard.config.models import Configuration

log = logging.getLogger(__name__)

CacheProvider = InMemoryCacheProvider | RedisCacheProvider


def check(config: Configuration) -> None:
    """Refuse, before start-up, a cache configuration :func:`create` cannot build."""
    if config.storage.cache.kind == "redis":
        RedisCacheProvider(config.redis)


def create(config: Configuration) -> CacheProvider | None:
    kind = config.storage.cache.kind
    if kind == "inmemory":
        log.info("using inmemory blob descriptor cache")
        return InMemoryCacheProvider(config.storage.cache.blobdescriptorsize)
    if kind == "redis":
        log.info("using redis blob descriptor cache")
        return RedisCacheProvider(config.redis)
    return None


__all__ = ["CacheProvider", "RedisUnsupportedError", "check", "create"]
