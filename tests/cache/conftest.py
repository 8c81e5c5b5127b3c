"""A real redis-server for the cache tests (scripts/system-packages installs it)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from support.redis import RedisServer


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    yield server
    server.stop()
