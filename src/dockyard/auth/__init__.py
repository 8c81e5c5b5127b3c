"""Access control: the ``auth:`` controllers, the built-in token issuer and the access policy.

:func:`build` turns the configuration into an :class:`Authorization` — the gate the app calls
for every API request, and the token endpoint when ``dockyard.auth.tokenissuer`` is set.
Every inconsistency is an :class:`AuthConfigError` worded as one start-up line naming the key.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from dockyard.auth.controller import (
    AccessController,
    AuthConfigError,
    AuthEnvironment,
    create,
    register,
)
from dockyard.auth.gate import AccessGate
from dockyard.auth.policy import AccessPolicy
from dockyard.auth.ratelimit import LoginLimiter
from dockyard.config.models import Configuration

if TYPE_CHECKING:
    # Token signing and verification need PyJWT and cryptography (~12 MiB per process):
    # imported only when auth.token or the token issuer is configured.
    from dockyard.auth.issuer import TokenIssuer
    from dockyard.auth.token import TokenController
    from dockyard.config.access import TokenIssuer as IssuerConfig

__all__ = [
    "AccessController",
    "AccessGate",
    "AuthConfigError",
    "Authorization",
    "TokenIssuer",
    "build",
    "register",
]


@dataclass(frozen=True, slots=True)
class Authorization:
    gate: AccessGate | None
    issuer: TokenIssuer | None


def __getattr__(name: str) -> Any:
    if name == "TokenIssuer":
        from dockyard.auth.issuer import TokenIssuer

        return TokenIssuer
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _options(value: Any) -> dict[str, Any]:
    if isinstance(value, BaseModel):
        return value.model_dump()
    return dict(value or {})


def build(config: Configuration) -> Authorization:
    ext = config.dockyard.auth
    limit = ext.loginlimit
    limiter = LoginLimiter(limit.failures, limit.interval, enabled=not limit.disabled)
    policy = AccessPolicy(ext.policy) if ext.policy is not None else None
    provider = config.auth.provider
    name = provider[0] if provider else ""
    if ext.tokenissuer is not None and name != "token":
        raise AuthConfigError(
            "dockyard.auth.tokenissuer: needs auth.token (its tokens are verified by the token "
            "access controller: set auth.token.realm to the issuer's URL)"
        )
    if policy is not None and name != "htpasswd" and ext.tokenissuer is None:
        raise AuthConfigError(
            "dockyard.auth.policy: applies only with auth.htpasswd or dockyard.auth.tokenissuer"
            + (f" (auth.{name} decides access itself)" if name else " (no auth is configured)")
        )
    if provider is None:
        return Authorization(None, None)
    controller = create(name, _options(provider[1]), AuthEnvironment(policy, limiter))
    issuer = None
    if ext.tokenissuer is not None:
        from dockyard.auth.token import TokenController

        assert isinstance(controller, TokenController)
        issuer = _issuer(ext.tokenissuer, controller, policy, limiter)
    return Authorization(AccessGate(controller), issuer)


def _issuer(
    cfg: IssuerConfig,
    controller: TokenController,
    policy: AccessPolicy | None,
    limiter: LoginLimiter,
) -> TokenIssuer:
    from dockyard.auth.htpasswd import HtpasswdFile
    from dockyard.auth.issuer import Signer, TokenIssuer
    from dockyard.auth.keys import UntrustedKey

    key = "dockyard.auth.tokenissuer"
    try:
        signer = Signer(cfg.signingkey, cfg.certificate)
    except (OSError, ValueError) as exc:
        raise AuthConfigError(f"{key}.signingkey: {exc}") from None
    verifier = controller.verifier
    trusted = verifier.keys.trusts(signer.public_key)
    if not trusted and signer.x5c:
        try:
            verifier.keys.verify_chain(signer.x5c)
            trusted = True
        except UntrustedKey:
            trusted = False
    if not trusted:
        raise AuthConfigError(
            f"{key}.signingkey: its public key is not trusted by auth.token "
            "(add the issuer's certificate to auth.token.rootcertbundle, or its key to jwks)"
        )
    if signer.algorithm not in verifier.algorithms:
        raise AuthConfigError(
            f"{key}.signingkey: signs with {signer.algorithm}, "
            "which auth.token.signingalgorithms does not allow"
        )
    try:
        users = HtpasswdFile(cfg.htpasswd)
    except ValueError as exc:
        raise AuthConfigError(f"{key}.htpasswd: {exc}") from None
    return TokenIssuer(
        path=cfg.path,
        issuer=verifier.issuer,
        service=verifier.service,
        realm=cfg.realm,
        signer=signer,
        users=users,
        policy=policy,
        limiter=limiter,
        expiration=cfg.expiration,
        refresh_expiration=cfg.refreshexpiration,
    )
