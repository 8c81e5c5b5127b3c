"""Stored content on its way to a client: a byte range, and how to read it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass


@dataclass(slots=True)
class FileBody:
    """A byte range of a stored file.

    ``local_path`` is set when the bytes sit in a local file, so the server can send them
    zero-copy; ``chunks`` streams the same range from the driver otherwise.
    """

    local_path: str | None
    offset: int
    length: int
    chunks: Callable[[], AsyncIterator[bytes]]
