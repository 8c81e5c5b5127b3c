"""The app's seam: turn a request into access records, ask the controller, record the grant.

This is the seed's ``authorized()``: the records come from the route and method, the
controller grants or refuses, a refusal becomes the spec's error (with its challenge), and a
failure of the controller itself becomes a bare ``400`` that reveals nothing (the error is
logged here, never the credentials). Requests are checked before any storage is touched, so
a refusal never depends on whether the repository exists.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from dockyard.auth.access import Access, request_records
from dockyard.auth.controller import (
    AccessController,
    Challenge,
    Denied,
    InsufficientScope,
    LoginThrottled,
)
from dockyard.registry.errors import (
    AccessBackendError,
    DeniedError,
    TooManyRequestsError,
    UnauthorizedError,
)

if TYPE_CHECKING:
    from dockyard.api.context import Context

log = logging.getLogger(__name__)


class AccessGate:
    def __init__(self, controller: AccessController) -> None:
        self.controller = controller

    async def authorize(self, ctx: Context) -> None:
        """Set ``ctx.user`` and ``ctx.can_pull``, or raise the refusal's registry error."""
        records = request_records(ctx.route.name, ctx.request.method, ctx.name)
        try:
            grant = await self.controller.authorized(ctx.request, records)
        except Challenge as exc:
            detail = [r.detail() for r in records]
            raise UnauthorizedError(detail=detail, challenge=exc.challenge) from None
        except InsufficientScope as exc:
            raise DeniedError(challenge=exc.challenge, status=401) from None
        except Denied as exc:
            raise DeniedError(challenge=exc.challenge) from None
        except LoginThrottled as exc:
            raise TooManyRequestsError(exc.retry_after) from None
        except Exception as exc:
            log.error(
                "error checking authorization: %s: %s",
                type(exc).__name__,
                exc,
                exc_info=not isinstance(exc, OSError),
            )
            raise AccessBackendError() from None
        ctx.user = grant.user
        if grant.allows is not None:

            async def can_pull(name: str) -> bool:
                return grant.permits(Access.repository(name, "pull"))

            ctx.can_pull = can_pull
