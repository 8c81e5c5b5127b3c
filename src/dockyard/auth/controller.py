"""The access-controller seam: one protocol, the refusals it may raise, a registry by name.

Controllers are found by the name of their ``auth:`` section (``htpasswd``, ``token``,
``silly``, or a third party's). Built-ins are ``"module:attr"`` strings resolved on first use;
other packages add theirs through the ``dockyard.auth`` entry-point group::

    [project.entry-points."dockyard.auth"]
    ldap = "mypackage.ldap:create"

A factory is called as ``factory(options, env)`` with the section's options (a dict) and an
:class:`AuthEnvironment`, and returns an :class:`AccessController`.

Refusals (exceptions)::

    AuthRefusal
     ├── Challenge          401 UNAUTHORIZED + WWW-Authenticate: no or bad credentials
     ├── InsufficientScope  401 DENIED + Bearer challenge with error="insufficient_scope"
     ├── Denied             403 DENIED: a known identity may not do this
     └── LoginThrottled     429 TOOMANYREQUESTS + Retry-After: too many failed logins

Anything else a controller raises is a failure of the auth backend: the client gets a bare
``400`` with no detail and the error is logged (Distribution's "potential security problem").
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Any, Protocol

from dockyard.api.http import Request
from dockyard.auth.access import Access, Grant

if TYPE_CHECKING:
    from dockyard.auth.policy import AccessPolicy
    from dockyard.auth.ratelimit import LoginLimiter

ENTRY_POINT_GROUP = "dockyard.auth"


class AccessController(Protocol):
    async def authorized(self, request: Request, access: Sequence[Access]) -> Grant:
        """Return a grant if ``request`` may perform every item of ``access``.

        An empty ``access`` asks only "who is this?" (the ``/v2/`` route). Raise an
        :class:`AuthRefusal` to refuse; never put credentials in exceptions or logs.
        """
        ...


class AuthConfigError(Exception):
    """An access-control setting that cannot work; one line naming the key, at start-up."""


class AuthRefusal(Exception):
    """Base of the refusals a controller raises; ``challenge`` is a WWW-Authenticate value."""

    def __init__(self, reason: str, challenge: str = "") -> None:
        super().__init__(reason)
        self.challenge = challenge


class Challenge(AuthRefusal):
    """No credentials, or credentials that do not check out."""


class InsufficientScope(AuthRefusal):
    """A valid token that lacks an action (401 so clients fetch a token for the new scope)."""


class Denied(AuthRefusal):
    """A known identity that may not perform the action."""


class LoginThrottled(AuthRefusal):
    def __init__(self, retry_after: int) -> None:
        super().__init__("too many failed logins")
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class AuthEnvironment:
    """What built-in controllers share: the access policy and the failed-login limiter."""

    policy: AccessPolicy | None
    limiter: LoginLimiter


Factory = Callable[[Mapping[str, Any], AuthEnvironment], AccessController]

BUILTIN: dict[str, str] = {
    "htpasswd": "dockyard.auth.htpasswd:create",
    "token": "dockyard.auth.token:create",
    "silly": "dockyard.auth.silly:create",
}
_registered: dict[str, Factory | str] = dict(BUILTIN)


def register(name: str, factory: Factory | str) -> None:
    """Add a controller in code (tests, embedding); entry points need no call."""
    if name in _registered:
        raise ValueError(f"access controller {name!r} is already registered")
    _registered[name] = factory


def _resolve(target: Factory | str) -> Factory:
    if not isinstance(target, str):
        return target
    module, _, attr = target.partition(":")
    return getattr(importlib.import_module(module), attr)  # type: ignore[no-any-return]


def factory(name: str) -> Factory:
    target = _registered.get(name)
    if target is None:
        found = entry_points(group=ENTRY_POINT_GROUP, name=name)
        if not found:
            known = ", ".join(sorted({*_registered, *entry_points(group=ENTRY_POINT_GROUP).names}))
            raise AuthConfigError(f"auth.{name}: no access controller named {name!r} ({known})")
        target = next(iter(found)).load()
    try:
        return _resolve(target)
    except (ImportError, AttributeError) as exc:
        raise AuthConfigError(f"auth.{name}: cannot load access controller: {exc}") from None


def create(name: str, options: Mapping[str, Any], env: AuthEnvironment) -> AccessController:
    try:
        return factory(name)(options, env)
    except AuthConfigError:
        raise
    except (ValueError, TypeError, KeyError, OSError) as exc:
        raise AuthConfigError(f"auth.{name}: {exc}") from None
