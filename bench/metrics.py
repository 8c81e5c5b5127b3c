"""The metrics of the table: what each measures, its unit, which way is better, and its target.

A ratio is always oriented so that above 1 means Dockyard is better: Dockyard/Distribution for
rates, Distribution/Dockyard for times, latencies and memory. Targets are issue 5's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bench import measure
from bench.profile import Profile
from bench.servers import Server

Step = Callable[[measure.Bench, Server], measure.Result]


@dataclass(frozen=True)
class Metric:
    key: str
    title: str
    unit: str
    higher_is_better: bool
    target: float | None = None
    """Minimum ratio the issue asks for (None: reported only)."""

    def ratio(self, baseline: float, value: float) -> float:
        if baseline <= 0 or value <= 0:
            return float("nan")
        return value / baseline if self.higher_is_better else baseline / value


@dataclass(frozen=True)
class Group:
    """One measurement step and the metrics it yields."""

    name: str
    step: Step
    metrics: tuple[Metric, ...]
    rounds: int | None = None
    """Overrides the profile's rounds for steps that take long and vary little."""


def M(key: str, title: str, unit: str, higher: bool, target: float | None = None) -> Metric:
    return Metric(key, title, unit, higher, target)


GROUPS: tuple[Group, ...] = (
    Group("upload", measure.upload_monolithic, (
        M("upload_monolithic", "blob upload, monolithic {blob}", "MiB/s", True, 2.0),
    )),
    Group("chunked", measure.upload_chunked, (
        M("upload_chunked", "blob upload, {chunk} PATCH chunks", "MiB/s", True, 2.0),
    )),
    Group("download", measure.download, (
        M("download", "blob download {blob}", "MiB/s", True, 1.2),
        M("download_ranged", "blob download, {range} ranges", "MiB/s", True),
    )),
    Group("head", measure.head_latency, (
        M("head_p50", "HEAD blob p50", "ms", False),
        M("head_p99", "HEAD blob p99", "ms", False, 1.0),
    )),
    Group("manifest_get", measure.manifest_get, (
        M("manifest_get_c1", "manifest GET, 1 conn", "req/s", True),
        M("manifest_get_c1_p99", "manifest GET, 1 conn p99", "ms", False),
        M("manifest_get_c32", "manifest GET, 32 conns", "req/s", True, 3.0),
        M("manifest_get_c32_p99", "manifest GET, 32 conns p99", "ms", False),
    )),
    Group("manifest_put", measure.manifest_put, (
        M("manifest_put_c1", "manifest PUT, 1 conn", "req/s", True, 2.0),
        M("manifest_put_c1_p99", "manifest PUT, 1 conn p99", "ms", False),
        M("manifest_put_c32", "manifest PUT, 32 conns", "req/s", True, 2.0),
        M("manifest_put_c32_p99", "manifest PUT, 32 conns p99", "ms", False),
    )),
    Group("pushes", measure.concurrent_pushes, (
        M("concurrent_pushes", "{pushes} concurrent pushes of {push}", "MiB/s", True, 1.5),
    )),
    Group("tags", measure.tags_list, (
        M("tags_list", "tag list, {tags} tags", "ms", False, 1.0),
    )),
    Group("catalog", measure.catalog, (
        M("catalog", "catalog, {repositories} repos, all pages", "ms", False, 5.0),
    ), rounds=2),
    Group("skopeo", measure.skopeo_copy, (
        M("skopeo_in", "skopeo copy in, {image_layers} layers", "s", False, 1.0),
        M("skopeo_out", "skopeo copy out, {image_layers} layers", "s", False, 1.0),
    )),
    Group("big_push", measure.big_push_rss, (
        M("rss_idle", "RSS idle, before the big push", "MiB", False),
        M("rss_big_push", "RSS while pushing {big_blob}", "MiB", False, 1 / 1.5),
    ), rounds=1),
)  # fmt: skip

PEAK_RSS = M("rss_peak", "peak RSS (VmHWM, all processes)", "MiB", False, 1 / 1.5)

ALL_METRICS: tuple[Metric, ...] = (*(m for g in GROUPS for m in g.metrics), PEAK_RSS)
BY_KEY = {m.key: m for m in ALL_METRICS}


def size_label(size: int) -> str:
    if size >= 1 << 30 and size % (1 << 30) == 0:
        return f"{size >> 30} GiB"
    if size >= 1 << 20:
        return f"{size / (1 << 20):g} MiB"
    return f"{size / 1024:g} KiB"


def title(metric: Metric, profile: Profile) -> str:
    return metric.title.format(
        blob=size_label(profile.blob_size),
        chunk=size_label(profile.chunk_size),
        range=size_label(profile.range_size),
        push=size_label(profile.push_size),
        big_blob=size_label(profile.big_blob),
        pushes=profile.pushes,
        tags=f"{profile.tags:,}",
        repositories=f"{profile.repositories:,}",
        image_layers=profile.image_layers,
    )
