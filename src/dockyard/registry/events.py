"""The seam notifications plug into: a listener told about every repository event.

The app builds one listener per request (Distribution's ``eventBridge``), already bound to the
request and its actor, so these methods carry only what happened. Listeners must not raise into
the request: delivery problems are theirs to log and retry.
"""

from __future__ import annotations

from typing import Protocol

from dockyard.manifest.parse import Manifest
from dockyard.registry.descriptor import Descriptor


class RepositoryListener(Protocol):
    async def manifest_pushed(
        self, repo: str, descriptor: Descriptor, manifest: Manifest, tag: str | None
    ) -> None: ...

    async def manifest_pulled(
        self, repo: str, descriptor: Descriptor, content: bytes, tag: str | None
    ) -> None: ...

    async def manifest_deleted(self, repo: str, descriptor: Descriptor) -> None: ...

    async def blob_pushed(self, repo: str, descriptor: Descriptor) -> None: ...

    async def blob_pulled(self, repo: str, descriptor: Descriptor) -> None: ...

    async def blob_mounted(self, repo: str, descriptor: Descriptor, source: str) -> None: ...

    async def blob_deleted(self, repo: str, descriptor: Descriptor) -> None: ...

    async def tag_deleted(self, repo: str, tag: str) -> None: ...


class NoListener:
    """Used when no notification endpoint is configured."""

    async def manifest_pushed(
        self, repo: str, descriptor: Descriptor, manifest: Manifest, tag: str | None
    ) -> None:
        return None

    async def manifest_pulled(
        self, repo: str, descriptor: Descriptor, content: bytes, tag: str | None
    ) -> None:
        return None

    async def manifest_deleted(self, repo: str, descriptor: Descriptor) -> None:
        return None

    async def blob_pushed(self, repo: str, descriptor: Descriptor) -> None:
        return None

    async def blob_pulled(self, repo: str, descriptor: Descriptor) -> None:
        return None

    async def blob_mounted(self, repo: str, descriptor: Descriptor, source: str) -> None:
        return None

    async def blob_deleted(self, repo: str, descriptor: Descriptor) -> None:
        return None

    async def tag_deleted(self, repo: str, tag: str) -> None:
        return None


NO_LISTENER = NoListener()
