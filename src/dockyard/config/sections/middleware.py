"""The ``middleware`` section: registry, repository and storage middleware entries."""

from __future__ import annotations

from typing import Any

from pydantic import (
    field_validator,
)

from dockyard.config.sections.common import Section


class MiddlewareEntry(Section):
    name: str
    disabled: bool = False
    options: dict[str, Any] = {}

    @field_validator("options", mode="before")
    @classmethod
    def _none_is_empty(cls, value: Any) -> Any:
        return {} if value is None else value


class Middleware(Section):
    registry: list[MiddlewareEntry] = []
    repository: list[MiddlewareEntry] = []
    storage: list[MiddlewareEntry] = []
