"""Kill the server in the middle of a burst of manifest pushes, then restart.

Several clients push distinct manifests, each under its own tag, as fast as they can; once enough
have been acknowledged the server is killed with pushes still in flight. After a restart every
acknowledged push is there (by tag and by digest, exact bytes), every other one is either wholly
there or cleanly unknown (404 ``MANIFEST_UNKNOWN``), and the tag list names every acknowledged tag.

A tag whose push was cut short may be listed yet answer 404: on the filesystem driver a new
directory appears (``mkdir``) before the link file inside it is renamed into place, so a crash in
that instant leaves ``_manifests/tags/<tag>/`` without ``current/link``, as it does with
Distribution. Re-pushing or deleting the tag repairs it; nothing partial is ever served.
"""

from __future__ import annotations

import json
import threading

import httpx

from support.api import push_blob, push_manifest
from support.images import OCI_MANIFEST, Blob
from support.payload import random_bytes
from support.server import DockyardServer, wait_until
from support.streaming import Background

PUSHERS = 4
MANIFESTS = 120
ACKNOWLEDGED_BEFORE_KILL = 40


def _manifests(config: bytes, layer: bytes) -> list[Blob]:
    base = {
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": Blob("application/vnd.oci.image.config.v1+json", config).descriptor(),
        "layers": [Blob("application/vnd.oci.image.layer.v1.tar", layer).descriptor()],
    }
    return [
        Blob(OCI_MANIFEST, json.dumps({**base, "annotations": {"n": str(i)}}).encode())
        for i in range(MANIFESTS)
    ]


def _tag(index: int) -> str:
    return f"t{index:04d}"


def test_kill_during_manifest_push_burst(make_server, repo: str) -> None:
    server: DockyardServer = make_server()
    config = json.dumps({"architecture": "amd64", "os": "linux"}).encode()
    layer = random_bytes(repo, 4096)
    with server.client() as client:
        push_blob(client, repo, config)
        push_blob(client, repo, layer)
    manifests = _manifests(config, layer)
    acknowledged: set[int] = set()
    unexpected: list[str] = []
    lock = threading.Lock()
    enough = threading.Event()

    def pusher(first: int) -> None:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            for index in range(first, MANIFESTS, PUSHERS):
                try:
                    response = push_manifest(client, repo, _tag(index), manifests[index].data)
                except httpx.TransportError:
                    return  # the server died under this request
                with lock:
                    if response.status_code == 201:
                        acknowledged.add(index)
                    else:
                        unexpected.append(f"{response.status_code} {response.text}")
                    if len(acknowledged) >= ACKNOWLEDGED_BEFORE_KILL:
                        enough.set()

    pushers = [Background(lambda k=k: pusher(k)) for k in range(PUSHERS)]
    wait_until(enough.is_set, timeout=60, what="manifest pushes to be acknowledged")
    server.kill()
    for running in pushers:
        assert running.wait() is None
    assert unexpected == []
    assert len(acknowledged) < MANIFESTS  # the kill landed mid-burst
    server.start()

    with server.client() as client:
        listed = client.get(f"/v2/{repo}/tags/list").json()["tags"]
        assert {_tag(i) for i in acknowledged} <= set(listed)
        for index, manifest in enumerate(manifests):
            for reference in (_tag(index), manifest.digest):
                response = client.get(
                    f"/v2/{repo}/manifests/{reference}", headers={"accept": OCI_MANIFEST}
                )
                if index in acknowledged:
                    assert response.status_code == 200, (reference, response.text)
                if response.status_code == 200:
                    assert response.content == manifest.data
                    assert response.headers["docker-content-digest"] == manifest.digest
                else:
                    assert response.status_code == 404, response.text
                    assert response.json()["errors"][0]["code"] == "MANIFEST_UNKNOWN"
