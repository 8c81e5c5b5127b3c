"""``GET /v2/<name>/tags/list`` (end-8): sorted, paginated with ``n``/``last``."""

from __future__ import annotations

import bisect

from dockyard.api.context import Context
from dockyard.api.http import Response
from dockyard.handlers.pagination import link_next, page_size


async def get(ctx: Context) -> Response:
    repo = ctx.repository
    n = page_size(ctx, None, ctx.app.config.tags.maxtags, clamp=True)
    last = ctx.request.query_value("last") or ""
    tags = await repo.tags.all()
    start = bisect.bisect_right(tags, last) if last else 0
    page = tags[start:] if n is None else tags[start : start + n]
    response = Response.json({"name": repo.name, "tags": page})
    if n is not None and page and start + len(page) < len(tags):
        link_next(ctx, response, f"/v2/{repo.name}/tags/list", n, page[-1])
    return response
