"""Content descriptors: what the registry knows about a stored blob or manifest."""

from __future__ import annotations

from dataclasses import dataclass

from dockyard.registry.reference import Digest

OCTET_STREAM = "application/octet-stream"


@dataclass(frozen=True, slots=True)
class Descriptor:
    """The digest, size and media type of a piece of content.

    Links in storage carry no media type, so blobs served through a repository are
    ``application/octet-stream`` unless a manifest says otherwise.
    """

    digest: Digest
    size: int
    media_type: str = OCTET_STREAM
