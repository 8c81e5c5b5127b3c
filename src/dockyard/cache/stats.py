"""Hit/miss/error counters shared by the cache implementations (plain ints: no lock needed
on one event loop)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class CacheStats:
    kind: str
    requests: int = 0
    hits: int = 0
    misses: int = 0
    errors: int = 0

    def snapshot(self) -> dict[str, int | str]:
        return {
            "kind": self.kind,
            "requests": self.requests,
            "hits": self.hits,
            "misses": self.misses,
            "errors": self.errors,
        }
