"""The caches behind a real server: HEAD answered from the cache, deletes invalidate, and a
Redis that stops mid-test never fails a request."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import redis

from support.api import push_blob, push_image
from support.redis import RedisServer
from support.server import DockyardServer


def _blob_file(server: DockyardServer, digest: str) -> Path:
    hexpart = digest.split(":", 1)[1]
    return server.root / "docker/registry/v2/blobs/sha256" / hexpart[:2] / hexpart / "data"


def test_inmemory_cache_answers_head_and_deletes_invalidate(
    make_server: Callable[..., DockyardServer], repo: str
) -> None:
    server = make_server(storage__cache={"blobdescriptor": "inmemory", "blobdescriptorsize": 100})
    with server.client() as client:
        digest = push_blob(client, repo, b"cached descriptor")
        assert client.head(f"/v2/{repo}/blobs/{digest}").status_code == 200
        data = _blob_file(server, digest)
        data.rename(data.with_suffix(".away"))  # storage changes behind the registry's back
        head = client.head(f"/v2/{repo}/blobs/{digest}")
        assert head.status_code == 200, "answered from the cache, without a storage stat"
        assert head.headers["content-length"] == str(len(b"cached descriptor"))
        data.with_suffix(".away").rename(data)
        assert client.delete(f"/v2/{repo}/blobs/{digest}").status_code == 202
        assert client.head(f"/v2/{repo}/blobs/{digest}").status_code == 404


def test_redis_cache_and_redis_stopping_mid_test(
    make_server: Callable[..., DockyardServer], tmp_path: Path, repo: str
) -> None:
    redis_server = RedisServer(tmp_path / "redis").start()
    server = make_server(
        storage__cache={"blobdescriptor": "redis"},
        redis={"addr": redis_server.addr, "dialtimeout": "300ms", "readtimeout": "300ms"},
    )
    try:
        with server.client() as client:
            img = push_image(client, repo, "v1", "redis-cache")
            layer = img["layers"][0].digest
            assert client.head(f"/v2/{repo}/blobs/{layer}").status_code == 200
            admin = redis.Redis(host="127.0.0.1", port=redis_server.port)
            assert admin.sismember(f"repository::{repo}::blobs", layer), "the cache was used"
            admin.close()

            redis_server.stop()
            for _ in range(3):
                assert client.head(f"/v2/{repo}/blobs/{layer}").status_code == 200
                assert client.get(f"/v2/{repo}/manifests/v1").status_code == 200
            push_image(client, repo, "v2", "while redis is down")
            assert client.delete(f"/v2/{repo}/blobs/{layer}").status_code == 202
            assert client.head(f"/v2/{repo}/blobs/{layer}").status_code == 404

            redis_server.start()
            other = push_blob(client, repo, b"after redis came back")
            assert client.head(f"/v2/{repo}/blobs/{other}").status_code == 200
        assert "redis cache unavailable" in server.logs()
    finally:
        redis_server.stop()


def test_redis_cache_without_redis_address_stops_startup(
    make_server: Callable[..., DockyardServer],
) -> None:
    server = make_server(start=False, storage__cache={"blobdescriptor": "redis"})
    server.start(wait=False)
    assert server.process is not None
    assert server.process.wait(60) == 2
    assert server.logs().strip() == (
        "dockyard: storage.cache.blobdescriptor is redis but redis.addr is empty"
    )
