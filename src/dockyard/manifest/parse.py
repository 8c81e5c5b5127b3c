"""Parsing and structural validation of pushed manifests.

Accepts Docker schema 2 manifests and manifest lists, OCI image manifests and indexes (artifacts
included: ``artifactType``, any config media type, the empty descriptor). Refuses Docker schema 1.
Checks here need only the bytes and the ``Content-Type``; whether referenced content exists in the
repository is checked by the manifest store.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson

from dockyard.registry import mediatypes as mt
from dockyard.registry.errors import ManifestInvalidError, RegistryError
from dockyard.registry.reference import Digest

_GENERIC_CONTENT_TYPES = frozenset({"", "application/octet-stream", "application/json"})
_DOCKER_TYPES = frozenset({mt.DOCKER_MANIFEST, mt.DOCKER_MANIFEST_LIST})


@dataclass(frozen=True, slots=True)
class Ref:
    """A descriptor as written inside a manifest."""

    media_type: str
    digest: Digest
    size: int
    urls: tuple[str, ...] = ()
    artifact_type: str | None = None
    annotations: dict[str, str] | None = None
    platform: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class Manifest:
    """The parts of a manifest the registry acts on; ``content`` is kept byte-exact."""

    media_type: str
    content: bytes
    config: Ref | None = None
    layers: tuple[Ref, ...] = ()
    manifests: tuple[Ref, ...] = ()
    subject: Ref | None = None
    artifact_type: str | None = None
    annotations: dict[str, str] | None = field(default=None)

    @property
    def is_index(self) -> bool:
        return self.media_type in mt.INDEXES

    @property
    def referrer_artifact_type(self) -> str | None:
        """The ``artifactType`` a referrers listing shows for this manifest (OCI rules)."""
        if self.artifact_type:
            return self.artifact_type
        if not self.is_index and self.config is not None:
            return self.config.media_type
        return None

    def references(self) -> tuple[Ref, ...]:
        """Everything the manifest points at (not its subject), for GC and notifications."""
        refs = (self.config,) if self.config is not None else ()
        return refs + self.layers + self.manifests


def _invalid(reason: str) -> ManifestInvalidError:
    return ManifestInvalidError(reason)


def _media_type(value: Any, where: str) -> str:
    if not isinstance(value, str) or not mt.MEDIA_TYPE_RE.fullmatch(value):
        raise _invalid(f"{where}: invalid media type {str(value)[:100]!r}")
    return value


def _annotations(value: Any, where: str) -> dict[str, str] | None:
    if value is None:
        return None
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise _invalid(f"{where}: annotations must map strings to strings")
    return value


def _ref(value: Any, where: str) -> Ref:
    if not isinstance(value, dict):
        raise _invalid(f"{where}: descriptor must be an object")
    media_type = _media_type(value.get("mediaType"), where)
    digest_text = value.get("digest")
    if not isinstance(digest_text, str):
        raise _invalid(f"{where}: descriptor has no digest")
    try:
        digest = Digest.parse(digest_text)
    except RegistryError:
        raise _invalid(f"{where}: invalid digest {digest_text[:150]!r}") from None
    size = value.get("size")
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        raise _invalid(f"{where}: descriptor size must be a non-negative integer")
    urls = value.get("urls") or ()
    if not isinstance(urls, list | tuple) or not all(isinstance(u, str) for u in urls):
        raise _invalid(f"{where}: urls must be a list of strings")
    artifact_type = value.get("artifactType")
    if artifact_type is not None:
        _media_type(artifact_type, f"{where}.artifactType")
    platform = value.get("platform")
    if platform is not None and not isinstance(platform, dict):
        raise _invalid(f"{where}: platform must be an object")
    return Ref(
        media_type,
        digest,
        size,
        tuple(urls),
        artifact_type,
        _annotations(value.get("annotations"), where),
        platform,
    )


def _refs(value: Any, where: str, *, required: bool) -> tuple[Ref, ...]:
    if value is None:
        if required:
            raise _invalid(f"{where} is required")
        return ()
    if not isinstance(value, list):
        raise _invalid(f"{where} must be a list")
    return tuple(_ref(item, f"{where}[{i}]") for i, item in enumerate(value))


def _resolve_media_type(doc: dict[str, Any], content_type: str | None) -> str:
    declared = doc.get("mediaType")
    header = mt.base(content_type)
    if declared is not None and not isinstance(declared, str):
        raise _invalid("mediaType must be a string")
    if (
        doc.get("schemaVersion") == 1
        or declared in mt.SCHEMA1 - {"application/json"}
        or (header in mt.SCHEMA1 - {"application/json"})
    ):
        raise _invalid(
            "Docker schema 1 manifests are not supported; push the image as Docker schema 2 or OCI"
        )
    if declared and header not in _GENERIC_CONTENT_TYPES and declared != header:
        raise _invalid(f"mediaType {declared!r} does not match Content-Type {header!r}")
    media_type = declared or (header if header not in _GENERIC_CONTENT_TYPES else "")
    if not media_type:
        media_type = mt.OCI_INDEX if "manifests" in doc else mt.OCI_MANIFEST
    if media_type not in mt.MANIFESTS:
        raise _invalid(f"unsupported manifest media type {media_type[:100]!r}")
    if not declared and media_type in _DOCKER_TYPES:
        # Stored bytes must say what they are: a pull has no Content-Type header to go by.
        raise _invalid(f"a Docker manifest must declare mediaType {media_type!r}")
    version = doc.get("schemaVersion")
    if type(version) is not int or version != 2:  # not True, not 2.0
        raise _invalid("schemaVersion must be 2")
    return media_type


def parse(content: bytes, content_type: str | None = None) -> Manifest:
    """Parse ``content`` pushed with ``content_type``; raise MANIFEST_INVALID if it is not valid."""
    try:
        doc = orjson.loads(content)
    except orjson.JSONDecodeError:
        raise _invalid("manifest is not valid JSON") from None
    if not isinstance(doc, dict):
        raise _invalid("manifest must be a JSON object")
    media_type = _resolve_media_type(doc, content_type)
    artifact_type = doc.get("artifactType")
    if artifact_type is not None:
        if media_type not in (mt.OCI_MANIFEST, mt.OCI_INDEX):
            raise _invalid("artifactType is only valid in OCI manifests and indexes")
        _media_type(artifact_type, "artifactType")
    subject = doc.get("subject")
    annotations = _annotations(doc.get("annotations"), "manifest")
    common = {
        "media_type": media_type,
        "content": content,
        "subject": _ref(subject, "subject") if subject is not None else None,
        "artifact_type": artifact_type,
        "annotations": annotations,
    }
    if media_type in mt.INDEXES:
        if "config" in doc or "layers" in doc:
            raise _invalid("an index must not have config or layers")
        return Manifest(manifests=_refs(doc.get("manifests"), "manifests", required=True), **common)
    if "manifests" in doc:
        raise _invalid("an image manifest must not have manifests")
    config = _ref(doc.get("config"), "config")
    layers = _refs(doc.get("layers"), "layers", required=media_type == mt.DOCKER_MANIFEST)
    return Manifest(config=config, layers=layers, **common)


def media_type_of(content: bytes) -> str:
    """The media type of stored manifest bytes (validated when they were pushed)."""
    try:
        doc = orjson.loads(content)
    except orjson.JSONDecodeError:
        return mt.OCI_MANIFEST
    if not isinstance(doc, dict):
        return mt.OCI_MANIFEST
    declared = doc.get("mediaType")
    if isinstance(declared, str) and declared:
        return declared
    if doc.get("schemaVersion") == 1:
        return mt.DOCKER_SCHEMA1_SIGNED if "signatures" in doc else mt.DOCKER_SCHEMA1
    return mt.OCI_INDEX if "manifests" in doc else mt.OCI_MANIFEST
