"""The debug server: /debug/vars, Prometheus metrics (parsed with prometheus_client) and the
health checks, against real servers."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families

from support.api import push_blob, push_image
from support.redis import RedisServer
from support.server import DockyardServer, free_port, wait_until
from support.webhook import Receiver, endpoint


def _debug(server: DockyardServer) -> str:
    return f"http://{server.config['http']['debug']['addr']}"


def _samples(text: str) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            out.setdefault(sample.name, []).append(sample)
    return out


def _value(samples: dict[str, list[Any]], name: str, **labels: str) -> float:
    return sum(
        s.value
        for s in samples.get(name, [])
        if all(s.labels.get(k) == v for k, v in labels.items())
    )


def test_vars_and_prometheus(
    make_server: Callable[..., DockyardServer], tmp_path: Path, repo: str
) -> None:
    receiver = Receiver()  # down: events stay pending, then get delivered
    redis_server = RedisServer(tmp_path / "redis").start()
    debug_addr = f"127.0.0.1:{free_port()}"
    server = make_server(
        http__debug={"addr": debug_addr, "prometheus": {"enabled": True, "path": "/metrics"}},
        notifications={"endpoints": [endpoint(receiver, "hook", backoff="100ms")]},
        storage__cache={"blobdescriptor": "redis"},
        redis={"addr": redis_server.addr},
    )
    try:
        with server.client() as client:
            img = push_image(client, repo, "v1", "metrics")
            layer = img["layers"][0]
            for _ in range(3):
                assert client.head(f"/v2/{repo}/blobs/{layer.digest}").status_code == 200
            assert client.get(f"/v2/{repo}/blobs/{layer.digest}").content == layer.data
            assert client.get(f"/v2/{repo}/manifests/nope").status_code == 404

        def vars_() -> dict[str, Any]:
            return httpx.get(f"http://{debug_addr}/debug/vars", timeout=5).json()

        def endpoint_metrics() -> dict[str, Any]:
            (entry,) = vars_()["registry"]["notifications"]["endpoints"]
            return entry["Metrics"]

        wait_until(lambda: endpoint_metrics()["Pending"] >= 5, 15, what="pending events in vars")
        text = httpx.get(f"http://{debug_addr}/metrics", timeout=5).text
        samples = _samples(text)
        assert _value(samples, "registry_notifications_pending", endpoint="hook") >= 5

        receiver.start()
        wait_until(lambda: endpoint_metrics()["Pending"] == 0, 15, what="queue drained")
        metrics = endpoint_metrics()
        assert metrics["Successes"] == metrics["Events"] >= 5
        assert metrics["Errors"] >= 1
        assert metrics["Statuses"] == {"200 OK": metrics["Successes"]}
        registry = vars_()["registry"]
        assert registry["redis"]["Config"]["addr"] == redis_server.addr
        assert "password" not in registry["redis"]["Config"]
        assert registry["redis"]["Active"] + registry["redis"]["Idle"] >= 1
        assert registry["cache"]["hits"] >= 2

        def scraped() -> dict[str, list[Any]]:
            return _samples(httpx.get(f"http://{debug_addr}/metrics", timeout=5).text)

        wait_until(
            lambda: _value(scraped(), "registry_notifications_events_total", type="Successes") >= 5,
            10,
            what="successes in prometheus",
        )
        samples = scraped()
        assert (
            _value(
                samples, "registry_http_requests_total", handler="blob", method="HEAD", code="200"
            )
            == 3
        )
        assert (
            _value(
                samples,
                "registry_http_requests_total",
                handler="manifest",
                method="GET",
                code="404",
            )
            == 1
        )
        assert (
            _value(
                samples,
                "registry_http_request_duration_seconds_count",
                handler="blob_upload_chunk",
                method="PUT",
                code="201",
            )
            == 3
        )
        assert (
            _value(
                samples,
                "registry_http_request_duration_seconds_bucket",
                handler="blob",
                method="HEAD",
                code="200",
                le="+Inf",
            )
            == 3
        )
        assert _value(
            samples, "registry_http_request_size_bytes_total", handler="blob_upload_chunk"
        ) >= len(layer.data)
        assert _value(samples, "registry_http_response_size_bytes_total", handler="blob") >= len(
            layer.data
        )
        assert (
            _value(
                samples,
                "registry_storage_action_seconds_count",
                driver="filesystem",
                action="GetContent",
            )
            > 0
        )
        assert (
            _value(
                samples, "registry_storage_action_seconds_count", driver="filesystem", action="Move"
            )
            == 3
        )
        assert _value(samples, "registry_storage_cache_hits_total", type="redis") >= 2
        assert _value(samples, "registry_storage_cache_misses_total", type="redis") >= 1
        assert _value(samples, "registry_notifications_pending", endpoint="hook") == 0
        assert (
            _value(samples, "registry_notifications_status_total", endpoint="hook", code="200 OK")
            >= 5
        )
    finally:
        receiver.stop()
        redis_server.stop()
        server.stop()


def test_health_checks_flip(
    make_server: Callable[..., DockyardServer], tmp_path: Path, repo: str
) -> None:
    down_file = tmp_path / "out-of-rotation"
    receiver = Receiver().start()
    closed_port = free_port()
    debug_addr = f"127.0.0.1:{free_port()}"
    server = make_server(
        http__debug={"addr": debug_addr},
        health={
            "storagedriver": {"enabled": True, "interval": "200ms", "threshold": 2},
            "file": [{"file": str(down_file), "interval": "200ms"}],
            "http": [
                {
                    "uri": receiver.endpoint_url("/ping"),
                    "interval": "200ms",
                    "statuscode": 200,
                    "timeout": "1s",
                }
            ],
        },
    )
    health = f"http://{debug_addr}/debug/health"

    def state(url: str) -> tuple[int, dict[str, str]]:
        response = httpx.get(url, timeout=5)
        return response.status_code, response.json()

    try:
        receiver.status = 200
        wait_until(lambda: state(health) == (200, {}), 15, what="healthy")
        with server.client() as client:
            push_blob(client, repo, b"healthy")
            assert state(f"{server.url}/debug/health") == (200, {})

            down_file.touch()  # take the node out of rotation
            wait_until(lambda: str(down_file) in state(health)[1], 10, what="file check")
            wait_until(lambda: client.get("/v2/").status_code == 503, 10, what="503 on main")
            body = client.get(f"/v2/{repo}/tags/list").json()
            assert body["errors"][0]["code"] == "UNAVAILABLE"
            down_file.unlink()
            wait_until(lambda: client.get("/v2/").status_code == 200, 10, what="back in rotation")

            root = server.root
            moved = root.with_name("data.away")
            root.rename(moved)
            os.symlink(root, root)  # a symlink loop: every storage call now errors
            key = "storagedriver_filesystem"
            try:
                wait_until(lambda: key in state(health)[1], 10, what="storage check failing")
                main_health = f"{server.url}/debug/health"
                wait_until(lambda: state(main_health)[0] == 503, 10, what="503 on the main port")
                assert key in state(main_health)[1]
            finally:
                root.unlink()
                moved.rename(root)
            wait_until(lambda: state(health) == (200, {}), 10, what="storage healthy again")

            receiver.status = 500
            wait_until(
                lambda: receiver.endpoint_url("/ping") in state(health)[1],
                10,
                what="http check failing",
            )
            receiver.status = 200
            wait_until(lambda: state(health) == (200, {}), 10, what="http check passing")
            # The worker runs its own checks on the same intervals as the debug server's,
            # so it may see the recovery one tick later.
            wait_until(lambda: client.get("/v2/").status_code == 200, 10, what="main port healthy")
    finally:
        receiver.stop()
    server.stop()
    tcp = make_server(
        health={
            "tcp": [{"addr": f"127.0.0.1:{closed_port}", "interval": "200ms", "timeout": "500ms"}]
        }
    )
    with tcp.client() as client:
        wait_until(lambda: client.get("/v2/").status_code == 503, 10, what="tcp check failing")
        failing = client.get("/debug/health").json()
        assert f"127.0.0.1:{closed_port}" in failing
