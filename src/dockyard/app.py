"""The ASGI application: builds every part from the configuration and dispatches requests.

This module wires; it holds no registry logic. A request goes: route match → name check →
read-only check → access control → repository (+ listener) → handler → response, and every
response gets the API version header, the configured ``http.headers``, and an access-log line.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from dockyard import auth, tracing
from dockyard.api import routes
from dockyard.api.context import Context
from dockyard.api.errors import ErrorCode, error_response, render
from dockyard.api.http import (
    ClientDisconnectedError,
    Receive,
    Request,
    Response,
    Scope,
    Send,
    send_response,
)
from dockyard.api.urls import URLBuilder
from dockyard.background import Background
from dockyard.cache import factory as cache_factory
from dockyard.config.models import Configuration
from dockyard.handlers import base, blobs, catalog, manifests, referrers, tags, uploads
from dockyard.health import checks as health_checks
from dockyard.logs import request_id
from dockyard.metrics.collector import Metrics
from dockyard.metrics.instrument import InstrumentedDriver
from dockyard.middleware import apply as apply_middleware
from dockyard.middleware import resolve as resolve_middleware
from dockyard.notifications import notifier as notifications
from dockyard.notifications.listener import Bridge
from dockyard.registry.errors import RegistryError, StorageFullError, UnsupportedError
from dockyard.registry.reference import validate_name
from dockyard.storage.driver import factory
from dockyard.storage.driver.base import StorageDriver
from dockyard.storage.driver.base import StorageFullError as DriverFullError
from dockyard.storage.manifests import ManifestValidation
from dockyard.storage.registry import Registry, RegistryOptions, Repository

log = logging.getLogger("dockyard.app")
access_log = logging.getLogger("dockyard.access")

Handler = Callable[[Context], Awaitable[Response]]

HANDLERS: dict[tuple[str, str], Handler] = {
    (routes.BASE, "GET"): base.get,
    (routes.CATALOG, "GET"): catalog.get,
    (routes.TAGS, "GET"): tags.get,
    (routes.MANIFEST, "GET"): manifests.get,
    (routes.MANIFEST, "PUT"): manifests.put,
    (routes.MANIFEST, "DELETE"): manifests.delete,
    (routes.BLOB, "GET"): blobs.get,
    (routes.BLOB, "DELETE"): blobs.delete,
    (routes.BLOB_UPLOAD, "POST"): uploads.start,
    (routes.BLOB_UPLOAD_CHUNK, "GET"): uploads.status,
    (routes.BLOB_UPLOAD_CHUNK, "PATCH"): uploads.patch,
    (routes.BLOB_UPLOAD_CHUNK, "PUT"): uploads.put,
    (routes.BLOB_UPLOAD_CHUNK, "DELETE"): uploads.cancel,
    (routes.REFERRERS, "GET"): referrers.get,
}
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass(frozen=True, slots=True)
class AppOptions:
    delete_enabled: bool
    redirect_enabled: bool
    read_only: bool
    access_log: bool


def manifest_validation(config: Configuration) -> ManifestValidation:
    manifests_cfg = config.validation.manifests
    return ManifestValidation(
        enabled=not config.validation.disabled,
        url_allow=tuple(re.compile(p) for p in manifests_cfg.urls.allow),
        url_deny=tuple(re.compile(p) for p in manifests_cfg.urls.deny),
        index_platforms=manifests_cfg.indexes.platforms,
        platform_list=tuple((p.os, p.architecture) for p in manifests_cfg.indexes.platformlist),
    )


class App:
    """One registry instance: configuration, storage, and the ASGI entry point."""

    def __init__(self, config: Configuration, driver: StorageDriver | None = None) -> None:
        self.config = config
        storage = config.storage
        debug = config.http.debug
        self.metrics = Metrics() if debug.addr and debug.prometheus.enabled else None
        driver = driver or factory.create(storage.driver_name, storage.driver_params)
        if self.metrics is not None:
            driver = InstrumentedDriver(driver, self.metrics)
        self.tracing = tracing.configure(config.http.prefix)  # None unless OTEL_* asks for it
        if self.tracing is not None and config.dockyard.tracing.storagespans:
            driver = self.tracing.wrap_driver(driver)
        self.driver = apply_middleware("storage", driver, config.middleware.storage)
        self.options = AppOptions(
            delete_enabled=storage.delete.enabled,
            redirect_enabled=not storage.redirect.disable,
            read_only=storage.maintenance.readonly.enabled,
            access_log=not config.log.accesslog.disabled,
        )
        self.cache = cache_factory.create(config)
        registry = Registry(
            self.driver,
            RegistryOptions(
                delete_enabled=storage.delete.enabled,
                redirect_enabled=not storage.redirect.disable,
                validation=manifest_validation(config),
            ),
            self.cache,
        )
        self.registry: Registry = apply_middleware("registry", registry, config.middleware.registry)
        self._repository_middleware = [
            (resolve_middleware("repository", e.name), dict(e.options))
            for e in config.middleware.repository
            if not e.disabled
        ]
        self.notifier = notifications.configure(config)
        self.health = health_checks.build(config.health, self.driver, storage.driver_name)
        self.background = Background(self)
        self.auth = auth.build(config)
        self.urls = URLBuilder(config.http.host, config.http.prefix, config.http.relativeurls)
        self._prefix = "/" + config.http.prefix.strip("/") if config.http.prefix.strip("/") else ""
        self._extra_headers = [
            (name.lower().encode("latin-1"), value.encode("latin-1"))
            for name, values in config.http.headers.items()
            for value in values
        ]

    def repository(self, name: str) -> Repository:
        repository = self.registry.repository(name)
        for wrap, options in self._repository_middleware:
            repository = wrap(repository, options)
        return repository

    # -- ASGI ------------------------------------------------------------------------------

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await self._http(scope, receive, send)
        elif scope["type"] == "lifespan":
            await self._lifespan(receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await self.background.start()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.close()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def close(self) -> None:
        await self.background.stop()
        if self.cache is not None:
            await self.cache.close()
        await self.driver.close()
        if self.tracing is not None:
            await self.tracing.shutdown()

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        rid = str(uuid.uuid4())
        token = request_id.set(rid)
        request = Request(scope, receive)
        status, sent = 500, 0
        ctx: Context | None = None
        metrics = self.metrics
        if metrics is not None:
            metrics.in_flight += 1
        span = self.tracing.start(request, rid) if self.tracing is not None else None
        try:
            if self.health is not None and (unhealthy := self._health(request)) is not None:
                response = unhealthy
            else:
                response, ctx = await self._dispatch(request, rid)
            response.headers.extend(self._extra_headers)
            if request.body_unread:
                response.headers.append((b"connection", b"close"))
            status = response.status
            sent = await send_response(scope, send, response, head=request.method == "HEAD")
        except ClientDisconnectedError:
            status = 499
        finally:
            if self.options.access_log:
                self._log_access(request, status, sent, started, ctx)
            if metrics is not None:
                metrics.in_flight -= 1
                handler = ctx.route.name if ctx is not None else "none"
                elapsed = time.perf_counter() - started
                metrics.request(handler, request.method, status, elapsed, request.consumed, sent)
            if span is not None:
                span.finish(status, ctx, sent)
            request_id.reset(token)

    def _health(self, request: Request) -> Response | None:
        """``/debug/health`` on the main port, and 503 for everything while a check fails."""
        assert self.health is not None
        if request.path == "/debug/health" and request.method in ("GET", "HEAD"):
            failing = self.health.failing()
            return Response.json(failing, status=503 if failing else 200)
        if not self.health.healthy:
            return error_response(
                ErrorCode.UNAVAILABLE, detail="health check failed: please see /debug/health"
            )
        return None

    async def _dispatch(self, request: Request, rid: str) -> tuple[Response, Context | None]:
        path = request.path
        issuer = self.auth.issuer
        if issuer is not None and issuer.matches(path):
            return await issuer.handle(request), None
        if self._prefix:
            if not path.startswith(self._prefix + "/"):
                return Response(
                    status=404, body=b"404 page not found\n", content_type="text/plain"
                ), None
            path = path[len(self._prefix) :]
        found = routes.match(path)
        if found is None:
            return Response(
                status=404, body=b"404 page not found\n", content_type="text/plain"
            ), None
        route, params = found
        method = "GET" if request.method == "HEAD" else request.method
        handler = HANDLERS.get((route.name, method))
        if handler is None or request.method not in route.methods:
            response = error_response(ErrorCode.UNSUPPORTED, "method not allowed")
            return response.set("Allow", ", ".join(sorted(route.methods))), None
        ctx = Context(self, request, route, params, rid)
        try:
            await self._prepare(ctx)
            return await handler(ctx), ctx
        except RegistryError as exc:
            return render(exc), ctx
        except DriverFullError:
            return render(StorageFullError()), ctx
        except ClientDisconnectedError:
            raise
        except Exception:
            log.exception("unexpected error handling %s %s", request.method, request.path)
            return error_response(ErrorCode.UNKNOWN), ctx

    async def _prepare(self, ctx: Context) -> None:
        """Name validation, access control, read-only mode; listeners plug in here."""
        if ctx.route.needs_name:
            ctx.name = validate_name(ctx.vars["name"])
        if self.auth.gate is not None:
            await self.auth.gate.authorize(ctx)
        if self.options.read_only and ctx.request.method in WRITE_METHODS:
            raise UnsupportedError("the registry is in read-only mode")
        if ctx.name:
            ctx._repository = self.repository(ctx.name)
            if self.notifier is not None:
                ctx.listener = Bridge(self.notifier, ctx)

    def _log_access(
        self, request: Request, status: int, sent: int, started: float, ctx: Context | None
    ) -> None:
        access_log.info(
            "%s %s %d",
            request.method,
            request.path,
            status,
            extra={
                "http.request.method": request.method,
                "http.request.uri": request.uri,
                "http.request.remoteaddr": request.client_addr,
                "http.request.useragent": request.header("user-agent") or "",
                "http.response.status": status,
                "http.response.written": sent,
                "http.request.read": request.consumed,
                "http.response.duration": f"{(time.perf_counter() - started) * 1000:.3f}ms",
                "auth.user.name": ctx.user if ctx else "",
            },
        )
