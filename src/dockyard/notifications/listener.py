"""The per-request listener (Distribution's ``eventBridge``): turns repository events into
envelope events carrying this request's ``request``, ``actor`` and the node's ``source``.

Building an event is a few dict literals; the actor is read when the event happens, after access
control has named the user.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dockyard.manifest import parse as manifest_parse
from dockyard.manifest.parse import Manifest
from dockyard.notifications import events as ev
from dockyard.registry.descriptor import Descriptor
from dockyard.registry.errors import RegistryError

if TYPE_CHECKING:
    from dockyard.api.context import Context
    from dockyard.notifications.notifier import Notifier


def _ip(value: str) -> bool:
    import ipaddress

    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def remote_addr(ctx: Context) -> str:
    """The client address as Distribution reports it: X-Forwarded-For, X-Real-Ip, the peer."""
    forwarded = ctx.request.header("x-forwarded-for")
    if forwarded:
        first = forwarded.split(",", 1)[0].strip()
        if _ip(first):
            return first
    real = ctx.request.header("x-real-ip")
    if real and _ip(real.strip()):
        return real.strip()
    return ctx.request.client_addr


class Bridge:
    """A :class:`~dockyard.registry.events.RepositoryListener` bound to one request."""

    __slots__ = ("_ctx", "_notifier", "_request")

    def __init__(self, notifier: Notifier, ctx: Context) -> None:
        self._notifier = notifier
        self._ctx = ctx
        self._request: dict[str, str] | None = None

    def _emit(self, action: str, target: dict[str, Any]) -> None:
        ctx = self._ctx
        if self._request is None:
            request = ctx.request
            self._request = {
                "id": ctx.request_id,
                "addr": remote_addr(ctx),
                "host": request.host,
                "method": request.method,
                "useragent": request.header("user-agent") or "",
            }
        actor = {"name": ctx.user} if ctx.user else {}
        event = ev.new_event(action, target, self._request, actor, self._notifier.source_record)
        self._notifier.write(event)

    def _manifest_target(
        self, repo: str, descriptor: Descriptor, refs: Any, tag: str | None
    ) -> dict[str, Any]:
        url = self._ctx.app.urls.manifest(self._ctx.request, repo, str(descriptor.digest))
        target = ev.descriptor_target(descriptor, repo, url)
        if tag:
            target["tag"] = tag
        if self._notifier.include_references and refs:
            target["references"] = [ev.reference(ref) for ref in refs]
        return target

    def _blob_target(self, repo: str, descriptor: Descriptor) -> dict[str, Any]:
        url = self._ctx.app.urls.blob(self._ctx.request, repo, str(descriptor.digest))
        return ev.descriptor_target(descriptor, repo, url)

    async def manifest_pushed(
        self, repo: str, descriptor: Descriptor, manifest: Manifest, tag: str | None
    ) -> None:
        refs = manifest.references() if self._notifier.include_references else ()
        self._emit(ev.PUSH, self._manifest_target(repo, descriptor, refs, tag))

    async def manifest_pulled(
        self, repo: str, descriptor: Descriptor, content: bytes, tag: str | None
    ) -> None:
        refs: Any = ()
        if self._notifier.include_references:
            try:
                refs = manifest_parse.parse(content, descriptor.media_type).references()
            except RegistryError:
                refs = ()
        self._emit(ev.PULL, self._manifest_target(repo, descriptor, refs, tag))

    async def manifest_deleted(self, repo: str, descriptor: Descriptor) -> None:
        self._emit(ev.DELETE, {"digest": str(descriptor.digest), "repository": repo})

    async def blob_pushed(self, repo: str, descriptor: Descriptor) -> None:
        self._emit(ev.PUSH, self._blob_target(repo, descriptor))

    async def blob_pulled(self, repo: str, descriptor: Descriptor) -> None:
        self._emit(ev.PULL, self._blob_target(repo, descriptor))

    async def blob_mounted(self, repo: str, descriptor: Descriptor, source: str) -> None:
        target = self._blob_target(repo, descriptor)
        target["fromRepository"] = source
        self._emit(ev.MOUNT, target)

    async def blob_deleted(self, repo: str, descriptor: Descriptor) -> None:
        self._emit(ev.DELETE, {"digest": str(descriptor.digest), "repository": repo})

    async def tag_deleted(self, repo: str, tag: str) -> None:
        self._emit(ev.DELETE, {"repository": repo, "tag": tag})
