"""``/v2/<name>/manifests/<reference>``: pull, push and delete by tag or digest (end-3, 7, 9)."""

from __future__ import annotations

from dockyard.api.context import Context
from dockyard.api.http import Response, etag_matches
from dockyard.manifest import parse as manifest_parse
from dockyard.registry.errors import (
    DigestInvalidError,
    ManifestInvalidError,
    ManifestTooLargeError,
    UnsupportedError,
)
from dockyard.registry.reference import TAG_RE, Digest, is_digest_reference

MAX_MANIFEST_SIZE = 4 << 20


def _reference(ctx: Context) -> tuple[Digest | None, str | None]:
    """(digest, None) or (None, tag) for the URL's reference; invalid ones are refused."""
    reference = ctx.vars["reference"]
    if is_digest_reference(reference):
        return Digest.parse(reference), None
    if not TAG_RE.fullmatch(reference):
        raise ManifestInvalidError(f"invalid tag {reference[:150]!r}")
    return None, reference


async def get(ctx: Context) -> Response:
    repo = ctx.repository
    digest, tag = _reference(ctx)
    if digest is None:
        assert tag is not None
        digest = await repo.tags.get(tag)
    stored = await repo.manifests.get(digest)
    text = str(digest)
    response = Response(status=200, content_type=stored.descriptor.media_type)
    response.set("Docker-Content-Digest", text).set("ETag", f'"{text}"')
    if etag_matches(ctx.request.header("if-none-match"), text):
        response.status = 304
        response.body = b""
        return response
    response.set("Content-Length", len(stored.content))
    if ctx.request.method == "HEAD":
        response.body = b""
    else:
        response.body = stored.content
        await ctx.listener.manifest_pulled(repo.name, stored.descriptor, stored.content, tag)
    return response


async def put(ctx: Context) -> Response:
    repo = ctx.repository
    digest, tag = _reference(ctx)
    declared = ctx.request.content_length
    if declared is not None and declared > MAX_MANIFEST_SIZE:
        raise ManifestTooLargeError(MAX_MANIFEST_SIZE)
    content = await ctx.request.body(MAX_MANIFEST_SIZE)
    if content is None:
        raise ManifestTooLargeError(MAX_MANIFEST_SIZE)
    manifest = manifest_parse.parse(content, ctx.request.header("content-type"))
    if digest is None:
        digest = Digest.of(content)
    elif not digest.matches(content):
        raise DigestInvalidError(str(digest), "manifest digest does not match the content")
    tags = [tag] if tag else []
    for extra in ctx.request.query.get("tag", []):  # OCI (unreleased): one push, several tags
        if not TAG_RE.fullmatch(extra):
            raise ManifestInvalidError(f"invalid tag {extra[:150]!r}")
        tags.append(extra)
    descriptor = await repo.manifests.put(manifest, digest, tags)
    for name in tags or [None]:
        await ctx.listener.manifest_pushed(repo.name, descriptor, manifest, name)
    response = Response(status=201, body=b"")
    response.set("Location", ctx.app.urls.manifest(ctx.request, repo.name, str(digest)))
    response.set("Docker-Content-Digest", str(digest)).set("Content-Length", 0)
    if manifest.subject is not None:
        response.set("OCI-Subject", str(manifest.subject.digest))
    return response


async def delete(ctx: Context) -> Response:
    if not ctx.app.options.delete_enabled:
        raise UnsupportedError("The operation is unsupported: deletes are disabled")
    repo = ctx.repository
    digest, tag = _reference(ctx)
    if tag is not None:
        await repo.tags.untag(tag)
        await ctx.listener.tag_deleted(repo.name, tag)
    else:
        assert digest is not None
        stored = await repo.manifests.delete(digest)
        await ctx.listener.manifest_deleted(repo.name, stored.descriptor)
    return Response(status=202, body=b"").set("Content-Length", 0)
