"""State directories of registries that were killed are removed by the next one to start."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dockyard.metrics import snapshot


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _state_dir(base: Path, pid: int, age: float) -> Path:
    path = base / f"{snapshot.STATE_PREFIX}{pid}-abc123"
    path.mkdir()
    (path / "worker-1.json").write_text("{}")
    stamp = time.time() - age
    os.utime(path, (stamp, stamp))
    return path


def test_only_quiet_directories_of_gone_processes_are_removed(tmp_path: Path) -> None:
    dead = _dead_pid()
    stale = _state_dir(tmp_path, dead, age=snapshot.STALE_AFTER + 30)
    recent = _state_dir(tmp_path, dead + 100_000, age=1)  # quiet too short: may be another host's
    live = _state_dir(tmp_path, os.getpid(), age=snapshot.STALE_AFTER + 30)
    unnamed = tmp_path / f"{snapshot.STATE_PREFIX}old_style"
    unnamed.mkdir()
    unrelated = tmp_path / "something-else"
    unrelated.mkdir()

    removed = snapshot.remove_stale_state_dirs(str(tmp_path))

    assert removed == [str(stale)]
    assert not stale.exists()
    assert recent.exists() and live.exists() and unnamed.exists() and unrelated.exists()


def test_new_state_dir_is_named_after_the_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr("tempfile.tempdir", None)  # re-read TMPDIR
    stale = _state_dir(tmp_path, _dead_pid(), age=snapshot.STALE_AFTER + 30)
    made = Path(snapshot.make_state_dir())
    assert made.parent == tmp_path
    assert made.name.startswith(f"{snapshot.STATE_PREFIX}{os.getpid()}-")
    assert not stale.exists()
