"""One notification endpoint: ignore rules, its queue, and a thread that delivers in order.

Delivery follows Distribution's retrying sink with a breaker: a failed POST is retried at once
until ``threshold`` consecutive failures, then only after ``backoff`` has passed since the last
one; an event leaves the queue only when the endpoint answered 2xx or 3xx (after redirects). The
thread never touches the request path: requests only append to the queue.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from dockyard.notifications.events import EVENTS_MEDIA_TYPE, envelope
from dockyard.notifications.queue import EventQueue

if TYPE_CHECKING:
    import httpx

log = logging.getLogger(__name__)

IDLE_WAIT = 1.0


@dataclass(slots=True)
class EndpointMetrics:
    """Distribution's ``EndpointMetrics`` (``/debug/vars``) plus events refused when full."""

    events: int = 0
    successes: int = 0
    failures: int = 0
    errors: int = 0
    dropped: int = 0
    statuses: dict[str, int] = field(default_factory=dict)

    def status(self, code: int) -> None:
        try:
            text = f"{code} {HTTPStatus(code).phrase}"
        except ValueError:
            text = str(code)
        self.statuses[text] = self.statuses.get(text, 0) + 1


@dataclass(frozen=True, slots=True)
class EndpointConfig:
    name: str
    url: str
    headers: dict[str, list[str]]
    timeout: float
    threshold: int
    backoff: float
    ignored_media_types: frozenset[str] = frozenset()
    ignored_actions: frozenset[str] = frozenset()
    media_type: str = EVENTS_MEDIA_TYPE


class Endpoint:
    def __init__(self, config: EndpointConfig, queue: EventQueue) -> None:
        self.config = config
        self.queue = queue
        self.metrics = EndpointMetrics()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._filtering = bool(config.ignored_media_types or config.ignored_actions)

    @property
    def name(self) -> str:
        return self.config.name

    def write(self, event: dict[str, Any], record: bytes) -> None:
        """Queue ``record`` (the encoded ``event``) unless an ignore rule matches. Never raises."""
        if self._filtering and (
            event["action"] in self.config.ignored_actions
            or event["target"].get("mediaType") in self.config.ignored_media_types
        ):
            return
        self.metrics.events += 1
        if not self.queue.put(record):
            self.metrics.dropped += 1
            if self.metrics.dropped == 1 or self.metrics.dropped % 1000 == 0:
                log.error(
                    "notification endpoint %s: queue full (%d pending), %d events dropped",
                    self.name,
                    self.queue.pending,
                    self.metrics.dropped,
                )

    # -- delivery --------------------------------------------------------------------------

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._run, name=f"notify-{self.name}", daemon=True
            )
            self._thread.start()

    def stop(self, grace: float = 0.0) -> None:
        """Stop delivering, after up to ``grace`` seconds spent emptying the queue."""
        deadline = time.monotonic() + grace
        while self.queue.pending and time.monotonic() < deadline and self._thread is not None:
            time.sleep(0.05)
        self._stopping.set()
        self.queue.wake()
        if self._thread is not None:
            self._thread.join(max(self.config.timeout, 1.0) + 1.0)
        self.queue.close()

    def _client(self) -> httpx.Client:
        import httpx  # imported by the delivery thread, off the start-up path

        headers = [(k, v) for k, values in self.config.headers.items() for v in values]
        headers.append(("Content-Type", self.config.media_type))
        return httpx.Client(
            timeout=self.config.timeout, follow_redirects=True, headers=headers, trust_env=False
        )

    def _run(self) -> None:
        failures = 0
        last_failure = 0.0
        with self._client() as client:
            while not self._stopping.is_set():
                try:
                    record = self.queue.peek(IDLE_WAIT)
                except OSError as exc:
                    log.error("notification endpoint %s: cannot read queue: %s", self.name, exc)
                    self._stopping.wait(self.config.backoff)
                    continue
                if record is None:
                    continue
                if failures >= self.config.threshold:
                    wait = self.config.backoff - (time.monotonic() - last_failure)
                    if wait > 0 and self._stopping.wait(wait):
                        return
                if self._send(client, record, failures):
                    if failures:
                        log.info("notification endpoint %s: delivering again", self.name)
                    failures = 0
                    self.queue.ack()
                else:
                    failures += 1
                    last_failure = time.monotonic()
                    if failures == self.config.threshold:
                        log.warning(
                            "notification endpoint %s (%s) encountered too many errors, "
                            "backing off %.3gs between attempts",
                            self.name,
                            self.config.url,
                            self.config.backoff,
                        )

    def _send(self, client: httpx.Client, record: bytes, failures: int) -> bool:
        import httpx

        try:
            response = client.post(self.config.url, content=envelope([record]))
        except (httpx.HTTPError, OSError) as exc:
            self.metrics.errors += 1
            if failures == 0:
                log.error(
                    "notification endpoint %s: error posting to %s: %s, retrying",
                    self.name,
                    self.config.url,
                    exc,
                )
            return False
        self.metrics.status(response.status_code)
        if 200 <= response.status_code < 400:
            self.metrics.successes += 1
            return True
        self.metrics.failures += 1
        if failures == 0:
            log.error(
                "notification endpoint %s: %s answered %d, retrying",
                self.name,
                self.config.url,
                response.status_code,
            )
        return False

    def vars(self) -> dict[str, Any]:
        """The endpoint as Distribution's ``/debug/vars`` shows it."""
        m = self.metrics
        return {
            "name": self.name,
            "url": self.config.url,
            "Headers": {k: ["<redacted>"] * len(v) for k, v in self.config.headers.items()},
            "Timeout": int(self.config.timeout * 1e9),
            "Threshold": self.config.threshold,
            "Backoff": int(self.config.backoff * 1e9),
            "Metrics": {
                "Pending": self.queue.pending,
                "Events": m.events,
                "Successes": m.successes,
                "Failures": m.failures,
                "Errors": m.errors,
                "Dropped": m.dropped,
                "Statuses": dict(m.statuses),
            },
        }
