"""The ``auth`` section: one access-controller provider and its parameters."""

from __future__ import annotations

from typing import Any

from pydantic import (
    ConfigDict,
    model_validator,
)

from dockyard.config.sections.common import Section, _named_section


class SillyAuth(Section):
    realm: str
    service: str


class TokenAuth(Section):
    realm: str
    service: str
    issuer: str
    rootcertbundle: str = ""
    jwks: str = ""
    autoredirect: bool = False
    autoredirectpath: str = "/auth/token/"
    signingalgorithms: list[str] = []

    @model_validator(mode="after")
    def _keys(self) -> TokenAuth:
        if not self.rootcertbundle and not self.jwks:
            raise ValueError("token auth needs rootcertbundle or jwks")
        return self


class HtpasswdAuth(Section):
    realm: str
    path: str


class Auth(Section):
    """One access controller by name; ``none`` (Distribution's spelling of "no auth") is none."""

    model_config = ConfigDict(extra="allow")  # third-party access controllers by name

    silly: SillyAuth | None = None
    token: TokenAuth | None = None
    htpasswd: HtpasswdAuth | None = None

    @model_validator(mode="before")
    @classmethod
    def _by_name(cls, data: Any) -> Any:
        data = _named_section(data)
        if isinstance(data, dict):
            data = {k: v for k, v in data.items() if str(k).lower() != "none"}
        return data

    @model_validator(mode="after")
    def _one(self) -> Auth:
        configured = [name for name, _ in self._providers()]
        if len(configured) > 1:
            raise ValueError(f"only one auth provider may be configured, found {configured}")
        return self

    def _providers(self) -> list[tuple[str, Any]]:
        found = [
            (name, getattr(self, name))
            for name in type(self).model_fields
            if getattr(self, name) is not None
        ]
        found += [(name, value or {}) for name, value in (self.model_extra or {}).items()]
        return found

    @property
    def provider(self) -> tuple[str, Any] | None:
        """The configured access controller as (name, parameters), or None."""
        providers = self._providers()
        return providers[0] if providers else None
