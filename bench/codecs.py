"""``python -m bench.codecs``: JSON libraries on the registry's JSON work, in microseconds.

The registry encodes tag lists and catalog pages and decodes manifests (every manifest PUT, and
a manifest GET reads the media type). Each library is timed on the same three jobs in-process,
best of several repetitions, so the choice of JSON library is made by measurement.
"""

from __future__ import annotations

import importlib
import json
import time
from collections.abc import Callable
from typing import Any

from bench.fixtures import small_image, tag_names

REPEAT = 7


def _best(fn: Callable[[], object], number: int) -> float:
    best = float("inf")
    for _ in range(REPEAT):
        started = time.perf_counter()
        for _ in range(number):
            fn()
        best = min(best, (time.perf_counter() - started) / number)
    return best * 1e6


def libraries() -> dict[str, tuple[Callable[[Any], bytes], Callable[[bytes], Any]]]:
    libs: dict[str, tuple[Callable[[Any], bytes], Callable[[bytes], Any]]] = {
        "json (stdlib)": (lambda obj: json.dumps(obj).encode(), json.loads)
    }
    try:
        orjson = importlib.import_module("orjson")
        libs["orjson"] = (orjson.dumps, orjson.loads)
    except ImportError:
        pass
    try:
        msgspec_json = importlib.import_module("msgspec.json")
        libs["msgspec"] = (msgspec_json.encode, msgspec_json.decode)
    except ImportError:
        pass
    return libs


def main() -> None:
    tags = {"name": "bench/tags", "tags": tag_names(10_000)}
    page = {"repositories": [f"catalog/ns{i // 100:03d}/app{i:05d}" for i in range(100)]}
    manifest = small_image().manifest
    print(
        "| library | encode 10,000-tag list (µs) | encode 100-name catalog page (µs) "
        "| decode 1 KiB manifest (µs) |"
    )
    print("|---|---|---|---|")
    for name, (dumps, loads) in libraries().items():
        print(f"| {name} | {_best(lambda d=dumps: d(tags), 20):.0f} "
              f"| {_best(lambda d=dumps: d(page), 2000):.1f} "
              f"| {_best(lambda f=loads: f(manifest), 2000):.1f} |")  # fmt: skip


if __name__ == "__main__":
    main()
