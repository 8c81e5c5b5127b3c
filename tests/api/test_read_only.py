"""Read-only mode (``storage.maintenance.readonly``): writes answer 405 UNSUPPORTED saying so,
reads keep working."""

from __future__ import annotations

from collections.abc import Callable

from support.api import assert_error, push_image
from support.images import sha256
from support.server import DockyardServer


def test_read_only_refuses_writes_and_serves_reads(
    make_server: Callable[..., DockyardServer], repo: str
) -> None:
    server = make_server()
    with server.client() as client:
        img = push_image(client, repo, "v1", "read-only")
    server.stop()
    server.config["storage"]["maintenance"]["readonly"] = {"enabled": True}
    server.start()
    layer = img["layers"][0].digest
    with server.client() as client:
        assert client.get(f"/v2/{repo}/manifests/v1").content == img["manifest"].data
        assert client.head(f"/v2/{repo}/blobs/{layer}").status_code == 200
        assert client.get(f"/v2/{repo}/tags/list").json()["tags"] == ["v1"]
        assert client.get("/v2/_catalog").status_code == 200
        writes = [
            client.post(f"/v2/{repo}/blobs/uploads/"),
            client.post(
                f"/v2/{repo}/blobs/uploads/", params={"digest": sha256(b"x")}, content=b"x"
            ),
            client.put(
                f"/v2/{repo}/manifests/v2",
                content=img["manifest"].data,
                headers={"content-type": "application/vnd.oci.image.manifest.v1+json"},
            ),
            client.delete(f"/v2/{repo}/manifests/v1"),
            client.delete(f"/v2/{repo}/blobs/{layer}"),
        ]
        for response in writes:
            entry = assert_error(response, 405, "UNSUPPORTED")
            assert "read-only" in entry["message"]
        assert client.get(f"/v2/{repo}/manifests/v1").status_code == 200
