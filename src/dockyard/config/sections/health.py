"""The ``health`` section: storage-driver, file, HTTP and TCP checks."""

from __future__ import annotations

from pydantic import (
    Field,
)

from dockyard.config.durations import Duration
from dockyard.config.sections.common import HeaderMap, Section


class StorageDriverCheck(Section):
    enabled: bool = False
    interval: Duration = 10.0
    threshold: int = Field(1, ge=0)


class FileCheck(Section):
    file: str
    interval: Duration = 10.0
    threshold: int = Field(1, ge=0)


class HTTPCheck(Section):
    uri: str
    headers: HeaderMap = {}
    statuscode: int = 200
    timeout: Duration = 1.0
    interval: Duration = 10.0
    threshold: int = Field(1, ge=0)


class TCPCheck(Section):
    addr: str
    timeout: Duration = 1.0
    interval: Duration = 10.0
    threshold: int = Field(1, ge=0)


class Health(Section):
    storagedriver: StorageDriverCheck = StorageDriverCheck()
    file: list[FileCheck] = []
    http: list[HTTPCheck] = []
    tcp: list[TCPCheck] = []
