"""Delivery: ignore rules, retries with backoff after the threshold, an endpoint that is down,
a registry killed with events queued, and the queue bound."""

from __future__ import annotations

from pathlib import Path

from support.api import push_blob, push_image
from support.images import sha256
from support.server import wait_until
from support.webhook import Receiver, endpoint, matching, notifying_server


def test_ignore_rules(tmp_path: Path, repo: str) -> None:
    receiver = Receiver().start()
    endpoints = [
        endpoint(receiver, "all", url=receiver.endpoint_url("/all")),
        endpoint(
            receiver,
            "no-pulls",
            url=receiver.endpoint_url("/no-pulls"),
            ignore={"actions": ["pull", "mount"]},
        ),
        endpoint(
            receiver,
            "no-blobs",
            url=receiver.endpoint_url("/no-blobs"),
            ignore={"mediatypes": ["application/octet-stream"]},
        ),
        endpoint(
            receiver,
            "old-key",
            url=receiver.endpoint_url("/old-key"),
            ignoredmediatypes=["application/octet-stream"],
            ignore={"actions": ["delete"]},
        ),
        endpoint(receiver, "off", url=receiver.endpoint_url("/off"), disabled=True),
    ]
    server = notifying_server(tmp_path, endpoints).start()
    try:
        with server.client() as client:
            digest = push_blob(client, repo, b"ignore rules")
            assert client.get(f"/v2/{repo}/blobs/{digest}").status_code == 200
            assert client.delete(f"/v2/{repo}/blobs/{digest}").status_code == 202
            # A manifest push passes every rule: once it arrives, earlier events were decided.
            marker = push_image(client, repo + "-x", "marker", "ignore-marker")["digest"]
        for path in ("/all", "/no-pulls", "/no-blobs", "/old-key"):
            wait_until(
                lambda p=path: marker in [e["target"].get("digest") for e in receiver.accepted(p)],
                15,
                what=f"the marker at {path}",
            )

        def actions(path: str) -> list[str]:
            return [e["action"] for e in matching(receiver.accepted(path), repo)]

        assert actions("/all") == ["push", "pull", "delete"]
        assert actions("/no-pulls") == ["push", "delete"]
        # Deletes carry no media type, so only the action rule can drop them.
        assert actions("/no-blobs") == ["delete"]
        assert actions("/old-key") == []
        assert receiver.accepted("/off") == []
    finally:
        server.stop()
        receiver.stop()


def test_retries_then_backoff_after_threshold(tmp_path: Path, repo: str) -> None:
    receiver = Receiver().start()
    receiver.status = 500
    backoff = 0.6
    server = notifying_server(
        tmp_path, [endpoint(receiver, threshold=3, backoff=f"{int(backoff * 1000)}ms")]
    ).start()
    try:
        with server.client() as client:
            push_blob(client, repo, b"retried")
        wait_until(lambda: receiver.attempts() >= 5, 15, what="five attempts")
        receiver.status = 202
        events = receiver.wait_for(lambda ev: matching(ev, repo), what="delivery after failures")
        attempts = list(receiver.requests)
        ids = {r["body"]["events"][0]["id"] for r in attempts}
        assert len(ids) == 1, "every attempt carries the same event (same id)"
        assert [e["id"] for e in matching(events, repo)] == list(ids)
        times = [r["time"] for r in attempts]
        # After `threshold` consecutive failures, attempts are at least `backoff` apart.
        for earlier, later in zip(times[2:], times[3:], strict=False):
            assert later - earlier >= backoff * 0.9
        assert server.process is not None and server.process.poll() is None
    finally:
        server.stop()
        receiver.stop()


def test_endpoint_down_for_a_while_then_back(tmp_path: Path, repo: str) -> None:
    receiver = Receiver()  # not started: connections are refused
    server = notifying_server(tmp_path, [endpoint(receiver, backoff="100ms")]).start()
    try:
        with server.client() as client:
            digests = [push_blob(client, repo, f"while down {i}".encode()) for i in range(5)]
            # The registry keeps serving normally while the endpoint is down.
            assert client.get(f"/v2/{repo}/blobs/{digests[0]}").status_code == 200
        receiver.start()
        events = receiver.wait_for(
            lambda ev: len(matching(ev, repo, "push")) >= 5, what="queued events after recovery"
        )
        pushed = [e["target"]["digest"] for e in matching(events, repo, "push")]
        assert pushed == digests, "per-endpoint delivery keeps the order of events"
    finally:
        server.stop()
        receiver.stop()


def test_events_survive_sigkill(tmp_path: Path, repo: str) -> None:
    receiver = Receiver()  # down: everything stays queued
    server = notifying_server(tmp_path, [endpoint(receiver, backoff="100ms")]).start()
    with server.client() as client:
        digests = [push_blob(client, repo, f"crash {i}".encode()) for i in range(20)]
    server.kill()  # SIGKILL: no shutdown code runs
    receiver.start()
    server.start()  # same data directory, same queue directory
    try:
        events = receiver.wait_for(
            lambda ev: {e["target"]["digest"] for e in matching(ev, repo)} >= set(digests),
            what="every event queued before the crash",
        )
        mine = matching(events, repo)
        unique = {e["id"]: e for e in mine}
        assert len(unique) == 20, "at-least-once: duplicates share an id, none is lost"
        assert [e["target"]["digest"] for e in unique.values()] == digests
        instance_ids = {e["source"]["instanceID"] for e in unique.values()}
        assert len(instance_ids) == 1, "events were queued by the first instance, not re-made"
    finally:
        server.stop()
        receiver.stop()


def test_full_queue_refuses_new_events(tmp_path: Path, repo: str) -> None:
    receiver = Receiver()
    server = notifying_server(
        tmp_path,
        [endpoint(receiver, backoff="100ms")],
        dockyard={"notifications": {"maxpending": 3}},
    ).start()
    try:
        with server.client() as client:
            digests = [push_blob(client, repo, f"bounded {i}".encode()) for i in range(5)]
        receiver.start()
        receiver.wait_for(lambda ev: len(matching(ev, repo)) >= 3, what="three queued events")
        with server.client() as client:
            marker = push_blob(client, repo, b"after the outage")
        events = receiver.wait_for(
            lambda ev: sha256(b"after the outage") in [e["target"]["digest"] for e in ev],
            what="an event after recovery",
        )
        assert [e["target"]["digest"] for e in matching(events, repo)] == [*digests[:3], marker]
        assert "queue full" in server.logs()
    finally:
        server.stop()
        receiver.stop()


def test_memory_queue_without_a_queue_directory(tmp_path: Path, repo: str) -> None:
    receiver = Receiver().start()
    server = notifying_server(tmp_path, [endpoint(receiver)])
    server.config["storage"] = {"inmemory": None, "delete": {"enabled": True}}
    server.start()
    try:
        with server.client() as client:
            digest = push_blob(client, repo, b"in memory")
        events = receiver.wait_for(lambda ev: matching(ev, repo), what="an event")
        assert [e["target"]["digest"] for e in matching(events, repo)] == [digest]
        assert "queue=memory" in server.logs()
    finally:
        server.stop()
        receiver.stop()
