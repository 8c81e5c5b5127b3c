"""The ``notifications`` section: webhook endpoints and event options."""

from __future__ import annotations

from typing import Literal

from pydantic import (
    Field,
    model_validator,
)

from dockyard.config.durations import Duration
from dockyard.config.sections.common import HeaderMap, Section


class Ignore(Section):
    mediatypes: list[str] = []
    actions: list[Literal["push", "pull", "mount", "delete"]] = []


class Endpoint(Section):
    name: str
    disabled: bool = False
    url: str = ""
    headers: HeaderMap = {}
    timeout: Duration = 1.0
    threshold: int = Field(10, ge=0)
    backoff: Duration = 1.0
    ignoredmediatypes: list[str] = []
    ignore: Ignore = Ignore()

    @model_validator(mode="after")
    def _url(self) -> Endpoint:
        if not self.disabled and not self.url.startswith(("http://", "https://")):
            raise ValueError(f"endpoint {self.name!r} needs an http(s) url")
        return self


class Events(Section):
    includereferences: bool = False


class Notifications(Section):
    events: Events = Events()
    endpoints: list[Endpoint] = []
