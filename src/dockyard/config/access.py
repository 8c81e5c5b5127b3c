"""``dockyard.auth``: the built-in token issuer, the access policy and login rate limiting.

Distribution leaves per-repository permissions to an external token server; these keys let one
Dockyard be its own. They live under the top-level ``dockyard:`` key (see ``extensions.py``)
so the same file still starts Distribution. The YAML format is documented in
``docs/authentication.md``.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from dockyard.config.durations import Duration

Action = Literal["pull", "push", "delete", "*"]

# Repository-name characters plus the glob characters ``*`` and ``?``.
_PATTERN = re.compile(r"^[a-z0-9._/*?-]+$")


def _as_list(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RepositoryRule(_Model):
    """Who may do what on the repositories whose names match one of ``match``."""

    match: list[str]
    """Glob patterns: ``*`` and ``?`` stay within one path component, ``**`` crosses ``/``."""
    actions: list[Action]
    users: list[str] = []
    """User names; ``"*"`` is every authenticated user."""
    groups: list[str] = []
    anonymous: bool = False
    """Clients without credentials get ``actions`` too (which may then only be ``pull``)."""

    _lists = field_validator("match", "actions", "users", "groups", mode="before")(
        classmethod(lambda cls, v: _as_list(v))
    )

    @field_validator("match")
    @classmethod
    def _patterns(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("at least one repository pattern is required")
        for pattern in value:
            if not _PATTERN.match(pattern):
                raise ValueError(
                    f"invalid repository pattern {pattern!r} "
                    "(lower-case name characters, '/', '*', '**' and '?' only)"
                )
        return value

    @model_validator(mode="after")
    def _principals(self) -> RepositoryRule:
        if not (self.users or self.groups or self.anonymous):
            raise ValueError("a rule needs users, groups or anonymous: true")
        if self.anonymous and set(self.actions) - {"pull"}:
            raise ValueError("anonymous clients may only be granted pull")
        return self


class CatalogRule(_Model):
    """Who may list the catalog (``registry:catalog:*``)."""

    users: list[str] = []
    groups: list[str] = []
    anonymous: bool = False


class Policy(_Model):
    groups: dict[str, list[str]] = {}
    """Group name → member user names."""
    repositories: list[RepositoryRule] = []
    """Rules are additive: a client gets the union of the actions of every rule that matches."""
    catalog: CatalogRule = CatalogRule()

    @model_validator(mode="after")
    def _known_groups(self) -> Policy:
        for rule in [*self.repositories, self.catalog]:
            for group in rule.groups:
                if group not in self.groups:
                    raise ValueError(f"rule names unknown group {group!r}")
        return self


class TokenIssuer(_Model):
    """The built-in token server; its name and audience are ``auth.token.issuer``/``service``."""

    signingkey: str
    """PEM private key (RSA, EC P-256/384/521 or Ed25519) signing the tokens."""
    certificate: str = ""
    """Optional PEM certificate of ``signingkey``: sent as ``x5c`` for verifiers that want it."""
    htpasswd: str
    """The users: an htpasswd file with bcrypt entries."""
    path: str = "/auth/token"
    """Where the endpoint is served on the registry's own listener (with and without ``/``)."""
    realm: str = "Dockyard token issuer"
    """Basic realm the endpoint challenges with."""
    expiration: Duration = 300.0
    refreshexpiration: Duration = 30 * 24 * 3600.0
    """Lifetime of refresh tokens (``offline_token=true`` / ``access_type=offline``)."""

    @field_validator("path")
    @classmethod
    def _absolute(cls, value: str) -> str:
        if not value.startswith("/") or value.rstrip("/").startswith("/v2") or value == "/":
            raise ValueError("must be an absolute path outside /v2/, such as /auth/token")
        return value.rstrip("/")

    @field_validator("expiration")
    @classmethod
    def _min_lifetime(cls, value: float) -> float:
        if value < 60:
            raise ValueError("tokens must live at least 60s (clients assume so)")
        return value


class LoginLimit(_Model):
    """Failed logins per client address: ``failures`` at once, then one more per ``interval``."""

    disabled: bool = False
    failures: int = Field(10, ge=1)
    interval: Duration = 6.0

    @field_validator("interval")
    @classmethod
    def _positive(cls, value: float) -> float:
        if value <= 0:
            raise ValueError("must be a positive duration")
        return value


class AccessExtensions(_Model):
    tokenissuer: TokenIssuer | None = None
    policy: Policy | None = None
    loginlimit: LoginLimit = LoginLimit()
