"""``dockyard serve`` with a configuration it cannot use: one line on stderr, exit status 2.

Every case runs the real command (``python -m dockyard serve bad.yml``), as an operator would.
"""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from support.server import DockyardServer, wait_until

OK = "version: 0.1\nstorage:\n  inmemory:\nhttp:\n  addr: 127.0.0.1:0\n"


def serve(
    workdir: Path, text: str | None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    args = [sys.executable, "-m", "dockyard", "serve"]
    if text is not None:
        (workdir / "bad.yml").write_text(text)
        args.append("bad.yml")
    return subprocess.run(
        args,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=workdir,
        env={"PATH": "/usr/bin:/bin", **(env or {})},
    )


CASES = {
    "yaml syntax": ("version: 0.1\nstorage:\n\tinmemory:\n", {}, "bad.yml: invalid YAML (line 3"),
    "duplicate key": (OK + "http:\n  addr: :1\n", {}, "duplicate key 'http'"),
    "not a mapping": ("just text\n", {}, "bad.yml: the configuration must be a YAML mapping"),
    "unknown key": (OK + "storag: {}\n", {}, "bad.yml: storag: unknown configuration key"),
    "nested unknown key": (
        OK.replace("inmemory:", "filesystem:\n    rootdir: /x"),
        {},
        "bad.yml: storage.filesystem.rootdir: unknown configuration key",
    ),
    "wrong type": (OK + "tags:\n  maxtags: lots\n", {}, "bad.yml: tags.maxtags: "),
    "bad duration": (
        OK
        + "notifications:\n  endpoints:\n    - name: a\n      url: http://x\n      timeout: 1x\n",
        {},
        "bad.yml: notifications.endpoints.0.timeout: invalid duration '1x'",
    ),
    "missing version": ("storage: inmemory\n", {}, "bad.yml: version: required key is missing"),
    "no storage": ("version: 0.1\n", {}, "bad.yml: storage: required key is missing"),
    "env wrong type": (
        OK,
        {"REGISTRY_STORAGE_DELETE_ENABLED": "maybe"},
        "storage.delete.enabled (set by REGISTRY_STORAGE_DELETE_ENABLED): ",
    ),
    "env list gap": (
        OK,
        {"REGISTRY_NOTIFICATIONS_ENDPOINTS_1_URL": "http://x"},
        "REGISTRY_NOTIFICATIONS_ENDPOINTS_1_URL: list index 1 skips entries",
    ),
    "s3": (
        "version: 0.1\nstorage:\n  s3:\n    region: r\n    bucket: b\n",
        {},
        "storage.s3: the s3 storage driver is not available in Dockyard yet",
    ),
    "swift": (
        "version: 0.1\nstorage:\n  swift:\n    container: c\n",
        {},
        "storage: the 'swift' storage driver is no longer supported",
    ),
    "letsencrypt": (
        "version: 0.1\nstorage: inmemory\nhttp:\n  addr: 127.0.0.1:0\n  tls:\n    letsencrypt:\n"
        "      cachefile: /c\n      email: a@b.c\n",
        {},
        "http.tls.letsencrypt: not supported: certificates from an ACME server need the internet",
    ),
    "htpasswd": (
        OK + "auth:\n  htpasswd:\n    realm: r\n    path: /p\n",
        {},
        "auth.htpasswd: /p: htpasswd file not found",
    ),
    "tls": (
        OK + "  tls:\n    certificate: /nonexistent.crt\n    key: /k\n",
        {},
        "http.tls.certificate: cannot read /nonexistent.crt",
    ),
    "bad address": (
        OK.replace("127.0.0.1:0", "localhost"),
        {},
        "http.addr: invalid listen address 'localhost'",
    ),
    "unusable root": (
        "version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: /proc/self/dockyard\n",
        {},
        "storage.filesystem.rootdirectory: cannot use /proc/self/dockyard",
    ),
    "missing file": (
        None,
        {"REGISTRY_CONFIGURATION_PATH": "/nonexistent.yml"},
        "/nonexistent.yml: configuration file not found",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_one_line_and_exit_2(tmp_path: Path, case: str) -> None:
    text, env, expected = CASES[case]
    result = serve(tmp_path, text, env)
    assert result.returncode == 2, result
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("dockyard: ")
    assert expected in lines[0], lines[0]


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


def test_port_in_use(tmp_path: Path, busy_port: int) -> None:
    result = serve(tmp_path, OK.replace("127.0.0.1:0", f"127.0.0.1:{busy_port}"))
    assert result.returncode == 2
    assert result.stderr == (
        f"dockyard: http.addr: cannot listen on 127.0.0.1:{busy_port}: Address already in use\n"
    )


def test_ignored_settings_are_logged_at_start_up(tmp_path: Path) -> None:
    server = DockyardServer(tmp_path)
    server.config["compatibility"] = {"schema1": {"enabled": True}}
    server.start()
    try:
        with server.client() as client:
            assert client.get("/v2/").status_code == 200

        def logged() -> bool:
            return "compatibility.schema1.enabled: Docker schema 1 manifests are refused" in (
                server.logs()
            )

        wait_until(logged, 10, what="the start-up warning")
    finally:
        server.stop()
