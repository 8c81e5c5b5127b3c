"""Running coroutine tests without an asyncio pytest plugin: ``@run_async`` on an ``async def``."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable
from typing import Any, ParamSpec

P = ParamSpec("P")

TEST_TIMEOUT = 120.0
"""A deadline for every coroutine test, so a hung driver fails the test instead of the run."""


def run_async(fn: Callable[P, Awaitable[Any]]) -> Callable[P, None]:
    """Run the decorated coroutine function in a fresh event loop, bounded by a deadline."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> None:
        async def bounded() -> None:
            await asyncio.wait_for(fn(*args, **kwargs), TEST_TIMEOUT)

        asyncio.run(bounded())

    return wrapper
