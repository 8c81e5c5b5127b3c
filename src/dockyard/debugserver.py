"""The debug server on ``http.debug.addr``: ``/debug/vars``, Prometheus metrics, ``/debug/health``.

It runs as its own small process next to the workers (started and stopped by
:mod:`dockyard.server`), so it answers with any number of workers and costs the request path
nothing: workers publish snapshots to the state directory, this process sums them on each
request. Health checks from the ``health`` section are polled here too. The process exits when
its parent goes away.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
import sys
import time
from typing import Any

import orjson

from dockyard import loghooks, logs
from dockyard.config import loader
from dockyard.config.models import Configuration
from dockyard.health import checks as health_checks
from dockyard.metrics import exposition, snapshot
from dockyard.server import CONFIG_FILE_ENV, parse_addr
from dockyard.storage.driver import factory

log = logging.getLogger("dockyard.debug")

READ_LIMIT = 16 << 10
PARENT_POLL = 0.5
Reply = tuple[int, str, bytes]


def merge_endpoints(snaps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One entry per endpoint, counters summed over workers (pending: live workers only)."""
    merged: dict[str, dict[str, Any]] = {}
    for snap in snaps:
        for endpoint in snap.get("notifications") or []:
            entry = merged.get(endpoint["name"])
            metrics = endpoint["Metrics"]
            if entry is None:
                entry = merged[endpoint["name"]] = {**endpoint, "Metrics": {"Statuses": {}}}
            total = entry["Metrics"]
            for key, value in metrics.items():
                if key == "Statuses":
                    for code, count in value.items():
                        total["Statuses"][code] = total["Statuses"].get(code, 0) + count
                elif key == "Pending" and not snap.get("alive"):
                    total.setdefault(key, 0)
                else:
                    total[key] = total.get(key, 0) + value
    return list(merged.values())


def merge_redis(snaps: list[dict[str, Any]]) -> dict[str, Any] | None:
    live = [s["cache_vars"] for s in snaps if s.get("alive") and s.get("cache_vars")]
    live = [v for v in live if "Config" in v]
    if not live:
        return None
    out = dict(live[0])
    for key in ("Active", "Idle"):
        out[key] = sum(v.get(key, 0) for v in live)
    out["Available"] = all(v.get("Available", True) for v in live)
    return out


class DebugServer:
    def __init__(self, config: Configuration, state_dir: str | None) -> None:
        self.config = config
        self.state_dir = state_dir
        self.started = time.time()
        self.health: health_checks.HealthRegistry | None = None
        if health_checks.configured(config.health):
            storage = config.storage
            driver = factory.create(storage.driver_name, storage.driver_params)
            self.health = health_checks.build(config.health, driver, storage.driver_name)
        prometheus = config.http.debug.prometheus
        self.metrics_path = (prometheus.path or "/metrics") if prometheus.enabled else None

    def _snapshots(self) -> list[dict[str, Any]]:
        return snapshot.read_all(self.state_dir) if self.state_dir else []

    def vars(self) -> dict[str, Any]:
        snaps = self._snapshots()
        registry: dict[str, Any] = {"notifications": {"endpoints": merge_endpoints(snaps)}}
        redis = merge_redis(snaps)
        if redis is not None:
            registry["redis"] = redis
        caches = [s["cache"] for s in snaps if s.get("cache")]
        if caches:
            registry["cache"] = {
                "type": caches[0]["kind"],
                **{k: sum(c[k] for c in caches) for k in ("requests", "hits", "misses", "errors")},
            }
        return {
            "cmdline": sys.argv,
            "uptime": time.time() - self.started,
            "workers": [{"pid": s.get("pid"), "alive": s.get("alive")} for s in snaps],
            "registry": registry,
        }

    def route(self, method: str, path: str) -> Reply:
        path = path.split("?", 1)[0]
        if method not in ("GET", "HEAD"):
            return 405, "text/plain", b"method not allowed\n"
        if path == "/debug/vars":
            return 200, "application/json; charset=utf-8", orjson.dumps(self.vars(), default=str)
        if path == "/debug/health":
            failing = self.health.failing() if self.health is not None else {}
            return 503 if failing else 200, "application/json", orjson.dumps(failing)
        if self.metrics_path is not None and path == self.metrics_path:
            body = exposition.render(self._snapshots())
            return 200, "text/plain; version=0.0.4; charset=utf-8", body
        return 404, "text/plain", b"404 page not found\n"

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
            request_line = head.split(b"\r\n", 1)[0].decode("latin-1")
            method, path, _ = request_line.split(" ", 2)
            status, content_type, body = self.route(method, path)
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError, ValueError):
            writer.close()
            return
        except Exception:
            log.exception("debug server error")
            status, content_type, body = 500, "text/plain", b"internal error\n"
        headers = (
            f"HTTP/1.1 {status} {_REASONS.get(status, '')}\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        )
        writer.write(headers.encode("latin-1") + (b"" if method == "HEAD" else body))
        with contextlib.suppress(OSError):
            await writer.drain()
        writer.close()


_REASONS = {200: "OK", 404: "Not Found", 405: "Method Not Allowed", 500: "Internal Server Error"}
_REASONS[503] = "Service Unavailable"


async def serve(config: Configuration, state_dir: str | None, parent: int, fd: int) -> None:
    server = DebugServer(config, state_dir)
    sock = socket.socket(fileno=fd)
    listener = await asyncio.start_server(server.handle, sock=sock, limit=READ_LIMIT)
    log.info("debug server listening on %s", config.http.debug.addr)
    if server.health is not None:
        server.health.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with listener:
        while not stop.is_set():
            if os.getppid() != parent:
                break
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), PARENT_POLL)
    if server.health is not None:
        await server.health.stop()


def listen(addr: str) -> socket.socket:
    """Bind the debug address in the parent, so that a busy port fails start-up at once."""
    host, port = parse_addr(addr)
    return socket.create_server((host, port), reuse_port=False)


def main() -> int:
    """``python -m dockyard.debugserver PARENT_PID LISTEN_FD`` (run by :mod:`dockyard.server`)."""
    config = loader.load(os.environ.get(CONFIG_FILE_ENV) or None)
    logs.setup(config.log.level, config.log.formatter, config.log.fields)
    loghooks.install(config.log.hooks)
    parent, fd = int(sys.argv[1]), int(sys.argv[2])
    asyncio.run(serve(config, snapshot.state_dir(), parent, fd))
    return 0


if __name__ == "__main__":
    sys.exit(main())
