"""``GET``/``HEAD``/``DELETE /v2/<name>/blobs/<digest>`` (end-2, end-10)."""

from __future__ import annotations

import re

from dockyard.api.context import Context
from dockyard.api.http import Response, etag_matches
from dockyard.registry.descriptor import OCTET_STREAM
from dockyard.registry.errors import RangeNotSatisfiableError, UnsupportedError
from dockyard.registry.reference import Digest

_RANGE_RE = re.compile(r"^bytes=([0-9]*)-([0-9]*)$")


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The (offset, length) of a single ``Range`` header, None to serve everything.

    Multiple ranges and malformed values are ignored (RFC 9110 lets a server do so); a range
    that starts past the end, or any range of an empty blob, is unsatisfiable.
    """
    if not header:
        return None
    found = _RANGE_RE.fullmatch(header.strip().replace(" ", ""))
    if not found:
        return None
    first, last = found.groups()
    if not first and not last:
        return None
    if not first:  # suffix: the last N bytes
        suffix = int(last)
        if suffix == 0 or size == 0:
            raise RangeNotSatisfiableError(size)
        start = max(size - suffix, 0)
        return start, size - start
    start = int(first)
    end = int(last) if last else size - 1
    if start >= size or end < start:
        raise RangeNotSatisfiableError(size)
    end = min(end, size - 1)
    return start, end - start + 1


async def get(ctx: Context) -> Response:
    digest = Digest.parse(ctx.vars["digest"])
    repo = ctx.repository
    canonical = await repo.blobs.resolve(digest)
    if ctx.app.options.redirect_enabled:
        url = await repo.blob_store.redirect_url(ctx.request.method, canonical.digest)
        if url:
            await ctx.listener.blob_pulled(repo.name, canonical)
            return Response(status=307, body=b"").set("Location", url)
    text = str(digest)
    response = Response(status=200, content_type=OCTET_STREAM)
    response.set("Docker-Content-Digest", text).set("ETag", f'"{text}"')
    response.set("Accept-Ranges", "bytes").set("Cache-Control", "max-age=31536000")
    if etag_matches(ctx.request.header("if-none-match"), text):
        response.status = 304
        response.body = b""
        return response
    size = canonical.size
    wanted = parse_range(ctx.request.header("range"), size)
    if wanted is None:
        offset, length = 0, size
    else:
        offset, length = wanted
        response.status = 206
        response.set("Content-Range", f"bytes {offset}-{offset + length - 1}/{size}")
    response.set("Content-Length", length)
    if ctx.request.method == "HEAD":
        response.body = b""
    else:
        response.body = repo.blob_store.body(canonical.digest, size, offset, length)
        await ctx.listener.blob_pulled(repo.name, canonical)
    return response


async def delete(ctx: Context) -> Response:
    if not ctx.app.options.delete_enabled:
        raise UnsupportedError("The operation is unsupported: deletes are disabled")
    digest = Digest.parse(ctx.vars["digest"])
    repo = ctx.repository
    descriptor = await repo.blobs.stat(digest)
    await repo.blobs.unlink(digest)
    await ctx.listener.blob_deleted(repo.name, descriptor)
    return Response(status=202, body=b"").set("Content-Length", 0)
