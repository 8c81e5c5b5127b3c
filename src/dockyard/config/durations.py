"""Go ``time.Duration`` values as Distribution's YAML carries them: ``168h``, ``1m30s``, ``500ms``.

A YAML number is read the way Go's YAML decoder reads it into a Duration: as nanoseconds. Text
follows Go's ``time.ParseDuration``: a sign, then number+unit pairs; only ``0`` may omit the unit.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BeforeValidator, PlainSerializer

_UNITS = {
    "ns": 1e-9,
    "us": 1e-6,
    "µs": 1e-6,
    "μs": 1e-6,
    "ms": 1e-3,
    "s": 1.0,
    "m": 60.0,
    "h": 3600.0,
}
_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)")


def parse_duration(value: Any) -> float:
    """Seconds in a Go duration string (or a number of nanoseconds)."""
    if isinstance(value, bool):
        raise ValueError("a duration such as '10s' or '168h' is required")
    if isinstance(value, int | float):
        return float(value) / 1e9
    if not isinstance(value, str):
        raise ValueError("a duration such as '10s' or '168h' is required")
    text = value.strip()
    sign = -1.0 if text.startswith("-") else 1.0
    if text[:1] in ("+", "-"):
        text = text[1:]
    if text.isdigit():  # as Go's ParseDuration: "0" needs no unit, other text does
        if int(text) == 0:
            return 0.0
        raise ValueError(f"invalid duration {value!r}: missing unit (e.g. '{text}s')")
    if not text:
        raise ValueError(f"invalid duration {value!r} (expected e.g. '10s', '1h30m', '500ms')")
    pos = 0
    total = 0.0
    while pos < len(text):
        match = _PART.match(text, pos)
        if match is None:
            raise ValueError(f"invalid duration {value!r} (expected e.g. '10s', '1h30m', '500ms')")
        total += float(match.group(1)) * _UNITS[match.group(2)]
        pos = match.end()
    return sign * total


def format_duration(seconds: float) -> str:
    if seconds and seconds == int(seconds):
        return f"{int(seconds)}s"
    return f"{seconds * 1000:g}ms"


Duration = Annotated[
    float,
    BeforeValidator(parse_duration),
    PlainSerializer(format_duration, return_type=str, when_used="json"),
]
"""A config field holding a Go duration, exposed to Python as seconds."""
