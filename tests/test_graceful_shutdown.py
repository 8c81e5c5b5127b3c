"""http.draintimeout: on SIGTERM the server stops accepting, lets in-flight requests finish (up
to the timeout), and keeps queued notification events for the next start."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx

from support.api import push_blob, start_upload
from support.server import DockyardServer, wait_until
from support.webhook import Receiver, endpoint, matching, notifying_server


def _slow_patch(client: httpx.Client, location: str, chunks: int, result: dict) -> threading.Thread:
    """PATCH a body sent slowly (a chunk every 0.25 s); returns once two chunks are out."""
    started = threading.Event()

    def body() -> Iterator[bytes]:
        for i in range(chunks):
            yield b"x" * 1024
            if i == 1:
                started.set()
            time.sleep(0.25)

    def run() -> None:
        try:
            result["status"] = client.patch(location, content=body()).status_code
        except httpx.HTTPError as exc:
            result["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    assert started.wait(30), "the upload never started"
    return thread


def _refused(server: DockyardServer) -> bool:
    try:
        httpx.get(f"{server.url}/v2/", timeout=1)
    except httpx.ConnectError:
        return True
    except httpx.HTTPError:
        return False
    return False


def test_in_flight_requests_finish(make_server: Callable[..., DockyardServer], repo: str) -> None:
    server = make_server(http__draintimeout="30s")
    result: dict = {}
    with server.client() as client:
        location = start_upload(client, repo)
        thread = _slow_patch(client, location, 12, result)
        assert server.process is not None
        os.killpg(server.process.pid, signal.SIGTERM)
        wait_until(lambda: _refused(server), 10, what="new connections refused")
        thread.join(60)
    assert result == {"status": 202}, "the upload in flight at SIGTERM completed"
    assert server.process.wait(30) == 0


def test_drain_timeout_bounds_the_wait(
    make_server: Callable[..., DockyardServer], repo: str
) -> None:
    server = make_server(http__draintimeout="1s")
    result: dict = {}
    with server.client() as client:
        location = start_upload(client, repo)
        thread = _slow_patch(client, location, 400, result)  # 100 s if left alone
        assert server.process is not None
        os.killpg(server.process.pid, signal.SIGTERM)
        server.process.wait(40)  # well before the upload could end by itself
        thread.join(10)
    assert "error" in result, "the request still running after the drain timeout was cut"


def test_queued_events_outlive_a_graceful_stop(tmp_path: Path, repo: str) -> None:
    receiver = Receiver()
    server = notifying_server(tmp_path, [endpoint(receiver, backoff="100ms")]).start()
    with server.client() as client:
        digests = [push_blob(client, repo, f"graceful {i}".encode()) for i in range(5)]
    assert server.stop() == 0
    receiver.start()
    server.start()
    try:
        events = receiver.wait_for(lambda ev: len(matching(ev, repo)) >= 5, what="queued events")
        assert [e["target"]["digest"] for e in matching(events, repo)] == digests
    finally:
        server.stop()
        receiver.stop()
