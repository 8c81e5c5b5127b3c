"""The command line itself: ``dockyard`` / ``python -m dockyard``, ``version``, ``--help``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from dockyard import __version__

ENTRY_POINTS = {
    "python -m dockyard": [sys.executable, "-m", "dockyard"],
    "dockyard": [str(Path(sys.executable).with_name("dockyard"))],
}


def run(command: list[str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*command, *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "COLUMNS": "300"},
    )


@pytest.fixture(params=sorted(ENTRY_POINTS))
def dockyard(request: pytest.FixtureRequest) -> list[str]:
    return ENTRY_POINTS[request.param]


@pytest.mark.parametrize("args", [["version"], ["--version"], ["-v"]])
def test_version(dockyard: list[str], args: list[str]) -> None:
    result = run(dockyard, *args)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"dockyard {__version__}\n"
    assert result.stderr == ""


@pytest.mark.parametrize("args", [["--help"], ["-h"], []])
def test_help(dockyard: list[str], args: list[str]) -> None:
    result = run(dockyard, *args)
    assert result.returncode == 0
    for command in ("serve", "garbage-collect", "version"):
        assert command in result.stdout
    assert result.stdout.startswith("usage: dockyard")


@pytest.mark.parametrize(
    ("command", "words"),
    [
        ("serve", ["[CONFIG]", "REGISTRY_CONFIGURATION_PATH", "127.0.0.1:5000", "--workers"]),
        ("garbage-collect", ["[CONFIG]", "--dry-run", "--delete-untagged", "--quiet", "read-only"]),
    ],
)
def test_command_help(dockyard: list[str], command: str, words: list[str]) -> None:
    result = run(dockyard, command, "--help")
    assert result.returncode == 0
    text = " ".join(result.stdout.split())
    for word in words:
        assert word in text, word


def test_unknown_command(dockyard: list[str]) -> None:
    result = run(dockyard, "frobnicate")
    assert result.returncode == 2
    assert "invalid choice: 'frobnicate'" in result.stderr
    assert "Traceback" not in result.stderr
