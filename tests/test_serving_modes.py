"""How ``dockyard serve`` runs the app (server.py, embedded.py): one worker is one process (the
registry serves in the process that checked the config), several workers are granian worker
processes under a supervisor; both stop cleanly on SIGTERM and SIGINT."""

from __future__ import annotations

import os
import signal
from collections.abc import Callable

from support.api import push_blob
from support.server import DockyardServer, wait_until


def _children(pid: int) -> list[int]:
    """The direct children of ``pid``, whichever of its threads started them."""
    found: list[int] = []
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/children") as f:
                found.extend(int(child) for child in f.read().split())
        except OSError:
            continue
    return found


def _serves(server: DockyardServer, repo: str) -> None:
    with server.client() as client:
        digest = push_blob(client, repo, b"served by " + repo.encode())
        assert client.get(f"/v2/{repo}/blobs/{digest}").content == b"served by " + repo.encode()


def test_one_worker_is_one_process(make_server: Callable[..., DockyardServer], repo: str) -> None:
    server = make_server()
    assert server.process is not None
    _serves(server, repo)
    assert _children(server.process.pid) == [], "no supervisor/worker pair for one worker"
    assert server.stop() == 0


def test_several_workers_run_under_a_supervisor(
    make_server: Callable[..., DockyardServer], repo: str
) -> None:
    server = make_server(dockyard__workers=2)
    assert server.process is not None
    pid = server.process.pid
    wait_until(lambda: len(_children(pid)) == 2, 30, what="two worker processes")
    _serves(server, repo)
    assert server.stop() == 0


def test_sigint_stops_one_process_cleanly(
    make_server: Callable[..., DockyardServer], repo: str
) -> None:
    server = make_server()
    _serves(server, repo)
    assert server.process is not None
    os.kill(server.process.pid, signal.SIGINT)
    assert server.process.wait(30) == 0
    assert "Traceback" not in server.logs()


def test_sighup_is_ignored_by_one_process(
    make_server: Callable[..., DockyardServer], repo: str
) -> None:
    server = make_server()
    assert server.process is not None
    os.kill(server.process.pid, signal.SIGHUP)
    wait_until(lambda: "SIGHUP ignored" in server.logs(), 10, what="the SIGHUP warning")
    assert server.process.poll() is None
    _serves(server, repo)
    assert server.stop() == 0
