"""Logging as Distribution's ``log`` section describes it: level, text/json/logstash, fields.

Every record carries the current request id (from a ContextVar set by the app) so a request's
lines can be found together; ``fields`` from the config are added to every line.
"""

from __future__ import annotations

import logging
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

import orjson

request_id: ContextVar[str] = ContextVar("request_id", default="")

_LEVELS = {
    "trace": logging.DEBUG,
    "debug": logging.DEBUG,
    "info": logging.INFO,
    "warn": logging.WARNING,
    "warning": logging.WARNING,
    "error": logging.ERROR,
    "fatal": logging.CRITICAL,
    "panic": logging.CRITICAL,
}
_NAMES = {
    logging.DEBUG: "debug",
    logging.INFO: "info",
    logging.WARNING: "warning",
    logging.ERROR: "error",
    logging.CRITICAL: "fatal",
}
_RESERVED = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}


def _fields(record: logging.LogRecord) -> dict[str, Any]:
    return {k: v for k, v in record.__dict__.items() if k not in _RESERVED}


class _Formatter(logging.Formatter):
    def __init__(self, static: dict[str, Any]) -> None:
        super().__init__()
        self.static = static

    def entry(self, record: logging.LogRecord) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": _NAMES.get(record.levelno, record.levelname.lower()),
            "msg": record.getMessage(),
        }
        rid = request_id.get()
        if rid:
            entry["http.request.id"] = rid
        entry.update(self.static)
        entry.update(_fields(record))
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return entry


class TextFormatter(_Formatter):
    """logrus-style ``key=value`` lines."""

    def format(self, record: logging.LogRecord) -> str:
        parts = []
        for key, value in self.entry(record).items():
            text = str(value)
            if not text or any(c in text for c in ' "=\n\t'):
                text = orjson.dumps(text).decode()
            parts.append(f"{key}={text}")
        return " ".join(parts)


class JSONFormatter(_Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return orjson.dumps(self.entry(record), default=str).decode()


class LogstashFormatter(_Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = self.entry(record)
        entry["@timestamp"] = entry.pop("time")
        entry["@version"] = "1"
        entry["message"] = entry.pop("msg")
        return orjson.dumps(entry, default=str).decode()


FORMATTERS = {"text": TextFormatter, "json": JSONFormatter, "logstash": LogstashFormatter}


def setup(
    level: str = "info", formatter: str = "text", fields: dict[str, Any] | None = None
) -> None:
    """Route every logger to stderr with the configured format (idempotent)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_dockyard", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler._dockyard = True  # type: ignore[attr-defined]
    handler.setFormatter(FORMATTERS[formatter](dict(fields or {})))
    root.addHandler(handler)
    root.setLevel(_LEVELS.get(level, logging.INFO))
