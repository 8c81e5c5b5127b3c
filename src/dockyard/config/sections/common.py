"""What every config section shares: strict models, header maps, log levels, named sections."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
)

LOG_LEVELS = ("error", "warn", "warning", "info", "debug", "panic", "fatal", "trace")


def _check_level(value: str) -> str:
    value = value.lower()
    if value not in LOG_LEVELS:
        raise ValueError(f"must be one of {', '.join(LOG_LEVELS)}")
    return value


def _as_header_lists(value: Any) -> Any:
    """``http.Header`` values are lists; accept a single string as a one-item list."""
    if isinstance(value, dict):
        return {k: v if isinstance(v, list) else [v] for k, v in value.items()}
    return value


HeaderMap = Annotated[dict[str, list[str]], BeforeValidator(_as_header_lists)]
LogLevel = Annotated[str, BeforeValidator(lambda v: _check_level(str(v)))]


class Section(BaseModel):
    model_config = ConfigDict(
        extra="forbid", populate_by_name=True, frozen=False, coerce_numbers_to_str=True
    )


def _named_section(value: Any) -> Any:
    """``storage: inmemory`` / ``auth: none``: a bare name is that provider with no parameters."""
    if isinstance(value, str) and value:
        return {value: {}}
    return value


class Enabled(Section):
    enabled: bool = False
