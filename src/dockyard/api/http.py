"""A thin request/response layer over raw ASGI.

The registry has a dozen routes and spends its time moving bytes, so it talks ASGI directly: bodies
stream through :meth:`Request.stream` and out of :class:`Response` without a framework copying
them, and whole-file responses use the server's ``http.response.pathsend`` extension when offered.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

import orjson

from dockyard.registry.content import FileBody

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

API_VERSION_HEADER = (b"docker-distribution-api-version", b"registry/2.0")
PATHSEND = "http.response.pathsend"


class ClientDisconnectedError(Exception):
    """The client went away before its request body was complete."""


class Request:
    """The parts of an ASGI HTTP scope a handler needs, decoded once and lazily."""

    __slots__ = (
        "_query",
        "_receive",
        "body_complete",
        "consumed",
        "headers",
        "method",
        "path",
        "scope",
    )

    def __init__(self, scope: Scope, receive: Receive) -> None:
        self.scope = scope
        self._receive = receive
        self.method: str = scope["method"]
        self.path: str = scope["path"]
        headers: dict[str, str] = {}
        for raw_name, raw_value in scope["headers"]:
            name = raw_name.decode("latin-1").lower()
            value = raw_value.decode("latin-1")
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
        self.headers = headers
        self._query: dict[str, list[str]] | None = None
        self.consumed = 0
        self.body_complete = False

    @property
    def query(self) -> dict[str, list[str]]:
        if self._query is None:
            raw = self.scope.get("query_string", b"").decode("latin-1")
            self._query = parse_qs(raw, keep_blank_values=True)
        return self._query

    @property
    def uri(self) -> str:
        """Path and query as the client sent them (what an access log records)."""
        raw = self.scope.get("query_string", b"")
        return f"{self.path}?{raw.decode('latin-1')}" if raw else self.path

    def query_value(self, key: str) -> str | None:
        values = self.query.get(key)
        return values[0] if values else None

    def header(self, name: str) -> str | None:
        return self.headers.get(name)

    @property
    def content_length(self) -> int | None:
        return parse_count(self.headers.get("content-length"))

    @property
    def body_unread(self) -> bool:
        """True when the client sent (or announced) body bytes the handler never read.

        Answering such a request early (an error before or during the upload) leaves those bytes
        on the connection, so the response must close it rather than let the client reuse it.
        """
        if self.body_complete:
            return False
        length = self.content_length
        if length is not None:
            return self.consumed < length
        return "chunked" in self.headers.get("transfer-encoding", "").lower()

    @property
    def client_addr(self) -> str:
        client = self.scope.get("client")
        return f"{client[0]}:{client[1]}" if client else ""

    @property
    def host(self) -> str:
        return self.headers.get("host", "")

    @property
    def scheme(self) -> str:
        return str(self.scope.get("scheme", "http"))

    async def stream(self) -> AsyncIterator[bytes]:
        """Yield the body as it arrives; raise :class:`ClientDisconnectedError` if cut short."""
        while True:
            message = await self._receive()
            if message["type"] == "http.disconnect":
                raise ClientDisconnectedError
            chunk = message.get("body", b"")
            if chunk:
                self.consumed += len(chunk)
                yield chunk
            if not message.get("more_body", False):
                self.body_complete = True
                return

    async def body(self, limit: int) -> bytes | None:
        """Read the whole body, or return None as soon as it exceeds ``limit`` bytes."""
        parts: list[bytes] = []
        total = 0
        async for chunk in self.stream():
            total += len(chunk)
            if total > limit:
                return None
            parts.append(chunk)
        return b"".join(parts)


def parse_count(value: str | None) -> int | None:
    """A non-negative decimal integer from a header or query value, else None.

    ``str.isdigit`` alone is not enough: it accepts characters such as ``²`` that ``int`` refuses.
    """
    if value is None or not value.isascii() or not value.isdigit():
        return None
    return int(value)


def etag_matches(header: str | None, digest: str) -> bool:
    """Whether an ``If-None-Match`` header matches the entity tag ``"<digest>"``.

    Accepts a list, ``*``, weak tags, and (as Distribution does) the bare unquoted digest.
    """
    if not header:
        return False
    quoted = f'"{digest}"'
    return any(tag.strip() in (quoted, digest, "*", f"W/{quoted}") for tag in header.split(","))


@dataclass(slots=True)
class Response:
    status: int = 200
    body: bytes | FileBody | None = b""
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    content_type: str | None = None

    def set(self, name: str, value: str | int) -> Response:
        self.headers.append((name.lower().encode("latin-1"), str(value).encode("latin-1")))
        return self

    @classmethod
    def json(
        cls, payload: Any, status: int = 200, content_type: str = "application/json"
    ) -> Response:
        return cls(status=status, body=orjson.dumps(payload), content_type=content_type)

    @property
    def header_names(self) -> Iterable[bytes]:
        return (name for name, _ in self.headers)


async def send_response(scope: Scope, send: Send, response: Response, *, head: bool = False) -> int:
    """Send ``response``; returns the number of body bytes sent (for the access log)."""
    headers = [API_VERSION_HEADER, *response.headers]
    body = response.body
    if response.content_type is not None:
        headers.append((b"content-type", response.content_type.encode("latin-1")))
    if isinstance(body, FileBody):
        length = body.length
    else:
        length = len(body) if body else 0
    if b"content-length" not in response.header_names and response.status not in (204, 304):
        headers.append((b"content-length", str(length).encode()))
    await send({"type": "http.response.start", "status": response.status, "headers": headers})
    if head or response.status in (204, 304) or not body:
        await send({"type": "http.response.body", "body": b""})
        return 0
    if isinstance(body, bytes):
        await send({"type": "http.response.body", "body": body})
        return length
    return await _send_file(scope, send, body)


async def _send_file(scope: Scope, send: Send, body: FileBody) -> int:
    extensions = scope.get("extensions") or {}
    if (
        PATHSEND in extensions
        and body.local_path is not None
        and body.offset == 0
        and _file_size(body.local_path) == body.length
    ):
        await send({"type": PATHSEND, "path": body.local_path})
        return body.length
    sent = 0
    async for chunk in body.chunks():
        sent += len(chunk)
        await send({"type": "http.response.body", "body": chunk, "more_body": True})
    await send({"type": "http.response.body", "body": b""})
    return sent


def _file_size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return -1
