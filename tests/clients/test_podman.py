"""podman and buildah (Debian's packages) push to Dockyard and pull back.

They run as root with the ``vfs`` storage driver, ``cgroupfs`` and file events, each test with a
private image store (:mod:`support.containers`); no container is ever run, so no runtime,
systemd or kernel feature beyond plain files is needed. The registry is plain HTTP on loopback,
hence ``--tls-verify=false``. Rootless podman would need subordinate ids and user namespaces,
which CI does not promise, so these tests require root (CI runs as root) and say so otherwise.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import tarfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from support.containers import ContainerTools
from support.images import OCI_INDEX, OCI_MANIFEST, sha256, write_layout
from support.payload import bulky_image
from support.server import DockyardServer

pytestmark = [
    pytest.mark.clients,
    pytest.mark.skipif(os.geteuid() != 0, reason="podman/buildah tests run as root (as CI does)"),
]

DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
ACCEPT = ", ".join([OCI_MANIFEST, OCI_INDEX, DOCKER_MANIFEST, DOCKER_LIST])


@pytest.fixture
def tools() -> Iterator[ContainerTools]:
    tools = ContainerTools()
    try:
        yield tools
    finally:
        tools.close()


def _manifest(client: httpx.Client, repo: str, reference: str) -> httpx.Response:
    response = client.get(f"/v2/{repo}/manifests/{reference}", headers={"accept": ACCEPT})
    assert response.status_code == 200, response.text
    return response


def _layout(tmp_path: Path, seed: str, arch: str = "amd64") -> Path:
    path = tmp_path / f"layout-{arch}"
    write_layout(path, [bulky_image(seed, (256 << 10, 2048), arch)])
    return path


@pytest.mark.parametrize("fmt", ["oci", "v2s2"])
def test_podman_push_and_pull(
    fmt: str,
    tools: ContainerTools,
    registry: DockyardServer,
    client: httpx.Client,
    repo: str,
    tmp_path: Path,
) -> None:
    image_id = tools.podman("pull", "-q", f"oci:{_layout(tmp_path, repo)}:latest").strip()
    target = f"{registry.host}/{repo}:v1"
    digestfile = tmp_path / "digest"

    tools.podman(
        "push", "--tls-verify=false", "--format", fmt, "--digestfile", str(digestfile),
        image_id, f"docker://{target}",
    )  # fmt: skip

    pushed = digestfile.read_text().strip()
    response = _manifest(client, repo, "v1")
    assert response.headers["docker-content-digest"] == pushed == sha256(response.content)
    expected_type = OCI_MANIFEST if fmt == "oci" else DOCKER_MANIFEST
    assert response.headers["content-type"] == expected_type

    tools.podman("rmi", "--all", "--force")
    tools.podman("pull", "-q", "--tls-verify=false", target)
    pulled = tools.inspect_image(target)
    assert pulled["Digest"] == pushed
    assert f"{registry.host}/{repo}@{pushed}" in pulled["RepoDigests"]
    assert pulled["Id"] == image_id  # the same config: the same image came back
    assert pulled["Labels"] == {"seed": repo}


def test_podman_manifest_list_push_and_platform_pull(
    tools: ContainerTools,
    registry: DockyardServer,
    client: httpx.Client,
    repo: str,
    tmp_path: Path,
) -> None:
    tools.podman("manifest", "create", "multi")
    for arch in ("amd64", "arm64"):
        tools.podman("manifest", "add", "multi", f"oci:{_layout(tmp_path, repo, arch)}:latest")
    target = f"{registry.host}/{repo}:multi"
    digestfile = tmp_path / "digest"

    tools.podman(
        "manifest", "push", "--all", "--tls-verify=false", "--digestfile", str(digestfile),
        "multi", f"docker://{target}",
    )  # fmt: skip

    pushed = digestfile.read_text().strip()
    response = _manifest(client, repo, "multi")
    assert response.headers["docker-content-digest"] == pushed == sha256(response.content)
    children = json.loads(response.content)["manifests"]
    assert sorted(c["platform"]["architecture"] for c in children) == ["amd64", "arm64"]
    for child in children:
        assert sha256(_manifest(client, repo, child["digest"]).content) == child["digest"]

    tools.podman("pull", "-q", "--tls-verify=false", "--arch", "arm64", target)
    pulled = tools.inspect_image(target)
    arm = next(c for c in children if c["platform"]["architecture"] == "arm64")
    assert pulled["Architecture"] == "arm64"
    # podman records the list's digest as the image's, and both among its repo digests.
    assert pulled["Digest"] == pushed
    assert f"{registry.host}/{repo}@{arm['digest']}" in pulled["RepoDigests"]


@pytest.mark.parametrize("fmt", ["oci", "docker"])
def test_buildah_build_push_and_pull(
    fmt: str,
    tools: ContainerTools,
    registry: DockyardServer,
    client: httpx.Client,
    repo: str,
    tmp_path: Path,
) -> None:
    content = f"built by buildah for {repo}\n".encode()
    (tmp_path / "hello.txt").write_bytes(content)
    container = tools.buildah("from", "scratch").strip()
    tools.buildah("copy", container, str(tmp_path / "hello.txt"), "/hello.txt")
    tools.buildah("config", "--label", f"repo={repo}", container)
    tools.buildah("commit", "-q", "--format", fmt, container, "built:1")
    target = f"{registry.host}/{repo}:built"
    digestfile = tmp_path / "digest"

    tools.buildah(
        "push", "--tls-verify=false", "--digestfile", str(digestfile), "built:1",
        f"docker://{target}",
    )  # fmt: skip

    pushed = digestfile.read_text().strip()
    manifest = json.loads(_manifest(client, repo, "built").content)
    layer = client.get(f"/v2/{repo}/blobs/{manifest['layers'][0]['digest']}")
    assert layer.status_code == 200
    with tarfile.open(fileobj=io.BytesIO(gzip.decompress(layer.content))) as tar:
        member = tar.extractfile("hello.txt")
        assert member is not None and member.read() == content

    tools.buildah("rmi", "--all", "--force")
    tools.buildah("pull", "-q", "--tls-verify=false", target)
    info = json.loads(tools.buildah("inspect", "--type", "image", target))
    assert info["FromImageDigest"] == pushed
    labels = info["OCIv1"]["config"]["Labels"]
    assert labels["repo"] == repo
