"""A minimal blocking HTTP/1.1 client on raw sockets, for moving bulk bytes without overhead.

httpx or aiohttp would spend more CPU per byte than the servers being measured (they copy and
parse bodies in Python); this client sends bodies straight from a ``memoryview`` with
``sendall`` and reads responses with ``recv_into`` into one reused buffer, so on loopback it runs
several times faster than either registry (``python -m bench limits`` measures its ceiling). It
speaks just enough HTTP for a registry: Content-Length and chunked bodies, keep-alive, HEAD.
"""

from __future__ import annotations

import socket
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

RECV_BUFFER = 1 << 20
SOCKET_BUFFER = 4 << 20
TIMEOUT = 120.0


class HTTPError(Exception):
    """A response that was not what the benchmark step expected."""


@dataclass(slots=True)
class Response:
    status: int
    headers: dict[str, str]
    length: int
    """Body bytes received (the body itself is kept only when asked for)."""
    body: bytes = b""

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")


@dataclass(slots=True)
class _Reader:
    sock: socket.socket
    buf: bytearray = field(default_factory=lambda: bytearray(RECV_BUFFER))
    data: bytearray = field(default_factory=bytearray)
    """Bytes received but not consumed yet (small: headers and chunk framing)."""

    def fill(self) -> None:
        n = self.sock.recv_into(self.buf)
        if n == 0:
            raise ConnectionError("server closed the connection")
        self.data += memoryview(self.buf)[:n]

    def line(self) -> bytes:
        while True:
            end = self.data.find(b"\r\n")
            if end >= 0:
                out = bytes(self.data[:end])
                del self.data[: end + 2]
                return out
            self.fill()

    def body(self, length: int, keep: bool) -> bytes:
        """Consume ``length`` body bytes; returns them only when ``keep``."""
        parts: list[bytes] = []
        take = min(length, len(self.data))
        if keep:
            parts.append(bytes(self.data[:take]))
        del self.data[:take]
        remaining = length - take
        view = memoryview(self.buf)
        while remaining > 0:
            n = self.sock.recv_into(view, min(remaining, len(self.buf)))
            if n == 0:
                raise ConnectionError("server closed the connection mid-body")
            if keep:
                parts.append(bytes(view[:n]))
            remaining -= n
        return b"".join(parts)


class Connection:
    """One keep-alive connection to ``host:port``."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.sock = socket.create_connection((host, port), timeout=TIMEOUT)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SOCKET_BUFFER)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, SOCKET_BUFFER)
        self._reader = _Reader(self.sock)

    def close(self) -> None:
        self.sock.close()

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def request(
        self,
        method: str,
        target: str,
        body: bytes | memoryview | Iterable[bytes | memoryview] | None = None,
        *,
        length: int | None = None,
        headers: dict[str, str] | None = None,
        keep: bool = True,
    ) -> Response:
        """Send one request; ``body`` may be an iterable of chunks when ``length`` is given."""
        if isinstance(body, bytes | memoryview):
            length = len(body)
        head = [f"{method} {target} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        for name, value in (headers or {}).items():
            head.append(f"{name}: {value}")
        if body is not None or method in ("PUT", "POST", "PATCH"):
            head.append(f"Content-Length: {length or 0}")
        self.sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode("latin-1"))
        if isinstance(body, bytes | memoryview):
            self.sock.sendall(body)
        elif body is not None:
            for chunk in body:
                self.sock.sendall(chunk)
        return self._response(method, keep)

    def _response(self, method: str, keep: bool) -> Response:
        reader = self._reader
        status_line = reader.line().decode("latin-1")
        status = int(status_line.split(" ", 2)[1])
        headers: dict[str, str] = {}
        while line := reader.line():
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        if method == "HEAD" or status in (204, 304) or 100 <= status < 200:
            return Response(status, headers, 0)
        if headers.get("transfer-encoding", "").lower() == "chunked":
            parts: list[bytes] = []
            total = 0
            while True:
                size = int(reader.line().split(b";", 1)[0], 16)
                if size == 0:
                    while reader.line():  # trailers
                        pass
                    break
                parts.append(reader.body(size, keep))
                total += size
                reader.line()
            return Response(status, headers, total, b"".join(parts))
        length = int(headers.get("content-length", "0"))
        return Response(status, headers, length, reader.body(length, keep))


def split_location(location: str) -> str:
    """The request target of a ``Location`` header (absolute or relative)."""
    parts = urlsplit(location)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def expect(response: Response, *statuses: int) -> Response:
    if response.status not in statuses:
        detail = response.body[:300].decode("utf-8", "replace")
        raise HTTPError(f"expected {statuses}, got {response.status}: {detail}")
    return response
