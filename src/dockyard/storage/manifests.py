"""Manifests of one repository: revisions, their validation against the repository, referrers.

A manifest's exact bytes are stored as a blob and linked under ``_manifests/revisions``; its digest
is therefore stable forever. Before a manifest is stored, everything it references must already be
visible in the repository (config and layers as ``_layers`` links, index children as revisions),
so a pull of an accepted manifest can always complete.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from dockyard.manifest.parse import Manifest, Ref, media_type_of, parse
from dockyard.registry import mediatypes as mt
from dockyard.registry.descriptor import Descriptor
from dockyard.registry.errors import (
    BlobUnknownError,
    ManifestBlobUnknownError,
    ManifestInvalidError,
    ManifestUnknownError,
    RegistryError,
)
from dockyard.registry.reference import Digest
from dockyard.storage import paths
from dockyard.storage.blobs import BlobStore, LinkedBlobStore
from dockyard.storage.referrers import ReferrerIndex
from dockyard.storage.tags import TagStore

EMPTY_JSON = b"{}"
EMPTY_JSON_DIGEST = Digest.of(EMPTY_JSON)


@dataclass(frozen=True, slots=True)
class ManifestValidation:
    """``validation`` section of the config, as the manifest store needs it."""

    enabled: bool = True
    url_allow: tuple[re.Pattern[str], ...] = ()
    url_deny: tuple[re.Pattern[str], ...] = ()
    index_platforms: str = "all"  # all | none | list
    platform_list: tuple[tuple[str, str], ...] = field(default_factory=tuple)


@dataclass(frozen=True, slots=True)
class StoredManifest:
    descriptor: Descriptor
    content: bytes


class ManifestStore:
    def __init__(
        self,
        blobs: BlobStore,
        name: str,
        layers: LinkedBlobStore,
        tags: TagStore,
        referrers: ReferrerIndex,
        validation: ManifestValidation,
    ) -> None:
        self.blobs = blobs
        self.name = name
        self.layers = layers
        self.tags = tags
        self.referrers = referrers
        self.validation = validation
        self.revisions = LinkedBlobStore(blobs, name, paths.revision_link)

    async def get(self, digest: Digest) -> StoredManifest:
        try:
            canonical = await self.revisions.resolve(digest)
            content = await self.blobs.get(canonical.digest)
        except BlobUnknownError:
            raise ManifestUnknownError(str(digest)) from None
        return StoredManifest(Descriptor(digest, len(content), media_type_of(content)), content)

    async def exists(self, digest: Digest) -> bool:
        return await self.revisions.exists(digest)

    async def put(self, manifest: Manifest, digest: Digest, tags: Sequence[str] = ()) -> Descriptor:
        """Validate ``manifest`` against the repository, then store it under ``digest`` and link
        it into the repository and under ``tags``.

        In steps, each durable before the next names it: the manifest's bytes, its revision
        link, then every tag's links in one :meth:`StorageDriver.put_contents` (their fsyncs
        overlap). No power cut leaves a link naming something missing; a re-push under new tags
        (manifest and revision already stored) is a single call.
        """
        if self.validation.enabled:
            await self._verify(manifest)
        steps = (
            [await self.blobs.put_write(manifest.content, digest)],
            [await self.revisions.link_write(digest)],
            [write for tag in tags for write in await self.tags.tag_writes(tag, digest)],
        )
        for step in steps:
            writes = [write for write in step if write is not None]
            if writes:
                await self.blobs.driver.put_contents(writes)
        await self.blobs.stored(digest, len(manifest.content))
        descriptor = Descriptor(digest, len(manifest.content), manifest.media_type)
        if manifest.subject is not None:
            await self.referrers.add(manifest.subject.digest, referrer_descriptor(manifest, digest))
        return descriptor

    async def delete(self, digest: Digest) -> StoredManifest:
        """Remove the revision, every tag pointing at it, and its referrer entry.

        Returns what was deleted (for the notification), read once before the link goes.
        """
        stored = await self.get(digest)
        await self.revisions.unlink(digest)
        for tag in await self.tags.lookup(digest):
            try:
                await self.tags.untag(tag)
            except ManifestUnknownError:
                pass
        subject = _subject_of(stored.content)
        if subject is not None:
            await self.referrers.remove(subject, digest)
        return stored

    async def _verify(self, manifest: Manifest) -> None:
        if manifest.is_index:
            await self._verify_index(manifest)
            return
        assert manifest.config is not None
        await self._require_blob(manifest.config)
        for layer in manifest.layers:
            if layer.urls:
                self._check_urls(layer)
            if layer.media_type == mt.DOCKER_FOREIGN_LAYER and not layer.urls:
                raise ManifestInvalidError(f"foreign layer {layer.digest} has no urls")
            if layer.urls and layer.media_type in mt.FOREIGN_LAYERS:
                continue  # clients fetch it from its URLs: the registry need not hold it
            await self._require_blob(layer)

    async def _require_blob(self, ref: Ref) -> None:
        if await self.layers.exists(ref.digest):
            return
        if ref.digest == EMPTY_JSON_DIGEST:
            # The OCI empty descriptor has well-known content; create it rather than refuse
            # an artifact whose client skipped pushing two bytes.
            await self.blobs.put(EMPTY_JSON, EMPTY_JSON_DIGEST)
            await self.layers.link(EMPTY_JSON_DIGEST)
            return
        raise ManifestBlobUnknownError(str(ref.digest))

    def _check_urls(self, layer: Ref) -> None:
        """Layer URLs must be http(s) without a fragment and pass ``validation.manifests.urls``."""
        for url in layer.urls:
            parsed = urlsplit(url)
            allowed = not self.validation.url_allow or any(
                p.search(url) for p in self.validation.url_allow
            )
            denied = any(p.search(url) for p in self.validation.url_deny)
            if parsed.scheme not in ("http", "https") or parsed.fragment or not allowed or denied:
                raise ManifestInvalidError(f"layer url {url[:200]!r} is not allowed")

    async def _verify_index(self, manifest: Manifest) -> None:
        mode = self.validation.index_platforms
        if mode == "none":
            return
        for child in manifest.manifests:
            if mode == "list" and not _platform_listed(child, self.validation.platform_list):
                continue
            if not await self.revisions.exists(child.digest):
                raise ManifestBlobUnknownError(str(child.digest))


def referrer_descriptor(manifest: Manifest, digest: Digest) -> dict[str, Any]:
    """The descriptor of ``manifest`` as the referrers API lists it."""
    descriptor: dict[str, Any] = {
        "mediaType": manifest.media_type,
        "digest": str(digest),
        "size": len(manifest.content),
    }
    if manifest.referrer_artifact_type:
        descriptor["artifactType"] = manifest.referrer_artifact_type
    if manifest.annotations:
        descriptor["annotations"] = manifest.annotations
    return descriptor


def _platform_listed(child: Ref, allowed: tuple[tuple[str, str], ...]) -> bool:
    platform = child.platform or {}
    return (platform.get("os"), platform.get("architecture")) in allowed


def _subject_of(content: bytes) -> Digest | None:
    try:
        manifest = parse(content, media_type_of(content))
    except RegistryError:
        return None
    return manifest.subject.digest if manifest.subject else None
