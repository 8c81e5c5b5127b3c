"""The API end to end on the ``inmemory`` driver: nothing in the core may assume a filesystem."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from support.api import assert_error, push_blob, start_upload
from support.images import sha256
from support.manifests import artifact, image_manifest
from support.server import DockyardServer


def test_full_flow_on_inmemory_storage(make_server: Callable[..., DockyardServer]) -> None:
    server = make_server(
        config={
            "version": "0.1",
            "storage": {"inmemory": {}, "delete": {"enabled": True}},
        },
        start=False,
    )
    server.config["http"] = {"addr": f"127.0.0.1:{server.port}"}
    server.start()
    with server.client() as c:
        location = start_upload(c, "mem/a")
        location = c.patch(location, content=b"abc", headers={"content-range": "0-2"}).headers[
            "location"
        ]
        assert c.patch(location, content=b"x", headers={"content-range": "0-0"}).status_code == 416
        assert (
            c.put(location, params={"digest": sha256(b"abcdef")}, content=b"def").status_code == 201
        )
        assert (
            c.get(f"/v2/mem/a/blobs/{sha256(b'abcdef')}", headers={"range": "bytes=1-2"}).content
            == b"bc"
        )

        sha512 = "sha512:" + hashlib.sha512(b"long").hexdigest()
        response = c.post("/v2/mem/a/blobs/uploads/", params={"digest": sha512}, content=b"long")
        assert response.status_code == 201
        mounted = c.post("/v2/mem/b/blobs/uploads/", params={"mount": sha512, "from": "mem/a"})
        assert mounted.status_code == 201
        assert c.get(f"/v2/mem/b/blobs/{sha512}").content == b"long"

        image = image_manifest(c, "mem/a", "mem")
        assert image.push(c, "mem/a", "v1").status_code == 201
        assert image.push(c, "mem/a", "v2").status_code == 201
        sbom = artifact(c, "mem/a", "sbom", subject=image)
        assert sbom.push(c, "mem/a").headers["oci-subject"] == image.digest
        listed = c.get(f"/v2/mem/a/referrers/{image.digest}").json()["manifests"]
        assert [d["digest"] for d in listed] == [sbom.digest]
        assert c.get("/v2/mem/a/tags/list").json()["tags"] == ["v1", "v2"]
        assert c.get("/v2/mem/a/manifests/v2").content == image.content

        other = image_manifest(c, "mem/digest-only", "mem2")
        assert other.push(c, "mem/digest-only").status_code == 201
        assert c.get("/v2/mem/digest-only/tags/list").json()["tags"] == []
        push_blob(c, "mem/blobs-only", b"z")
        catalog = c.get("/v2/_catalog").json()["repositories"]
        assert catalog == ["mem/a", "mem/digest-only"]

        assert c.delete(f"/v2/mem/a/manifests/{image.digest}").status_code == 202
        assert c.get("/v2/mem/a/tags/list").json()["tags"] == []
        assert_error(c.get("/v2/mem/a/manifests/v1"), 404, "MANIFEST_UNKNOWN")
        assert c.delete(f"/v2/mem/a/blobs/{sha256(b'abcdef')}").status_code == 202
        assert_error(c.get(f"/v2/mem/a/blobs/{sha256(b'abcdef')}"), 404, "BLOB_UNKNOWN")

        cancelled = start_upload(c, "mem/a")
        assert c.delete(cancelled).status_code == 204
        assert_error(c.get(cancelled), 404, "BLOB_UPLOAD_UNKNOWN")
