"""ORAS (the ``oras`` Python client from PyPI) pushes artifacts that refer to an image.

The ORAS Go CLI is not packaged for Debian bookworm and cannot be fetched here; the Python client
is the ORAS project's own SDK and a real artifact client: it pushes files as layers with
chunked uploads (``PATCH`` with ``Content-Range``), an artifact config media type and a
``subject``, pulls them back, lists and deletes tags. It has no referrers call, so the referrers
listing is read over HTTP.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import httpx
import oras.oci
import oras.provider
import pytest

from support import skopeo
from support.images import OCI_INDEX, OCI_MANIFEST, write_layout
from support.payload import bulky_image, random_bytes
from support.server import DockyardServer

pytestmark = pytest.mark.clients

SBOM_TYPE = "application/vnd.example.sbom.v1+json"


@pytest.fixture
def oras_client(registry: DockyardServer) -> oras.provider.Registry:
    # oras logs through the root logger at import; keep its chatter out of test output.
    logging.getLogger("oras").setLevel(logging.WARNING)
    return oras.provider.Registry(hostname=registry.host, insecure=True, tls_verify=False)


def _push_subject(registry: DockyardServer, client: httpx.Client, repo: str, base: Path) -> dict:
    layout = base / "subject"
    write_layout(layout, [bulky_image(repo, (4096,))])
    skopeo.copy(f"oci:{layout}:latest", skopeo.docker_ref(registry.host, repo, "v1"))
    head = client.head(f"/v2/{repo}/manifests/v1", headers={"accept": OCI_MANIFEST})
    assert head.status_code == 200
    return {
        "mediaType": OCI_MANIFEST,
        "digest": head.headers["docker-content-digest"],
        "size": int(head.headers["content-length"]),
    }


def test_oras_artifact_with_subject(
    oras_client: oras.provider.Registry,
    registry: DockyardServer,
    client: httpx.Client,
    repo: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    subject = _push_subject(registry, client, repo, tmp_path)
    work = tmp_path / "work"
    work.mkdir()
    files = {
        "sbom.json": json.dumps({"packages": [repo]}).encode(),
        "payload.bin": random_bytes(repo, (5 << 20) + 12345),  # six PATCHes of 1 MiB or less
    }
    for name, data in files.items():
        (work / name).write_bytes(data)
    (work / "config.json").write_text("{}")
    monkeypatch.chdir(work)  # oras insists on pushing files relative to the working directory

    pushed = oras_client.push(
        f"{registry.host}/{repo}:sbom",
        files=list(files),
        manifest_config=f"config.json:{SBOM_TYPE}",
        manifest_annotations={"org.example.kind": "sbom"},
        subject=oras.oci.Subject(**subject),
        do_chunked=True,
        chunk_size=1 << 20,
        quiet=True,
    )

    assert pushed.status_code == 201
    assert pushed.headers["oci-subject"] == subject["digest"]
    artifact = pushed.headers["docker-content-digest"]
    patches = [
        line for line in registry.logs().splitlines() if f'msg="PATCH /v2/{repo}/blobs/' in line
    ]
    assert len(patches) >= 6  # the payload really went up in chunks

    # The referrers API lists the artifact under its subject, filterable by artifact type.
    listing = client.get(f"/v2/{repo}/referrers/{subject['digest']}")
    assert listing.status_code == 200
    assert listing.headers["content-type"] == OCI_INDEX
    referrers = listing.json()["manifests"]
    assert [r["digest"] for r in referrers] == [artifact]
    assert referrers[0]["artifactType"] == SBOM_TYPE
    assert referrers[0]["annotations"] == {"org.example.kind": "sbom"}
    filtered = client.get(
        f"/v2/{repo}/referrers/{subject['digest']}", params={"artifactType": SBOM_TYPE}
    )
    assert [r["digest"] for r in filtered.json()["manifests"]] == [artifact]
    assert filtered.headers["oci-filters-applied"] == "artifactType"
    other = client.get(
        f"/v2/{repo}/referrers/{subject['digest']}", params={"artifactType": "text/plain"}
    )
    assert other.json()["manifests"] == []

    # Pull the artifact back: the files come out byte for byte.
    out = tmp_path / "out"
    pulled = oras_client.pull(f"{registry.host}/{repo}:sbom", outdir=str(out))
    assert sorted(Path(p).name for p in pulled) == sorted(files)
    for name, data in files.items():
        assert (out / name).read_bytes() == data

    assert sorted(oras_client.get_tags(f"{registry.host}/{repo}")) == ["sbom", "v1"]

    # Deleting the artifact (oras deletes the manifest its tag names) drops the referrer.
    assert oras_client.delete_tag(f"{registry.host}/{repo}", "sbom")
    assert oras_client.get_tags(f"{registry.host}/{repo}") == ["v1"]
    after = client.get(f"/v2/{repo}/referrers/{subject['digest']}")
    assert after.status_code == 200 and after.json()["manifests"] == []
