"""``GET /v2/<name>/referrers/<digest>`` (end-12): an OCI index of the manifests whose subject is
``<digest>``, optionally filtered by ``artifactType``. Distribution has no such endpoint."""

from __future__ import annotations

import asyncio
from typing import Any

from dockyard.api.context import Context
from dockyard.api.http import Response
from dockyard.manifest.parse import parse
from dockyard.registry import mediatypes as mt
from dockyard.registry.errors import RegistryError
from dockyard.registry.reference import Digest
from dockyard.storage.manifests import referrer_descriptor
from dockyard.storage.registry import Repository


async def get(ctx: Context) -> Response:
    subject = Digest.parse(ctx.vars["digest"])
    repo = ctx.repository
    entries = await repo.referrers.entries(subject)
    # An entry outlives its manifest if something else (Distribution's GC) deleted it.
    alive = await asyncio.gather(
        *(repo.manifests.exists(Digest.parse(entry["digest"])) for entry in entries)
    )
    found = {entry["digest"]: entry for entry, ok in zip(entries, alive, strict=True) if ok}
    for entry in await _from_tag_schema(repo, subject):
        found.setdefault(entry["digest"], entry)
    wanted = ctx.request.query_value("artifactType")
    manifests = sorted(found.values(), key=lambda d: d["digest"])
    if wanted:
        manifests = [d for d in manifests if d.get("artifactType") == wanted]
    index = {"schemaVersion": 2, "mediaType": mt.OCI_INDEX, "manifests": manifests}
    response = Response.json(index, content_type=mt.OCI_INDEX)
    if wanted:
        response.set("OCI-Filters-Applied", "artifactType")
    return response


async def _from_tag_schema(repo: Repository, subject: Digest) -> list[dict[str, Any]]:
    """Referrers recorded by clients in a ``<alg>-<hex>`` tag (the spec's fallback schema)."""
    try:
        # The schema's tag is ``<alg>-<hex>`` with the hex cut to 64 characters (sha512 would
        # overflow the 128-character tag grammar otherwise).
        index_digest = await repo.tags.get(f"{subject.algorithm}-{subject.hex[:64]}")
        index = parse((await repo.manifests.get(index_digest)).content)
    except RegistryError:
        return []
    out = []
    for child in index.manifests:
        try:
            stored = await repo.manifests.get(child.digest)
            manifest = parse(stored.content, stored.descriptor.media_type)
        except RegistryError:
            continue
        if manifest.subject is not None and manifest.subject.digest == subject:
            out.append(referrer_descriptor(manifest, child.digest))
    return out
