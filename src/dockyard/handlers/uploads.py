"""Blob uploads: start, mount, monolithic, chunked, status, commit, cancel (end-4…6, 11, 13)."""

from __future__ import annotations

import re

from dockyard.api.context import Context
from dockyard.api.errors import render
from dockyard.api.http import Response
from dockyard.registry.errors import (
    BlobUnknownError,
    DigestInvalidError,
    NameInvalidError,
    RangeInvalidError,
    SizeInvalidError,
)
from dockyard.registry.reference import Digest, validate_name
from dockyard.storage.registry import Repository
from dockyard.storage.uploads import UploadSession

_CONTENT_RANGE_RE = re.compile(r"^(?:bytes[ =])?([0-9]+)-([0-9]+)(?:/(?:[0-9]+|\*))?$")


def _upload_headers(ctx: Context, response: Response, session: UploadSession) -> Response:
    location = ctx.app.urls.upload(ctx.request, session.repository, session.id)
    response.set("Location", location).set("Docker-Upload-UUID", session.id)
    response.set("Range", f"0-{max(session.size - 1, 0)}")
    return response.set("Content-Length", 0)


def _created(ctx: Context, name: str, digest: Digest) -> Response:
    response = Response(status=201, body=b"")
    response.set("Location", ctx.app.urls.blob(ctx.request, name, str(digest)))
    response.set("Docker-Content-Digest", str(digest)).set("Content-Length", 0)
    return response


def _digest_param(ctx: Context) -> Digest:
    value = ctx.request.query_value("digest")
    if not value:
        raise DigestInvalidError("", "digest parameter is required to complete an upload")
    return Digest.parse(value)


def _check_chunk(ctx: Context, session: UploadSession) -> tuple[int | None, int | None]:
    """Check ``Content-Range`` against the upload: (declared length, declared start offset).

    A range that is malformed or does not start where the upload stands is RANGE_INVALID (416)
    before any byte is read; a ``Content-Length`` that disagrees with the range is SIZE_INVALID,
    as in Distribution.
    """
    header = ctx.request.header("content-range")
    declared = ctx.request.content_length
    if not header:
        return declared, None
    found = _CONTENT_RANGE_RE.fullmatch(header.strip())
    if not found:
        raise RangeInvalidError(session.size, f"malformed Content-Range {header[:64]!r}")
    start, end = int(found.group(1)), int(found.group(2))
    if start != session.size or end < start:
        raise RangeInvalidError(session.size, "Content-Range does not continue the upload")
    if declared is not None and declared != end - start + 1:
        raise SizeInvalidError(f"Content-Range {start}-{end} disagrees with Content-Length")
    return end - start + 1, start


async def _append(ctx: Context, session: UploadSession) -> None:
    declared, offset = _check_chunk(ctx, session)
    before = session.size
    await ctx.app.registry.uploads.append(session, ctx.request.stream(), offset)
    received = session.size - before
    if declared is not None and received != declared:
        raise SizeInvalidError(f"expected {declared} bytes, received {received}")


async def _append_chunk(ctx: Context, session: UploadSession) -> Response | None:
    """Append the request body; a 416 answer also says where the upload stands and lives."""
    try:
        await _append(ctx, session)
    except RangeInvalidError as exc:
        response = render(exc)
        location = ctx.app.urls.upload(ctx.request, session.repository, session.id)
        return response.set("Location", location).set("Docker-Upload-UUID", session.id)
    return None


async def _commit(
    ctx: Context, repo: Repository, session: UploadSession, digest: Digest
) -> Response:
    descriptor = await ctx.app.registry.uploads.commit(session, digest, repo.blobs)
    await ctx.listener.blob_pushed(repo.name, descriptor)
    return _created(ctx, repo.name, digest)


async def start(ctx: Context) -> Response:
    repo = ctx.repository
    mounted = await _try_mount(ctx, repo)
    if mounted is not None:
        return mounted
    uploads = ctx.app.registry.uploads
    digest_param = ctx.request.query_value("digest")
    if digest_param is not None:
        digest = Digest.parse(digest_param)
        session = await uploads.start(repo.name)
        try:
            await _append(ctx, session)
        except BaseException:
            await uploads.cancel(session)
            raise
        return await _commit(ctx, repo, session, digest)
    session = await uploads.start(repo.name)
    return _upload_headers(ctx, Response(status=202, body=b""), session)


async def _try_mount(ctx: Context, repo: Repository) -> Response | None:
    """Link ``mount`` from ``from`` and answer 201, or None to start a normal upload.

    Whatever stops the mount (a malformed digest or name, no access, no such blob) falls back
    to an upload session, as the spec and Distribution do.
    """
    mount, source = ctx.request.query_value("mount"), ctx.request.query_value("from")
    if not mount or not source:
        return None
    try:
        digest = Digest.parse(mount)
        validate_name(source)
    except (DigestInvalidError, NameInvalidError):
        return None
    if ctx.can_pull is not None and not await ctx.can_pull(source):
        return None
    source_repo = ctx.app.repository(source)
    try:
        canonical = await source_repo.blobs.resolve(digest)
    except BlobUnknownError:
        return None
    await repo.blobs.link(canonical.digest)
    if digest != canonical.digest:
        await repo.blobs.link(digest, canonical.digest)
    descriptor = await repo.blobs.stat(digest)
    await ctx.listener.blob_mounted(repo.name, descriptor, source)
    return _created(ctx, repo.name, digest)


async def _session(ctx: Context) -> UploadSession:
    return await ctx.app.registry.uploads.get(ctx.repository.name, ctx.vars["uuid"])


async def status(ctx: Context) -> Response:
    session = await _session(ctx)
    return _upload_headers(ctx, Response(status=204, body=b""), session)


async def patch(ctx: Context) -> Response:
    session = await _session(ctx)
    refused = await _append_chunk(ctx, session)
    if refused is not None:
        return refused
    return _upload_headers(ctx, Response(status=202, body=b""), session)


async def put(ctx: Context) -> Response:
    session = await _session(ctx)
    digest = _digest_param(ctx)
    if ctx.request.content_length != 0:  # a last chunk, possibly streamed without a length
        refused = await _append_chunk(ctx, session)
        if refused is not None:
            return refused
    return await _commit(ctx, ctx.repository, session, digest)


async def cancel(ctx: Context) -> Response:
    session = await _session(ctx)
    await ctx.app.registry.uploads.cancel(session)
    return Response(status=204, body=b"").set("Docker-Upload-UUID", session.id)
