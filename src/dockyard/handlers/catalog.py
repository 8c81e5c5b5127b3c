"""``GET /v2/_catalog``: repository names in Distribution's order, paginated."""

from __future__ import annotations

from dockyard.api.context import Context
from dockyard.api.http import Response
from dockyard.handlers.pagination import link_next, page_size

DEFAULT_ENTRIES = 100


async def get(ctx: Context) -> Response:
    maximum = ctx.app.config.catalog.maxentries
    n = page_size(ctx, min(DEFAULT_ENTRIES, maximum), maximum, clamp=False)
    assert n is not None
    last = ctx.request.query_value("last") or ""
    if n == 0:
        return Response.json({"repositories": []})
    names, more = await ctx.app.registry.repositories(n, last)
    response = Response.json({"repositories": names})
    if more and names:
        link_next(ctx, response, "/v2/_catalog", n, names[-1])
    return response
