"""Every action and field of Distribution's envelope, as a real receiver gets it."""

from __future__ import annotations

import uuid
from datetime import datetime

from support.api import push_blob, push_image, start_upload
from support.images import sha256
from support.server import DockyardServer
from support.webhook import Receiver, matching

V2 = "application/vnd.docker.distribution.events.v2+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"


def _common(event: dict, server: DockyardServer, method: str) -> None:
    uuid.UUID(event["id"])
    datetime.fromisoformat(event["timestamp"].replace("Z", "+00:00"))
    request = event["request"]
    uuid.UUID(request["id"])
    assert request["addr"].startswith("127.0.0.1:")
    assert request["host"] == server.host
    assert request["method"] == method
    assert request["useragent"] == "envelope-test/1.0"
    assert event["actor"] == {}  # no access controller configured: no user name
    assert event["source"]["addr"].endswith(f":{server.port}")
    uuid.UUID(event["source"]["instanceID"])


def test_push_pull_of_blobs_and_manifests(
    notifying: DockyardServer, receiver: Receiver, repo: str
) -> None:
    with notifying.client(headers={"user-agent": "envelope-test/1.0"}) as client:
        img = push_image(client, repo, "v1", "envelope")
        assert client.get(f"/v2/{repo}/manifests/v1").status_code == 200
        assert client.get(f"/v2/{repo}/manifests/{img['digest']}").status_code == 200
        layer = img["layers"][0]
        assert client.get(f"/v2/{repo}/blobs/{layer.digest}").status_code == 200
    events = receiver.wait_for(lambda ev: len(matching(ev, repo)) >= 7, what="7 events")
    mine = matching(events, repo)
    pushes = [e for e in mine if e["action"] == "push"]
    blob_pushes = [e for e in pushes if e["target"]["mediaType"] == "application/octet-stream"]
    assert {e["target"]["digest"] for e in blob_pushes} == {
        b.digest for b in (img["config"], *img["layers"])
    }
    for event in blob_pushes:
        _common(event, notifying, "PUT")
        target = event["target"]
        assert target["size"] == target["length"] > 0
        assert target["url"] == f"{notifying.url}/v2/{repo}/blobs/{target['digest']}"
        assert "tag" not in target
    manifest_push = next(e for e in pushes if e["target"]["mediaType"] == OCI_MANIFEST)
    _common(manifest_push, notifying, "PUT")
    target = manifest_push["target"]
    assert target["digest"] == img["digest"]
    assert target["size"] == target["length"] == len(img["manifest"].data)
    assert target["tag"] == "v1"
    assert target["url"] == f"{notifying.url}/v2/{repo}/manifests/{img['digest']}"
    assert [r["digest"] for r in target["references"]] == [
        b.digest for b in (img["config"], *img["layers"])
    ]
    assert all({"mediaType", "digest", "size"} <= set(r) for r in target["references"])

    pulls = [e for e in mine if e["action"] == "pull"]
    by_tag = [e for e in pulls if e["target"].get("tag") == "v1"]
    by_digest = [
        e for e in pulls if e["target"]["mediaType"] == OCI_MANIFEST and "tag" not in e["target"]
    ]
    assert len(by_tag) == 1 and len(by_digest) == 1
    for event in (*by_tag, *by_digest):
        _common(event, notifying, "GET")
        assert event["target"]["digest"] == img["digest"]
        assert len(event["target"]["references"]) == 3
    blob_pull = next(e for e in pulls if e["target"]["digest"] == layer.digest)
    _common(blob_pull, notifying, "GET")
    assert blob_pull["target"]["size"] == len(layer.data)

    ids = [e["id"] for e in mine]
    assert len(set(ids)) == len(ids)


def test_envelope_request_headers(notifying: DockyardServer, receiver: Receiver, repo: str) -> None:
    with notifying.client() as client:
        push_blob(client, repo, b"headers")
    receiver.wait_for(lambda ev: matching(ev, repo), what="one event")
    request = next(
        r for r in receiver.requests if r["body"]["events"][0]["target"].get("repository") == repo
    )
    assert request["headers"]["content-type"] == V2
    assert request["headers"]["authorization"] == "Bearer s3cret"
    assert request["path"] == "/callback"
    assert len(request["body"]["events"]) == 1


def test_mount(notifying: DockyardServer, receiver: Receiver, repo: str) -> None:
    source = repo + "-source"
    with notifying.client(headers={"user-agent": "envelope-test/1.0"}) as client:
        digest = push_blob(client, source, b"mounted content")
        response = client.post(
            f"/v2/{repo}/blobs/uploads/", params={"mount": digest, "from": source}
        )
        assert response.status_code == 201
    events = receiver.wait_for(lambda ev: matching(ev, repo, "mount"), what="mount event")
    (event,) = matching(events, repo, "mount")
    _common(event, notifying, "POST")
    target = event["target"]
    assert target["fromRepository"] == source
    assert target["digest"] == digest
    assert target["size"] == target["length"] == len(b"mounted content")
    assert target["url"] == f"{notifying.url}/v2/{repo}/blobs/{digest}"


def test_deletes(notifying: DockyardServer, receiver: Receiver, repo: str) -> None:
    with notifying.client(headers={"user-agent": "envelope-test/1.0"}) as client:
        img = push_image(client, repo, "gone", "deletes")
        assert client.delete(f"/v2/{repo}/manifests/gone").status_code == 202
        assert client.delete(f"/v2/{repo}/manifests/{img['digest']}").status_code == 202
        layer = img["layers"][0].digest
        assert client.delete(f"/v2/{repo}/blobs/{layer}").status_code == 202
    events = receiver.wait_for(
        lambda ev: len(matching(ev, repo, "delete")) >= 3, what="three delete events"
    )
    deletes = matching(events, repo, "delete")
    for event in deletes:
        _common(event, notifying, "DELETE")
    tag_delete, manifest_delete, blob_delete = deletes
    assert tag_delete["target"] == {"repository": repo, "tag": "gone"}
    assert manifest_delete["target"] == {"repository": repo, "digest": img["digest"]}
    assert blob_delete["target"] == {"repository": repo, "digest": layer}


def test_failed_requests_send_nothing(
    notifying: DockyardServer, receiver: Receiver, repo: str
) -> None:
    with notifying.client() as client:
        missing = sha256(b"not there")
        assert client.get(f"/v2/{repo}/blobs/{missing}").status_code == 404
        location = start_upload(client, repo)
        bad = client.put(location, params={"digest": missing}, content=b"other bytes")
        assert bad.status_code == 400
        push_blob(client, repo, b"marker")  # a later event proves the earlier ones were skipped
    events = receiver.wait_for(lambda ev: matching(ev, repo), what="marker event")
    assert [e["target"]["digest"] for e in matching(events, repo)] == [sha256(b"marker")]
