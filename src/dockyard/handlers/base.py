"""``GET /v2/``: the API version check (end-1); auth, when configured, has already run."""

from __future__ import annotations

from dockyard.api.context import Context
from dockyard.api.http import Response


async def get(ctx: Context) -> Response:
    return Response(status=200, body=b"{}", content_type="application/json; charset=utf-8")
