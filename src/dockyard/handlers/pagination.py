"""``n``/``last`` pagination with an RFC 5988 ``Link`` header, shared by tags and the catalog."""

from __future__ import annotations

from urllib.parse import urlencode

from dockyard.api.context import Context
from dockyard.api.http import Response, parse_count
from dockyard.registry.errors import PaginationNumberInvalidError


def page_size(ctx: Context, default: int | None, maximum: int, *, clamp: bool) -> int | None:
    """The requested ``n``: clamped to ``maximum`` (tags) or refused above it (catalog)."""
    raw = ctx.request.query_value("n")
    if raw is None or raw == "":
        return default
    n = parse_count(raw)
    if n is None:
        raise PaginationNumberInvalidError(raw)
    if maximum > 0 and n > maximum:
        if not clamp:
            raise PaginationNumberInvalidError(raw)
        n = maximum
    return n


def link_next(ctx: Context, response: Response, path: str, n: int, last: str) -> None:
    """Point ``rel="next"`` at ``path`` (below ``http.prefix``) continuing after ``last``."""
    url = ctx.app.urls.path(ctx.request, path)
    query = urlencode({"n": n, "last": last})
    response.set("Link", f'<{url}?{query}>; rel="next"')
