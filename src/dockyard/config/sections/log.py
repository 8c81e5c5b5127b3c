"""The ``log`` section (and its mail hooks)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import (
    Field,
)

from dockyard.config.sections.common import LogLevel, Section


class AccessLog(Section):
    disabled: bool = False


class SMTP(Section):
    addr: str = ""
    username: str = ""
    password: str = ""
    insecure: bool = False


class MailOptions(Section):
    smtp: SMTP = SMTP()
    from_: str = Field("", alias="from")
    to: list[str] = []


class LogHook(Section):
    type: str = ""
    disabled: bool = False
    levels: list[str] = []
    options: MailOptions = MailOptions()


class Log(Section):
    accesslog: AccessLog = AccessLog()
    level: LogLevel = "info"
    formatter: Literal["text", "json", "logstash"] = "text"
    fields: dict[str, Any] = {}
    hooks: list[LogHook] = []
    reportcaller: bool = False
