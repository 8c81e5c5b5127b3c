"""``dockyard serve`` with no file: filesystem storage in ./registry-data on 127.0.0.1:5000.

Port 5000 is fixed by the defaults, so the test runs the server in a private network namespace
(``unshare --net``) where that port is always free, and drives it from inside the namespace.
"""

from __future__ import annotations

import functools
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

_PREFIXES = (["unshare", "--net"], ["unshare", "--user", "--map-root-user", "--net"])

_SCRIPT = textwrap.dedent(
    """
    import fcntl, hashlib, json, os, signal, socket, struct, subprocess, sys, time
    import urllib.request

    workdir = sys.argv[1]
    # A new network namespace has its loopback down: bring it up (SIOCGIFFLAGS/SIOCSIFFLAGS).
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    flags = struct.unpack("16sH", fcntl.ioctl(sock, 0x8913, struct.pack("16sH", b"lo", 0)))[1]
    fcntl.ioctl(sock, 0x8914, struct.pack("16sH", b"lo", flags | 1))
    env = {k: v for k, v in os.environ.items() if not k.startswith("REGISTRY_")}
    log = open(os.path.join(workdir, "server.log"), "wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "dockyard", "serve"], cwd=workdir, stdout=log, stderr=log,
        env=env, start_new_session=True,
    )
    out = {}
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen("http://127.0.0.1:5000/v2/", timeout=1) as r:
                    out["base"] = r.status
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    out["base"] = None
                    break
                time.sleep(0.05)
        data = b"stored by the embedded defaults"
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        request = urllib.request.Request(
            f"http://127.0.0.1:5000/v2/demo/app/blobs/uploads/?digest={digest}",
            data=data, method="POST",
        )
        with urllib.request.urlopen(request, timeout=10) as r:
            out["push"] = r.status
        hex_ = digest[7:]
        blob = os.path.join(
            workdir, "registry-data", "docker", "registry", "v2", "blobs", "sha256",
            hex_[:2], hex_, "data",
        )
        out["stored"] = open(blob, "rb").read() == data
        with open("/proc/net/tcp") as f:
            listening = [line.split()[1] for line in f.readlines()[1:] if line.split()[3] == "0A"]
        out["listening"] = listening
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(5)
    print(json.dumps(out))
    """
)


@functools.cache
def _prefix() -> tuple[list[str] | None, str]:
    reasons = []
    for prefix in _PREFIXES:
        try:
            result = subprocess.run([*prefix, "true"], capture_output=True, timeout=20)
        except (OSError, subprocess.TimeoutExpired) as exc:
            reasons.append(f"{' '.join(prefix)}: {exc}")
            continue
        if result.returncode == 0:
            return list(prefix), ""
        reasons.append(f"{' '.join(prefix)}: {result.stderr.decode(errors='replace').strip()}")
    return None, "cannot create a private network namespace: " + "; ".join(reasons)


def test_serve_with_no_file(tmp_path: Path) -> None:
    prefix, reason = _prefix()
    if prefix is None:
        pytest.skip(reason)
    result = subprocess.run(
        [*prefix, sys.executable, "-c", _SCRIPT, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    log = (tmp_path / "server.log").read_text(errors="replace")
    assert result.returncode == 0, (result.stderr, log)
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out["base"] == 200, log
    assert out["push"] == 201
    assert out["stored"]  # in ./registry-data, relative to where it was started
    assert out["listening"] == ["0100007F:1388"]  # 127.0.0.1:5000, and nothing else
    assert "listening on 127.0.0.1:5000" in log
