"""``GET``/``HEAD``/``DELETE /v2/<name>/blobs/<digest>`` (end-2, end-10)."""

from __future__ import annotations

import re

from dockyard.api.context import Context
from dockyard.api.http import Response
from dockyard.registry.descriptor import OCTET_STREAM
from dockyard.registry.errors import RangeNotSatisfiableError, UnsupportedError
from dockyard.registry.reference import Digest

_RANGE_RE = re.compile(r"^bytes=(\d*)-(\d*)$")


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The (offset, length) of a single ``Range`` header, None to serve everything.

    Multiple ranges and malformed values are ignored (RFC 9110 lets a server do so); a range
    that starts past the end is unsatisfiable.
    """
    if not header:
        return None
    found = _RANGE_RE.match(header.strip().replace(" ", ""))
    if not found:
        return None
    first, last = found.groups()
    if not first and not last:
        return None
    if not first:  # suffix: the last N bytes
        suffix = int(last)
        if suffix == 0:
            raise RangeNotSatisfiableError(size)
        start = max(size - suffix, 0)
        return start, size - start
    start = int(first)
    end = int(last) if last else size - 1
    if start >= size or end < start:
        raise RangeNotSatisfiableError(size)
    end = min(end, size - 1)
    return start, end - start + 1


def _etag_matches(header: str | None, etag: str) -> bool:
    if not header:
        return False
    return any(tag.strip() in (etag, "*", f"W/{etag}") for tag in header.split(","))


async def get(ctx: Context) -> Response:
    head = ctx.request.method == "HEAD"
    digest = Digest.parse(ctx.vars["digest"])
    repo = ctx.repository
    canonical = await repo.blobs.resolve(digest)
    if ctx.app.options.redirect_enabled:
        url = await repo.blob_store.redirect_url(ctx.request.method, canonical.digest)
        if url:
            await ctx.listener.blob_pulled(repo.name, canonical)
            return Response(status=307, body=b"").set("Location", url)
    etag = f'"{digest}"'
    response = Response(status=200, content_type=OCTET_STREAM)
    response.set("Docker-Content-Digest", str(digest)).set("ETag", etag)
    response.set("Accept-Ranges", "bytes").set("Cache-Control", "max-age=31536000")
    if _etag_matches(ctx.request.header("if-none-match"), etag):
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
    if not head:
        response.body = repo.blob_store.body(canonical.digest, size, offset, length)
        await ctx.listener.blob_pulled(repo.name, canonical)
    else:
        response.body = b""
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
