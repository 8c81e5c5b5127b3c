"""The referrers API (end-12a/12b) and the ``OCI-Subject`` answer to pushes with a subject."""

from __future__ import annotations

import hashlib
import json
import shutil

import httpx
import pytest

from support import layout
from support.api import assert_error
from support.images import sha256
from support.manifests import (
    OCI_INDEX,
    OCI_MANIFEST,
    Pushable,
    artifact,
    encode,
    image_manifest,
    index,
)
from support.server import DockyardServer

SBOM = "application/vnd.example.sbom.v1"
SIGNATURE = "application/vnd.example.signature.v1"


def referrers(client: httpx.Client, repo: str, digest: str, **params: str) -> httpx.Response:
    response = client.get(f"/v2/{repo}/referrers/{digest}", params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == OCI_INDEX
    body = response.json()
    assert body["schemaVersion"] == 2
    assert body["mediaType"] == OCI_INDEX
    return response


def descriptor(manifest: Pushable, artifact_type: str | None, **extra: object) -> dict:
    out: dict = {"mediaType": manifest.media_type, "digest": manifest.digest}
    out["size"] = len(manifest.content)
    if artifact_type:
        out["artifactType"] = artifact_type
    return out | extra


def ref(manifest: Pushable) -> dict:
    """A descriptor of ``manifest`` for a ``subject`` field."""
    return {
        "mediaType": manifest.media_type,
        "digest": manifest.digest,
        "size": len(manifest.content),
    }


@pytest.fixture
def subject(client: httpx.Client, repo: str) -> Pushable:
    image = image_manifest(client, repo, repo + "/subject")
    assert image.push(client, repo, "v1").status_code == 201
    return image


def test_push_with_subject_answers_oci_subject(
    client: httpx.Client, repo: str, subject: Pushable
) -> None:
    sbom = artifact(client, repo, "sbom", SBOM, subject=subject)
    response = sbom.push(client, repo)
    assert response.status_code == 201
    assert response.headers["oci-subject"] == subject.digest
    plain = artifact(client, repo, "plain", SBOM)
    assert "oci-subject" not in plain.push(client, repo).headers


def test_referrers_list_descriptors(client: httpx.Client, repo: str, subject: Pushable) -> None:
    notes = {"org.opencontainers.image.created": "2024-01-01T00:00:00Z"}
    sbom = artifact(client, repo, "sbom", SBOM, subject=subject, annotations=notes)
    signature = artifact(client, repo, "sig", SIGNATURE, subject=subject)
    # an image manifest without artifactType lists its config media type
    config_typed = image_manifest(
        client,
        repo,
        repo + "/typed",
        config_type="application/vnd.example.config.v1+json",
        subject=ref(subject),
    )
    # an index without artifactType lists none
    child = image_manifest(client, repo, repo + "/child")
    child.push(client, repo)
    subject_ref = {
        "mediaType": OCI_MANIFEST,
        "digest": subject.digest,
        "size": len(subject.content),
    }
    top = index([child], subject=subject_ref)
    for manifest in (sbom, signature, config_typed, top):
        assert manifest.push(client, repo).status_code == 201

    response = referrers(client, repo, subject.digest)
    expected = [
        descriptor(sbom, SBOM, annotations=notes),
        descriptor(signature, SIGNATURE),
        descriptor(config_typed, "application/vnd.example.config.v1+json"),
        descriptor(top, None),
    ]
    key = lambda d: d["digest"]  # noqa: E731
    assert sorted(response.json()["manifests"], key=key) == sorted(expected, key=key)
    assert "oci-filters-applied" not in response.headers


def test_artifact_type_filter(client: httpx.Client, repo: str, subject: Pushable) -> None:
    sbom = artifact(client, repo, "sbom", SBOM, subject=subject)
    signature = artifact(client, repo, "sig", SIGNATURE, subject=subject)
    sbom.push(client, repo)
    signature.push(client, repo)
    response = referrers(client, repo, subject.digest, artifactType=SIGNATURE)
    assert response.json()["manifests"] == [descriptor(signature, SIGNATURE)]
    assert response.headers["oci-filters-applied"] == "artifactType"
    none = referrers(client, repo, subject.digest, artifactType="application/vnd.none")
    assert none.json()["manifests"] == []
    assert none.headers["oci-filters-applied"] == "artifactType"


def test_referrer_may_be_pushed_before_its_subject(client: httpx.Client, repo: str) -> None:
    future = image_manifest(client, repo, repo + "/future")
    sbom = artifact(client, repo, "sbom", SBOM, subject=future)
    response = sbom.push(client, repo)
    assert response.status_code == 201
    assert response.headers["oci-subject"] == future.digest
    assert [d["digest"] for d in referrers(client, repo, future.digest).json()["manifests"]] == [
        sbom.digest
    ]


def test_unknown_subject_or_repository_is_an_empty_list(client: httpx.Client, repo: str) -> None:
    for name in (repo, repo + "/never"):
        assert referrers(client, name, sha256(b"unknown")).json()["manifests"] == []


def test_invalid_digest_is_400(client: httpx.Client, repo: str) -> None:
    for digest in ("sha256:abc", "latest", "md5:" + "0" * 32):
        assert_error(client.get(f"/v2/{repo}/referrers/{digest}"), 400, "DIGEST_INVALID")


def test_referrers_are_per_repository(client: httpx.Client, repo: str, subject: Pushable) -> None:
    artifact(client, repo, "sbom", SBOM, subject=subject).push(client, repo)
    assert referrers(client, repo + "/other", subject.digest).json()["manifests"] == []


def test_deleted_referrer_disappears(client: httpx.Client, repo: str, subject: Pushable) -> None:
    sbom = artifact(client, repo, "sbom", SBOM, subject=subject)
    signature = artifact(client, repo, "sig", SIGNATURE, subject=subject)
    sbom.push(client, repo, "sbom-tag")
    signature.push(client, repo)
    assert client.delete(f"/v2/{repo}/manifests/{sbom.digest}").status_code == 202
    listed = referrers(client, repo, subject.digest).json()["manifests"]
    assert [d["digest"] for d in listed] == [signature.digest]
    # deleting the subject leaves its referrers listed (the spec does not cascade)
    assert client.delete(f"/v2/{repo}/manifests/{subject.digest}").status_code == 202
    listed = referrers(client, repo, subject.digest).json()["manifests"]
    assert [d["digest"] for d in listed] == [signature.digest]


def test_referrers_tag_schema_is_merged(
    client: httpx.Client, registry: DockyardServer, repo: str, subject: Pushable
) -> None:
    """Referrers pushed where no API existed (a Distribution registry) are found through the
    ``<alg>-<hex>`` tag that clients maintain, if their subject really is the digest."""
    legacy = artifact(client, repo, "legacy", SIGNATURE, subject=subject)
    legacy.push(client, repo)
    unrelated = artifact(client, repo, "unrelated", SBOM)  # listed but without the subject
    unrelated.push(client, repo)
    shutil.rmtree(layout.repository(registry.root, repo) / "_referrers")  # as Distribution left it
    assert referrers(client, repo, subject.digest).json()["manifests"] == []

    tag_index = index([legacy, unrelated])
    tag = "sha256-" + subject.digest.split(":")[1]
    assert tag_index.push(client, repo, tag).status_code == 201
    listed = referrers(client, repo, subject.digest).json()["manifests"]
    assert listed == [descriptor(legacy, SIGNATURE)]

    # a referrer known both ways is listed once
    fresh = artifact(client, repo, "fresh", SBOM, subject=subject)
    fresh.push(client, repo)
    both = index([legacy, fresh])
    assert both.push(client, repo, tag).status_code == 201
    listed = referrers(client, repo, subject.digest).json()["manifests"]
    assert sorted(d["digest"] for d in listed) == sorted([legacy.digest, fresh.digest])


def test_sha512_subject_and_its_truncated_schema_tag(
    client: httpx.Client, registry: DockyardServer, repo: str, subject: Pushable
) -> None:
    digest512 = "sha512:" + hashlib.sha512(subject.content).hexdigest()
    ref = {"mediaType": OCI_MANIFEST, "digest": digest512, "size": len(subject.content)}
    doc = json.loads(artifact(client, repo, "sig512", SIGNATURE).content) | {"subject": ref}
    signed = Pushable(encode(doc), OCI_MANIFEST)
    response = signed.push(client, repo)
    assert response.headers["oci-subject"] == digest512
    assert [d["digest"] for d in referrers(client, repo, digest512).json()["manifests"]] == [
        signed.digest
    ]
    shutil.rmtree(layout.repository(registry.root, repo) / "_referrers")
    tag = "sha512-" + digest512.split(":")[1][:64]  # the schema cuts the hex to 64 characters
    assert index([signed]).push(client, repo, tag).status_code == 201
    assert [d["digest"] for d in referrers(client, repo, digest512).json()["manifests"]] == [
        signed.digest
    ]


def test_referrer_removed_behind_our_back_is_not_listed(
    client: httpx.Client, registry: DockyardServer, repo: str, subject: Pushable
) -> None:
    """Distribution (its GC, say) may delete a revision without knowing about ``_referrers``."""
    sbom = artifact(client, repo, "sbom", SBOM, subject=subject)
    signature = artifact(client, repo, "sig", SIGNATURE, subject=subject)
    sbom.push(client, repo)
    signature.push(client, repo)
    layout.revision_link(registry.root, repo, sbom.digest).unlink()
    listed = referrers(client, repo, subject.digest).json()["manifests"]
    assert [d["digest"] for d in listed] == [signature.digest]
