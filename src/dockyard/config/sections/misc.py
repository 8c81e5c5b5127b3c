"""The small sections: proxy, validation, catalog, tags, policy and v2.8 leftovers."""

from __future__ import annotations

from typing import Any

from pydantic import (
    Field,
    field_validator,
)

from dockyard.config.durations import Duration
from dockyard.config.sections.common import Section


class ProxyExec(Section):
    command: str
    lifetime: Duration | None = None


class Proxy(Section):
    remoteurl: str = ""
    username: str = ""
    password: str = ""
    exec: ProxyExec | None = None
    ttl: Duration | None = None
    cachewritetimeout: Duration | None = None


class URLs(Section):
    allow: list[str] = []
    deny: list[str] = []


class Platform(Section):
    architecture: str = ""
    os: str = ""


class Indexes(Section):
    platforms: str = "all"
    platformlist: list[Platform] = []

    @field_validator("platforms")
    @classmethod
    def _mode(cls, value: str) -> str:
        value = value.lower()
        if value not in ("all", "none", "list"):
            raise ValueError("must be 'all', 'none' or 'list'")
        return value


class ValidationManifests(Section):
    urls: URLs = URLs()
    indexes: Indexes = Indexes()


class Validation(Section):
    enabled: bool = False  # deprecated in Distribution; ignored
    disabled: bool = False
    manifests: ValidationManifests = ValidationManifests()


class Catalog(Section):
    maxentries: int = 1000

    @field_validator("maxentries")
    @classmethod
    def _default_when_unset(cls, value: int) -> int:
        return value if value > 0 else 1000  # Distribution: zero or negative means the default


class Tags(Section):
    maxtags: int = Field(1000, ge=0)

    @field_validator("maxtags")
    @classmethod
    def _default_when_zero(cls, value: int) -> int:
        return value or 1000  # Distribution: 0 means the default; negative is an error


class Schema1(Section):
    enabled: bool = False
    signingkeyfile: str = ""


class Compatibility(Section):
    schema1: Schema1 = Schema1()


class Reporting(Section):
    bugsnag: dict[str, Any] = {}
    newrelic: dict[str, Any] = {}


class PolicyRepository(Section):
    classes: list[str] = []


class Policy(Section):
    repository: PolicyRepository = PolicyRepository()
