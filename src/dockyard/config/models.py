"""Distribution's ``config.yml`` as pydantic models: every section of v2.8 and v3, strictly typed.

Keys are Distribution's own (lower-case YAML names). Unknown keys are refused so that a typo stops
start-up instead of silently disabling a feature (Distribution ignores them). Sections for features
Dockyard does not have (yet) are parsed and validated all the same; ``dockyard.config.support``
says which are refused at start-up and which are accepted but not acted on.

As with Go's YAML decoder, a number given where text is expected is taken as text
(``secret: 123456``), and a driver or auth section may be named by a bare string
(``storage: inmemory``, ``auth: none``).
"""

from __future__ import annotations

from typing import Any

from pydantic import field_validator, model_validator

from dockyard.config.extensions import Extensions
from dockyard.config.sections.auth import Auth
from dockyard.config.sections.common import LogLevel, Section
from dockyard.config.sections.health import Health
from dockyard.config.sections.http import HTTP
from dockyard.config.sections.log import Log
from dockyard.config.sections.middleware import Middleware
from dockyard.config.sections.misc import (
    Catalog,
    Compatibility,
    Policy,
    Proxy,
    Reporting,
    Tags,
    Validation,
)
from dockyard.config.sections.notifications import Notifications
from dockyard.config.sections.redis import Redis
from dockyard.config.sections.storage import DRIVERS, Storage

__all__ = ["DRIVERS", "Configuration", "Storage"]


class Configuration(Section):
    """The whole file. ``version`` must be ``0.1``, as in Distribution."""

    version: str
    log: Log = Log()
    loglevel: LogLevel | None = None
    storage: Storage
    auth: Auth = Auth()
    middleware: Middleware = Middleware()
    http: HTTP = HTTP()
    notifications: Notifications = Notifications()
    redis: Redis = Redis()
    health: Health = Health()
    catalog: Catalog = Catalog()
    tags: Tags = Tags()
    proxy: Proxy = Proxy()
    validation: Validation = Validation()
    policy: Policy = Policy()
    compatibility: Compatibility = Compatibility()
    reporting: Reporting = Reporting()
    dockyard: Extensions = Extensions()

    @field_validator("version", mode="before")
    @classmethod
    def _version(cls, value: Any) -> str:
        text = str(value)
        if text != "0.1":
            raise ValueError(f"unsupported configuration version {text!r} (expected 0.1)")
        return text

    @model_validator(mode="after")
    def _deprecated_loglevel(self) -> Configuration:
        if self.loglevel and "level" not in self.log.model_fields_set:
            self.log.level = self.loglevel
        return self
