"""Slowing down password guessing: a token bucket of failed logins per client address.

Each address may fail ``failures`` times at once and earns one more attempt per ``interval``.
While its bucket is empty every login from it is answered ``429`` with ``Retry-After`` before
the password is even checked, so a correct guess cannot slip through the throttle. State is
per worker process and bounded: the least recently seen addresses are forgotten first.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict

MAX_CLIENTS = 65536


class LoginLimiter:
    def __init__(self, failures: int, interval: float, enabled: bool = True) -> None:
        self.burst = float(failures)
        self.interval = interval
        self.enabled = enabled
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def _level(self, client: str, now: float) -> float:
        entry = self._buckets.get(client)
        if entry is None:
            return self.burst
        tokens, stamp = entry
        return min(self.burst, tokens + (now - stamp) / self.interval)

    def retry_after(self, client: str) -> int:
        """Seconds until ``client`` may try again; 0 when it may try now."""
        if not self.enabled:
            return 0
        tokens = self._level(client, time.monotonic())
        if tokens >= 1.0:
            return 0
        return max(1, math.ceil((1.0 - tokens) * self.interval))

    def failed(self, client: str) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        tokens = self._level(client, now) - 1.0
        self._buckets[client] = (max(tokens, 0.0), now)
        self._buckets.move_to_end(client)
        while len(self._buckets) > MAX_CLIENTS:
            self._buckets.popitem(last=False)


def client_key(scope_client: tuple[str, int] | list | None) -> str:
    """The address part of an ASGI ``client`` (the port changes with every connection)."""
    if not scope_client:
        return ""
    return str(scope_client[0])
