"""Running client programs (skopeo, podman, buildah, docker-registry) with a deadline."""

from __future__ import annotations

import subprocess
from collections.abc import Mapping

TIMEOUT = 120.0


class ClientError(Exception):
    """A program exited non-zero or overran its deadline; the message carries its output."""


def run(
    program: str, *args: str, timeout: float = TIMEOUT, env: Mapping[str, str] | None = None
) -> str:
    """Run ``program args`` with no stdin; returns stdout, raises :class:`ClientError`."""
    return run_both(program, *args, timeout=timeout, env=env)[0]


def run_both(
    program: str, *args: str, timeout: float = TIMEOUT, env: Mapping[str, str] | None = None
) -> tuple[str, str]:
    """As :func:`run`, returning (stdout, stderr): for programs that log to stderr."""
    command = " ".join([program, *args])
    try:
        done = subprocess.run(
            [program, *args],
            capture_output=True,
            timeout=timeout,
            env=dict(env) if env is not None else None,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired as exc:
        raise ClientError(f"{command} timed out after {timeout}s") from exc
    if done.returncode != 0:
        raise ClientError(
            f"{command} exited {done.returncode}:\n"
            f"{done.stderr.decode(errors='replace')}{done.stdout.decode(errors='replace')}"
        )
    return done.stdout.decode(errors="replace"), done.stderr.decode(errors="replace")
