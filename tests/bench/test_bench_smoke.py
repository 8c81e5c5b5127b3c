"""The benchmark harness itself still works: its smoke mode runs end to end on both servers.

Nothing here looks at a number's size — the machine is shared and two cores small. It checks
only that ``python -m bench smoke`` started Distribution and Dockyard, measured every metric on
both, and wrote a complete table, JSON and plot.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

from bench.metrics import ALL_METRICS, title
from bench.profile import SMOKE

REPO = Path(__file__).resolve().parents[2]


def test_smoke_mode_produces_a_complete_table(tmp_path: Path) -> None:
    json_path, plot_path = tmp_path / "smoke.json", tmp_path / "smoke.png"
    done = subprocess.run(
        [sys.executable, "-m", "bench", "smoke", "--json", str(json_path), "--plot",
         str(plot_path), "--workdir", str(tmp_path / "work")],
        cwd=REPO, capture_output=True, text=True, timeout=240,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]

    result = json.loads(json_path.read_text())
    assert result["servers"][0] == "Distribution" and len(result["servers"]) == 2
    by_key = {metric["key"]: metric for metric in result["metrics"]}
    assert set(by_key) == {metric.key for metric in ALL_METRICS}
    for metric in by_key.values():
        for server in result["servers"]:
            value = metric["values"][server]
            assert isinstance(value, int | float) and value > 0, (metric["key"], server)
        (ratio,) = metric["ratios"].values()
        assert math.isfinite(ratio) and ratio > 0, metric["key"]
    assert set(result["limits"]) >= {"loopback_tcp", "sha256_one_core", "disk_write_fsync"}

    table = [line for line in done.stdout.splitlines() if line.startswith("| ")]
    for metric in ALL_METRICS:
        assert any(line.startswith(f"| {title(metric, SMOKE)} |") for line in table), metric.key
    assert plot_path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not (tmp_path / "work").exists()  # servers stopped, data removed
