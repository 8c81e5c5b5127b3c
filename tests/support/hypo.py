"""Hypothesis settings for property tests that drive a real server.

Examples are derandomised so CI runs the same bounded set every time (a flaky test is a
defect); ``DOCKYARD_HYPOTHESIS_DEEP=1`` explores ten times more, at random, for local runs.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

DEEP = os.environ.get("DOCKYARD_HYPOTHESIS_DEEP") == "1"


def against_server(max_examples: int) -> settings:
    """Settings for a property over HTTP: bounded, no deadline (the machine is shared)."""
    return settings(
        max_examples=max_examples * (10 if DEEP else 1),
        deadline=None,
        derandomize=not DEEP,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
