"""A full disk: a clean error (507 with the JSON envelope), nothing partial visible, nothing lost.

The disk is really full: storage lives on a small tmpfs in a private mount namespace
(``diskfull.py``), so every ``ENOSPC`` comes from the kernel, not from a stub.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from storage.diskfull import TmpfsServer, namespace_prefix, tmpfs_command
from support.api import assert_error, push_blob, push_image, push_manifest
from support.images import OCI_MANIFEST, image, sha256

MiB = 1 << 20


@pytest.fixture(autouse=True)
def _needs_private_tmpfs() -> None:
    prefix, reason = namespace_prefix()
    if prefix is None:
        pytest.skip(reason)


@pytest.fixture
def full_disk_server(tmp_path: Path) -> Iterator[TmpfsServer]:
    server = TmpfsServer(tmp_path / "server", size="8m")
    server.start()
    try:
        yield server
    finally:
        server.stop()


_DRIVER_SCRIPT = textwrap.dedent(
    """
    import asyncio, json, sys
    from dockyard.storage.driver.base import StorageFullError
    from dockyard.storage.driver.filesystem import FilesystemDriver

    async def main(root):
        driver, out = FilesystemDriver(root), {}
        await driver.put_content("/repo/tags/v1/current/link", b"sha256:old")
        writer = await driver.writer("/repo/_uploads/id/data")
        try:
            for _ in range(1024):  # 64 MiB at most, far more than the disk holds
                await writer.write(b"x" * 65536)
            await writer.commit()
        except StorageFullError as exc:
            out["write"] = type(exc).__name__
        try:
            await writer.close()
        except StorageFullError:
            pass
        out["stored"] = (await driver.stat("/repo/_uploads/id/data")).size
        try:
            await driver.put_content("/repo/tags/v1/current/link", b"sha256:new" * 2000)
        except StorageFullError as exc:
            out["put"] = type(exc).__name__
        out["link"] = (await driver.get_content("/repo/tags/v1/current/link")).decode()
        out["listing"] = await driver.list("/repo/tags/v1/current")
        resumed = await driver.writer("/repo/_uploads/id/data", append=True)
        out["resumed"] = resumed.size
        await resumed.cancel()
        await driver.put_content("/repo/tags/v1/current/link", b"sha256:new")
        out["after"] = (await driver.get_content("/repo/tags/v1/current/link")).decode()
        await driver.close()
        print(json.dumps(out))

    asyncio.run(main(sys.argv[1]))
    """
)


def test_filesystem_driver_on_a_full_disk(tmp_path: Path) -> None:
    """Writes fail with StorageFullError, a failed put keeps the old content, space comes back."""
    root = tmp_path / "root"
    root.mkdir()
    command = [sys.executable, "-c", _DRIVER_SCRIPT, str(root)]
    result = subprocess.run(
        tmpfs_command(root, "2m", command), capture_output=True, timeout=120, text=True
    )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out["write"] == "StorageFullError"
    assert 0 < out["stored"] <= 2 * MiB
    assert out["put"] == "StorageFullError"
    assert out["link"] == "sha256:old"  # the failed put lost nothing
    assert out["listing"] == ["/repo/tags/v1/current/link"]  # and left no temporary file
    assert out["resumed"] == out["stored"]  # an upload can learn where it stands
    assert out["after"] == "sha256:new"  # cancelling the upload gave the space back


def _assert_full(response: httpx.Response) -> None:
    assert response.status_code == 507, (response.status_code, response.text)
    body = response.json()
    assert [e["code"] for e in body["errors"]] == ["UNAVAILABLE"]
    assert "storage is full" in body["errors"][0]["message"]


def _assert_serves(client: httpx.Client, repo: str, img: dict) -> None:
    manifest = client.get(f"/v2/{repo}/manifests/v1", headers={"accept": OCI_MANIFEST})
    assert manifest.status_code == 200
    assert manifest.content == img["manifest"].data
    for blob in (img["config"], *img["layers"]):
        response = client.get(f"/v2/{repo}/blobs/{blob.digest}")
        assert response.status_code == 200
        assert sha256(response.content) == blob.digest
    assert client.get(f"/v2/{repo}/tags/list").json()["tags"] == ["v1"]


def _partial_files(server: TmpfsServer) -> list[str]:
    top = server.storage_path("docker/registry/v2")
    return [str(p) for p in top.rglob("*") if p.name.endswith(".tmp")]


def test_blob_upload_into_a_full_disk(full_disk_server: TmpfsServer) -> None:
    server, repo = full_disk_server, "full/disk"
    with server.client() as client:
        img = push_image(client, repo, "v1", "before the disk filled")
        v1 = img["digest"]
        # The test reads the server's private tmpfs: prove the view is real.
        assert server.storage_path(
            f"docker/registry/v2/blobs/sha256/{v1[7:9]}/{v1[7:]}/data"
        ).is_file()
        big = os.urandom(16 * MiB)
        big_digest = "sha256:" + hashlib.sha256(big).hexdigest()
        blob_data = server.storage_path(
            f"docker/registry/v2/blobs/sha256/{big_digest[7:9]}/{big_digest[7:]}/data"
        )

        # Monolithic upload: refused cleanly, the partial data removed with the session.
        monolithic = client.post(
            f"/v2/{repo}/blobs/uploads/", params={"digest": big_digest}, content=big
        )
        _assert_full(monolithic)
        # The unread rest of the body is still on the wire: the connection must not be reused.
        assert monolithic.headers.get("connection") == "close"
        assert_error(client.get(f"/v2/{repo}/blobs/{big_digest}"), 404, "BLOB_UNKNOWN")
        assert not blob_data.exists()
        _assert_serves(client, repo, img)

        # Chunked upload: the chunk fails, what was stored stays resumable and invisible.
        location = client.post(f"/v2/{repo}/blobs/uploads/").headers["location"]
        chunk = client.patch(location, content=big)
        _assert_full(chunk)
        assert chunk.headers.get("connection") == "close"
        status = client.get(location)
        assert status.status_code == 204
        stored = int(status.headers["range"].split("-")[1]) + 1
        assert 0 < stored < len(big)
        assert client.head(f"/v2/{repo}/blobs/{big_digest}").status_code == 404
        assert not blob_data.exists()

        # With the disk now full: new uploads and manifests fail cleanly, reads keep working.
        _assert_full(client.post(f"/v2/{repo}/blobs/uploads/"))
        other = image("while the disk was full")
        manifest = json.loads(other["manifest"].data)
        manifest["layers"] = json.loads(img["manifest"].data)["layers"]
        manifest["config"] = json.loads(img["manifest"].data)["config"]
        manifest["annotations"] = {"full": "yes"}
        body = json.dumps(manifest).encode()
        _assert_full(push_manifest(client, repo, "v2", body))
        assert client.get(f"/v2/{repo}/manifests/v2").status_code == 404
        assert client.get(f"/v2/{repo}/manifests/{sha256(body)}").status_code == 404
        _assert_serves(client, repo, img)
        assert _partial_files(server) == []

        # Cancelling the stuck upload frees the space; the registry accepts pushes again.
        assert client.delete(location).status_code == 204
        small = push_blob(client, repo, b"after the space came back")
        assert client.get(f"/v2/{repo}/blobs/{small}").content == b"after the space came back"
        assert push_manifest(client, repo, "v2", body).status_code == 201
        assert client.get(f"/v2/{repo}/manifests/v2").content == body
        assert client.get(f"/v2/{repo}/tags/list").json()["tags"] == ["v1", "v2"]
