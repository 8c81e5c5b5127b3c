"""Prometheus text for the debug server, summed over the workers' snapshots.

Names follow Distribution's ``registry_`` namespace (``registry_storage_action_seconds``,
``registry_notifications_events_total`` …) plus the HTTP metrics Dockyard adds.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

from prometheus_client.core import (
    CollectorRegistry,
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.exposition import generate_latest

from dockyard.metrics.collector import HTTP_BUCKETS, STORAGE_BUCKETS


def _sum_histograms(
    snapshots: Iterable[dict[str, Any]], field: str
) -> dict[tuple[str, ...], list[float]]:
    total: dict[tuple[str, ...], list[float]] = {}
    for snap in snapshots:
        for key, row in (snap.get("metrics") or {}).get(field, []):
            current = total.setdefault(tuple(key), [0] * len(row))
            for i, value in enumerate(row):
                current[i] += value
    return total


def _histogram(
    name: str,
    doc: str,
    labels: list[str],
    bounds: tuple[float, ...],
    series: dict[tuple[str, ...], list[float]],
) -> HistogramMetricFamily:
    family = HistogramMetricFamily(name, doc, labels=labels)
    for key, row in sorted(series.items()):
        buckets, running = [], 0.0
        for bound, count in zip((*bounds, float("inf")), row[:-1], strict=True):
            running += count
            buckets.append(("+Inf" if bound == float("inf") else repr(bound), running))
        family.add_metric(list(key), buckets, row[-1])
    return family


class SnapshotCollector:
    """A prometheus_client collector over a list of snapshots taken at scrape time."""

    def __init__(self, snapshots: list[dict[str, Any]]) -> None:
        self.snapshots = snapshots

    def collect(self) -> Iterator[Metric]:
        snaps = self.snapshots
        live = [s for s in snaps if s.get("alive")]
        yield from self._http(snaps, live)
        yield _histogram(
            "registry_storage_action_seconds",
            "The number of seconds that the storage action takes",
            ["driver", "action"],
            STORAGE_BUCKETS,
            _sum_histograms(snaps, "storage_actions"),
        )
        yield from self._caches(snaps)
        yield from self._notifications(snaps, live)

    def _http(self, snaps: list[dict[str, Any]], live: list[dict[str, Any]]) -> Iterator[Metric]:
        series = _sum_histograms(snaps, "http_requests")
        count = CounterMetricFamily(
            "registry_http_requests", "Requests served", labels=["handler", "method", "code"]
        )
        for key, row in sorted(series.items()):
            count.add_metric(list(key), sum(row[:-1]))
        yield count
        yield _histogram(
            "registry_http_request_duration_seconds",
            "Time to serve a request, until its response is sent",
            ["handler", "method", "code"],
            HTTP_BUCKETS,
            series,
        )
        for field, name, doc in (
            ("http_bytes_in", "registry_http_request_size_bytes", "Request body bytes received"),
            ("http_bytes_out", "registry_http_response_size_bytes", "Response body bytes sent"),
        ):
            totals: dict[str, float] = defaultdict(float)
            for snap in snaps:
                for handler, value in ((snap.get("metrics") or {}).get(field) or {}).items():
                    totals[handler] += value
            family = CounterMetricFamily(name, doc, labels=["handler"])
            for handler, value in sorted(totals.items()):
                family.add_metric([handler], value)
            yield family
        in_flight = sum((s.get("metrics") or {}).get("http_in_flight", 0) for s in live)
        yield GaugeMetricFamily(
            "registry_http_in_flight_requests", "Requests being served", value=in_flight
        )

    def _caches(self, snaps: list[dict[str, Any]]) -> Iterator[Metric]:
        totals: dict[tuple[str, str], float] = defaultdict(float)
        for snap in snaps:
            stats = snap.get("cache")
            if stats:
                for field in ("requests", "hits", "misses", "errors"):
                    totals[(field, stats["kind"])] += stats.get(field, 0)
        for field, doc in (
            ("requests", "Blob descriptor cache lookups"),
            ("hits", "Blob descriptor cache hits"),
            ("misses", "Blob descriptor cache misses"),
            ("errors", "Blob descriptor cache errors (the lookup fell back to storage)"),
        ):
            family = CounterMetricFamily(f"registry_storage_cache_{field}", doc, labels=["type"])
            for (name, kind), value in sorted(totals.items()):
                if name == field:
                    family.add_metric([kind], value)
            yield family

    def _notifications(
        self, snaps: list[dict[str, Any]], live: list[dict[str, Any]]
    ) -> Iterator[Metric]:
        events = CounterMetricFamily(
            "registry_notifications_events",
            "The number of total events",
            labels=["type", "endpoint"],
        )
        statuses = CounterMetricFamily(
            "registry_notifications_status",
            "The number of status code",
            labels=["code", "endpoint"],
        )
        pending = GaugeMetricFamily(
            "registry_notifications_pending",
            "The gauge of pending events in queue",
            labels=["endpoint"],
        )
        counts: dict[tuple[str, str], float] = defaultdict(float)
        codes: dict[tuple[str, str], float] = defaultdict(float)
        depth: dict[str, float] = defaultdict(float)
        for snap in snaps:
            for endpoint in snap.get("notifications") or []:
                name, m = endpoint["name"], endpoint["Metrics"]
                for kind in ("Events", "Successes", "Failures", "Errors", "Dropped"):
                    counts[(kind, name)] += m.get(kind, 0)
                for code, value in m.get("Statuses", {}).items():
                    codes[(code, name)] += value
                depth.setdefault(name, 0.0)
                if snap in live:
                    depth[name] += m.get("Pending", 0)
        for key, value in sorted(counts.items()):
            events.add_metric(list(key), value)
        for key, value in sorted(codes.items()):
            statuses.add_metric(list(key), value)
        for name, value in sorted(depth.items()):
            pending.add_metric([name], value)
        yield events
        yield statuses
        yield pending


def render(snapshots: list[dict[str, Any]]) -> bytes:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(SnapshotCollector(snapshots))  # type: ignore[arg-type]
    return generate_latest(registry)
