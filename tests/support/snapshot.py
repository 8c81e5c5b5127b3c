"""What a registry serves, read entirely over the API, as one comparable value.

Interop tests read the same storage through Distribution and through Dockyard and compare the
two snapshots: the catalog (paged with ``n`` and ``Link``), every repository's tags (as a set:
Distribution 2.8 lists them in directory order, not sorted), every tagged manifest by tag and by
digest (digest, media type, exact bytes), every manifest an index names, and every blob a
manifest references (checked against its digest and size).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any
from urllib.parse import urljoin

import httpx

ACCEPT = ", ".join(
    [
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.oci.image.index.v1+json",
        "application/vnd.docker.distribution.manifest.v2+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
    ]
)
PAGE = 2
MAX_PAGES = 500


def sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def catalog(client: httpx.Client, page: int = PAGE) -> list[str]:
    """The whole catalog, ``page`` names at a time, following ``Link`` headers."""
    names: list[str] = []
    url = f"/v2/_catalog?n={page}"
    for _ in range(MAX_PAGES):
        response = client.get(url)
        assert response.status_code == 200, response.text
        names.extend(response.json()["repositories"] or [])
        link = response.headers.get("link")
        if not link:
            return names
        url = urljoin(url, link.split(";")[0].strip().strip("<>"))
    raise AssertionError(f"catalog did not end within {MAX_PAGES} pages")


def tags(client: httpx.Client, repo: str) -> list[str]:
    response = client.get(f"/v2/{repo}/tags/list")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["name"] == repo
    return body["tags"] or []


def manifest(client: httpx.Client, repo: str, reference: str) -> httpx.Response:
    response = client.get(f"/v2/{repo}/manifests/{reference}", headers={"accept": ACCEPT})
    assert response.status_code == 200, (repo, reference, response.status_code, response.text)
    return response


def blob(client: httpx.Client, repo: str, digest: str) -> bytes:
    response = client.get(f"/v2/{repo}/blobs/{digest}")
    assert response.status_code == 200, (repo, digest, response.status_code, response.text)
    assert sha256(response.content) == digest
    return response.content


def _manifest_entry(response: httpx.Response) -> dict[str, Any]:
    digest = response.headers["docker-content-digest"]
    assert sha256(response.content) == digest
    return {
        "digest": digest,
        "mediaType": response.headers["content-type"],
        "sha256": sha256(response.content),
    }


def repository(client: httpx.Client, repo: str, extra: tuple[str, ...] = ()) -> dict[str, Any]:
    """Tags, manifests (by tag and digest, recursively through indexes) and referenced blobs.

    ``extra`` names untagged manifests (by digest) to include.
    """
    found_tags = sorted(tags(client, repo))  # Distribution 2.8 lists in directory order
    by_tag = {tag: _manifest_entry(manifest(client, repo, tag)) for tag in found_tags}
    manifests: dict[str, dict[str, Any]] = {}
    blobs: dict[str, int] = {}
    pending = [entry["digest"] for entry in by_tag.values()] + list(extra)
    while pending:
        digest = pending.pop()
        if digest in manifests:
            continue
        response = manifest(client, repo, digest)
        manifests[digest] = _manifest_entry(response)
        body = json.loads(response.content)
        pending.extend(child["digest"] for child in body.get("manifests", []))
        for ref in [body.get("config"), *body.get("layers", [])]:
            if ref and not ref.get("urls"):
                blobs[ref["digest"]] = len(blob(client, repo, ref["digest"]))
                assert blobs[ref["digest"]] == ref["size"]
    return {"tags": found_tags, "by_tag": by_tag, "manifests": manifests, "blobs": blobs}


def registry(client: httpx.Client, untagged: dict[str, tuple[str, ...]] | None = None) -> dict:
    """Everything the registry serves: catalog plus :func:`repository` for each name."""
    names = catalog(client)
    untagged = untagged or {}
    return {
        "catalog": names,
        "repositories": {name: repository(client, name, untagged.get(name, ())) for name in names},
    }


def differences(left: Any, right: Any, path: str = "") -> list[str]:
    """Where two snapshots differ, as readable ``path: left != right`` lines."""
    if isinstance(left, dict) and isinstance(right, dict):
        found: list[str] = []
        for key in sorted(set(left) | set(right), key=str):
            where = f"{path}/{key}"
            if key not in left or key not in right:
                found.append(
                    f"{where}: {left.get(key, '<absent>')!r} != {right.get(key, '<absent>')!r}"
                )
            else:
                found.extend(differences(left[key], right[key], where))
        return found
    return [] if left == right else [f"{path or '/'}: {left!r} != {right!r}"]
