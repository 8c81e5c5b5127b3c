"""Sizes and time budgets: the full benchmark, and a smoke profile that only proves it works."""

from __future__ import annotations

from dataclasses import dataclass

MiB = 1 << 20


@dataclass(frozen=True)
class Profile:
    name: str
    rounds: int
    """Rounds per metric; servers alternate order each round (A B, B A, …) so drift cancels."""
    budget: float
    """Seconds one server gets per metric per round (at least one iteration always runs)."""
    wrk_seconds: int
    blob_size: int
    chunk_size: int
    range_size: int
    pushes: int
    push_size: int
    tags: int
    repositories: int
    image_layers: int
    layer_size: int
    big_blob: int


FULL = Profile(
    name="full",
    rounds=3,
    budget=1.5,
    wrk_seconds=2,
    blob_size=256 * MiB,
    chunk_size=8 * MiB,
    range_size=8 * MiB,
    pushes=32,
    push_size=16 * MiB,
    tags=10_000,
    repositories=5_000,
    image_layers=10,
    layer_size=4 * MiB,
    big_blob=2048 * MiB,
)

SMOKE = Profile(
    name="smoke",
    rounds=1,
    budget=0.05,
    wrk_seconds=1,
    blob_size=8 * MiB,
    chunk_size=1 * MiB,
    range_size=1 * MiB,
    pushes=32,
    push_size=256 * 1024,
    tags=300,
    repositories=250,
    image_layers=10,
    layer_size=16 * 1024,
    big_blob=32 * MiB,
)

PROFILES = {p.name: p for p in (FULL, SMOKE)}
