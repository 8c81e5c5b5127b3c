"""``auth.silly``: any non-empty ``Authorization`` header is accepted — for tests only.

As in Distribution, a request without the header gets a Bearer challenge whose scope lists every
record separately (``repository:a:pull repository:a:push``), and everyone is user ``silly``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from dockyard.api.http import Request
from dockyard.auth.access import Access, Grant, go_quote
from dockyard.auth.controller import AccessController, AuthEnvironment, Challenge


@dataclass(frozen=True, slots=True)
class SillyController:
    realm: str
    service: str

    async def authorized(self, request: Request, access: Sequence[Access]) -> Grant:
        if not request.header("authorization"):
            value = f"Bearer realm={go_quote(self.realm)},service={go_quote(self.service)}"
            if access:
                scope = " ".join(f"{a.resource.type}:{a.resource.name}:{a.action}" for a in access)
                value += f",scope={go_quote(scope)}"
            raise Challenge("silly authentication challenge", value)
        return Grant("silly")


def create(options: Mapping[str, Any], env: AuthEnvironment) -> AccessController:
    realm, service = options.get("realm"), options.get("service")
    if not isinstance(realm, str):
        raise ValueError('"realm" must be set for the silly access controller')
    if not isinstance(service, str):
        raise ValueError('"service" must be set for the silly access controller')
    return SillyController(realm, service)
