"""``auth.token``: Bearer tokens from a token server (or the built-in issuer), as Distribution.

The challenge is byte-for-byte Distribution's, because clients parse it to find the token
server: ``Bearer realm="…",service="…",scope="repository:team/app:pull,push"``, plus
``error="invalid_token"`` for a token that does not verify and ``error="insufficient_scope"``
for a valid token that lacks an action. The latter stays a ``401`` (clients such as
containers/image fetch a token for the challenged scope and retry only on 401), with the
``DENIED`` code in the body so the client reports "requested access to the resource is denied".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from dockyard.api.http import Request
from dockyard.auth.access import Access, Grant, go_quote, scope_param
from dockyard.auth.controller import (
    AccessController,
    AuthEnvironment,
    Challenge,
    InsufficientScope,
)
from dockyard.auth.keys import TrustedKeys
from dockyard.auth.verify import InvalidToken, MalformedToken, TokenVerifier

DEFAULT_AUTOREDIRECT_PATH = "/auth/token"


@dataclass(frozen=True, slots=True)
class TokenController:
    realm: str
    service: str
    verifier: TokenVerifier
    autoredirect: bool = False
    autoredirectpath: str = DEFAULT_AUTOREDIRECT_PATH

    def challenge(self, request: Request, access: Sequence[Access], error: str = "") -> str:
        realm = self.realm
        if self.autoredirect:
            scheme = request.header("x-forwarded-proto") or "https"
            realm = f"{scheme}://{request.host}{self.autoredirectpath}"
        value = f"Bearer realm={go_quote(realm)},service={go_quote(self.service)}"
        scope = scope_param(access)
        if scope:
            value += f",scope={go_quote(scope)}"
        if error:
            value += f",error={go_quote(error)}"
        return value

    async def authorized(self, request: Request, access: Sequence[Access]) -> Grant:
        scheme, _, raw = (request.header("authorization") or "").partition(" ")
        raw = raw.strip()
        if scheme.lower() != "bearer" or not raw:
            raise Challenge("authorization token required", self.challenge(request, access))
        try:
            claims = self.verifier.verify(raw)
        except (MalformedToken, InvalidToken) as exc:
            raise Challenge(str(exc), self.challenge(request, access, "invalid_token")) from None
        for item in access:
            if not claims.access.allows(item):
                raise InsufficientScope(
                    "insufficient scope", self.challenge(request, access, "insufficient_scope")
                )
        return Grant(claims.subject, claims.access.allows)


def _option(options: Mapping[str, Any], key: str, required: bool = True) -> str:
    value = options.get(key, "")
    if value is None:
        value = ""
    if not isinstance(value, str) or (required and not value):
        raise ValueError(f"token auth requires a valid option string: {key!r}")
    return value


def create(options: Mapping[str, Any], env: AuthEnvironment) -> AccessController:
    realm = _option(options, "realm")
    service = _option(options, "service")
    issuer = _option(options, "issuer")
    algorithms = options.get("signingalgorithms") or []
    if not isinstance(algorithms, list) or not all(isinstance(a, str) for a in algorithms):
        raise ValueError("signingalgorithms must be a list of signing algorithms")
    keys = TrustedKeys.load(
        _option(options, "rootcertbundle", False), _option(options, "jwks", False)
    )
    path = options.get("autoredirectpath") or DEFAULT_AUTOREDIRECT_PATH
    return TokenController(
        realm=realm,
        service=service,
        verifier=TokenVerifier(issuer, service, keys, algorithms),
        autoredirect=bool(options.get("autoredirect", False)),
        autoredirectpath=str(path),
    )
