"""In-process metrics: request counts and latency histograms, bytes, storage-driver timings."""

from __future__ import annotations

from bisect import bisect_left
from typing import Any

HTTP_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
STORAGE_BUCKETS = (
    0.0005,
    0.001,
    0.0025,
    0.005,
    0.01,
    0.025,
    0.05,
    0.1,
    0.25,
    0.5,
    1.0,
    2.5,
    5.0,
    10.0,
)


class Histogram:
    """Observations by label tuple: ``[count per bucket..., +Inf count, sum]`` per key."""

    __slots__ = ("bounds", "series")

    def __init__(self, bounds: tuple[float, ...]) -> None:
        self.bounds = bounds
        self.series: dict[tuple[str, ...], list[float]] = {}

    def observe(self, key: tuple[str, ...], value: float) -> None:
        row = self.series.get(key)
        if row is None:
            row = self.series[key] = [0] * (len(self.bounds) + 2)
        row[bisect_left(self.bounds, value)] += 1
        row[-1] += value

    def snapshot(self) -> list[list[Any]]:
        return [[list(key), list(row)] for key, row in self.series.items()]


class Metrics:
    """Everything one worker counts; ``snapshot`` is what it publishes."""

    def __init__(self) -> None:
        self.requests = Histogram(HTTP_BUCKETS)
        self.bytes_in: dict[str, int] = {}
        self.bytes_out: dict[str, int] = {}
        self.storage = Histogram(STORAGE_BUCKETS)
        self.in_flight = 0

    def request(
        self, handler: str, method: str, status: int, seconds: float, read: int, sent: int
    ) -> None:
        self.requests.observe((handler, method, str(status)), seconds)
        if read:
            self.bytes_in[handler] = self.bytes_in.get(handler, 0) + read
        if sent:
            self.bytes_out[handler] = self.bytes_out.get(handler, 0) + sent

    def storage_action(self, driver: str, action: str, seconds: float) -> None:
        self.storage.observe((driver, action), seconds)

    def snapshot(self) -> dict[str, Any]:
        return {
            "http_requests": self.requests.snapshot(),
            "http_bytes_in": dict(self.bytes_in),
            "http_bytes_out": dict(self.bytes_out),
            "http_in_flight": self.in_flight,
            "storage_actions": self.storage.snapshot(),
        }
