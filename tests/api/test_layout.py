"""After API operations the data directory is exactly Distribution's layout.

The expected paths come from ``support.layout`` (written from ``storage-layout-notes.md``), not
from the code under test, so a Distribution registry could serve what Dockyard wrote.
"""

from __future__ import annotations

import httpx

from support import layout
from support.api import push_blob, start_upload
from support.images import sha256
from support.manifests import artifact, image_manifest
from support.server import DockyardServer


def _flat(digest: str) -> str:
    return digest.replace(":", "/")


def test_push_writes_exactly_distributions_files(
    client: httpx.Client, registry: DockyardServer, repo: str
) -> None:
    manifest = image_manifest(client, repo, repo, layers=2)
    assert manifest.push(client, repo, "v1").status_code == 201
    doc = manifest.content.decode()
    blobs = [d for d in _digests(doc) if d != manifest.digest]
    assert len(blobs) == 3

    expected = sorted(
        [f"_layers/{_flat(d)}/link" for d in blobs]
        + [
            f"_manifests/revisions/{_flat(manifest.digest)}/link",
            "_manifests/tags/v1/current/link",
            f"_manifests/tags/v1/index/{_flat(manifest.digest)}/link",
        ]
    )
    repo_dir = layout.repository(registry.root, repo)
    assert layout.files_under(repo_dir) == expected
    for relative in expected:
        content = (repo_dir / relative).read_bytes()
        assert content.startswith(b"sha256:") and len(content) == 71  # no newline, no JSON
    for digest in [*blobs, manifest.digest]:
        data_dir = layout.blob_data(registry.root, digest).parent
        assert [p.name for p in data_dir.iterdir()] == ["data"]
        assert sha256(layout.blob_data(registry.root, digest).read_bytes()) == digest


def test_no_temporary_files_are_left(
    client: httpx.Client, registry: DockyardServer, repo: str
) -> None:
    manifest = image_manifest(client, repo, repo)
    manifest.push(client, repo, "a")
    manifest.push(client, repo, "a")  # overwrite the same links
    client.delete(f"/v2/{repo}/manifests/a")
    leftovers = [p for p in layout.v2(registry.root).rglob("*") if p.name.endswith(".tmp")]
    assert leftovers == []


def test_upload_directory_lifecycle(
    client: httpx.Client, registry: DockyardServer, repo: str
) -> None:
    committed = start_upload(client, repo)
    cancelled = start_upload(client, repo)
    ids = sorted(loc.rsplit("/", 1)[1] for loc in (committed, cancelled))
    assert layout.uploads(registry.root, repo) == ids
    for location in (committed, cancelled):
        client.patch(location, content=b"data")
        files = layout.files_under(
            layout.upload_dir(registry.root, repo, location.rsplit("/", 1)[1])
        )
        assert files == ["data", "startedat"]
    assert client.put(committed, params={"digest": sha256(b"data")}).status_code == 201
    assert client.delete(cancelled).status_code == 204
    assert layout.uploads(registry.root, repo) == []
    assert layout.files_under(layout.repository(registry.root, repo)) == [
        f"_layers/{_flat(sha256(b'data'))}/link"
    ]


def test_distribution_hash_states_are_tolerated_and_removed(
    client: httpx.Client, registry: DockyardServer, repo: str
) -> None:
    """Go's hash checkpoints cannot be read from Python: they are ignored, and go with the
    upload directory on commit."""
    location = start_upload(client, repo)
    client.patch(location, content=b"abc")
    upload_dir = layout.upload_dir(registry.root, repo, location.rsplit("/", 1)[1])
    states = upload_dir / "hashstates" / "sha256"
    states.mkdir(parents=True)
    (states / "3").write_bytes(b"\x00go-binary-state\xff")
    response = client.patch(location, content=b"def")
    assert response.headers["range"] == "0-5"
    assert client.put(location, params={"digest": sha256(b"abcdef")}).status_code == 201
    assert not upload_dir.exists()


def test_distribution_written_repository_is_served(
    client: httpx.Client, registry: DockyardServer, repo: str
) -> None:
    """Files placed by hand exactly as Distribution writes them are served through the API."""
    data = b"written by another registry"
    digest = sha256(data)
    blob_path = layout.blob_data(registry.root, digest)
    blob_path.parent.mkdir(parents=True, exist_ok=True)
    blob_path.write_bytes(data)
    link = layout.layer_link(registry.root, repo, digest)
    link.parent.mkdir(parents=True)
    link.write_bytes(digest.encode())
    assert client.get(f"/v2/{repo}/blobs/{digest}").content == data
    # an emptied link directory (left behind by a delete) is simply "not there"
    link.unlink()
    assert client.get(f"/v2/{repo}/blobs/{digest}").status_code == 404
    link.write_bytes(digest.encode() + b"\n")  # Distribution itself cannot read this link
    assert client.get(f"/v2/{repo}/blobs/{digest}").status_code == 404


def test_referrers_add_only_an_underscore_directory(
    client: httpx.Client, registry: DockyardServer, repo: str
) -> None:
    subject = image_manifest(client, repo, repo)
    subject.push(client, repo, "v1")
    before = set(layout.files_under(layout.repository(registry.root, repo)))
    sbom = artifact(client, repo, "sbom", subject=subject)
    sbom.push(client, repo)
    after = set(layout.files_under(layout.repository(registry.root, repo)))
    extra = sorted(p for p in after - before if not p.startswith(("_layers/", "_manifests/")))
    assert extra == [f"_referrers/{_flat(subject.digest)}/{sbom.digest.replace(':', '-')}.json"]


def test_blob_only_pushes_leave_no_manifests_dir(
    client: httpx.Client, registry: DockyardServer, repo: str
) -> None:
    push_blob(client, repo, b"lonely")
    assert not (layout.repository(registry.root, repo) / "_manifests").exists()


def _digests(text: str) -> list[str]:
    import re

    return sorted(set(re.findall(r"sha256:[0-9a-f]{64}", text)))
